"""Reading documents: page images, PDF text layers and OCR behind a small engine protocol."""

from __future__ import annotations

from PIL import Image

from .engine import OcrEngine, OcrFailed, engine_names, get_engine, register_engine
from .tesseract import TesseractEngine
from .types import OcrPage, Word

register_engine("tesseract", TesseractEngine)

__all__ = [
    "OcrEngine",
    "OcrFailed",
    "OcrPage",
    "Word",
    "engine_names",
    "get_engine",
    "read_document",
    "register_engine",
    "render_pages",
]

PDF = "application/pdf"


def read_document(data: bytes, mime: str, engine: OcrEngine | None = None) -> list[OcrPage]:
    """Every page's words: from a PDF's text layer where it has one, otherwise by OCR."""
    from .preprocess import prepare

    engine = engine or get_engine()
    if mime != PDF:
        return [engine.read(prepare(image)) for image in _image_frames(data)]
    from .pdf import open_pdf, render, text_layer

    pdf = open_pdf(data)
    try:
        pages = []
        for page in pdf:
            read = text_layer(page)
            if read is None:
                read = engine.read(prepare(render(page, max_side=3600)))
            pages.append(read)
        return pages
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
