"""Reading documents: page images, PDF text layers and OCR behind a small engine protocol."""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image

from .engine import OcrEngine, OcrFailed, engine_names, get_engine, register_engine
from .ppocr import PpOcrEngine
from .tesseract import TesseractEngine
from .types import OcrPage, Word

register_engine("tesseract", TesseractEngine)
register_engine("ppocr", PpOcrEngine)

__all__ = [
    "OcrEngine",
    "OcrFailed",
    "OcrPage",
    "Word",
    "engine_names",
    "get_engine",
    "prepared_pages",
    "read_document",
    "register_engine",
    "render_pages",
]

PDF = "application/pdf"


def read_document(data: bytes, mime: str, engine: OcrEngine | None = None) -> list[OcrPage]:
    """Every page's words: from a PDF's text layer where it has one, otherwise by OCR."""
    engine = engine or get_engine()
    return [
        page if isinstance(page, OcrPage) else engine.read(page)
        for page in prepared_pages(data, mime)
    ]


def prepared_pages(data: bytes, mime: str) -> Iterator[OcrPage | Image.Image]:
    """Each page in turn as its PDF text layer where it has one, otherwise as the image OCR
    reads: turned upright, greyscale and scaled by ``capture.ocr.preprocess.prepare``."""
    from .preprocess import prepare

    if mime != PDF:
        for image in _image_frames(data):
            yield prepare(image)
        return
    from .pdf import open_pdf, render, text_layer

    pdf = open_pdf(data)
    try:
        for page in pdf:
            yield text_layer(page) or prepare(render(page, max_side=3600))
    finally:
        pdf.close()


def render_pages(data: bytes, mime: str, max_side: int = 2000) -> list[Image.Image]:
    """Upright RGB images of every page, for people to look at, none larger than max_side."""
    if mime == PDF:
        from .pdf import open_pdf, render

        pdf = open_pdf(data)
        try:
            return [render(page, max_side=max_side).convert("RGB") for page in pdf]
        finally:
            pdf.close()
    images = []
    for image in _image_frames(data):
        image = image.convert("RGB")
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        images.append(image)
    return images


def _image_frames(data: bytes) -> list[Image.Image]:
    from PIL import ImageOps, ImageSequence

    from capture.files import open_image

    image = open_image(data)
    return [ImageOps.exif_transpose(frame.copy()) for frame in ImageSequence.Iterator(image)]
