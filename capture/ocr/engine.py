"""The OCR engine extension point and its registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from PIL import Image

from .types import OcrPage


@runtime_checkable
class OcrEngine(Protocol):
    """Reads one prepared page image into words.

    Contract:
    - ``read`` takes a Pillow image already turned upright, greyscale and scaled by
      ``capture.ocr.preprocess``; it must not change the image in place.
    - It returns an ``OcrPage`` whose width and height are those of the image it was given and
      whose words carry boxes in that image's pixels, a confidence from 0 to 100, and block and
      line numbers such that words sharing ``(block, line)`` sit on one printed line.
    - Words that are only whitespace are left out; nothing else is dropped, however unsure.
    - It raises ``OcrFailed`` when the engine cannot run at all (missing binary, time-out), never
      returns an empty page to hide a failure.
    - It uses one CPU thread: throughput comes from running several worker processes.
    - Heavy libraries are imported inside ``read`` so that importing the registry stays cheap.
    """

    name: str

    def read(self, image: Image.Image) -> OcrPage: ...


class OcrFailed(RuntimeError):
    """The engine could not read the page at all."""


_ENGINES: dict[str, Callable[[], OcrEngine]] = {}


def register_engine(name: str, factory: Callable[[], OcrEngine]) -> None:
    _ENGINES[name] = factory


def get_engine(name: str = "tesseract") -> OcrEngine:
    try:
        factory = _ENGINES[name]
    except KeyError:
        raise LookupError(f"no OCR engine called {name!r}; known: {sorted(_ENGINES)}") from None
    return factory()


def engine_names() -> list[str]:
    return sorted(_ENGINES)
