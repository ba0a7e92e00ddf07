"""What an uploaded file is, judged from its bytes, and whether we accept it."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings

MB = 1024 * 1024
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/tiff": "tif",
    "image/heic": "heic",
    "application/pdf": "pdf",
}
SUPPORTED = "PDF, JPEG, PNG, WebP, TIFF or HEIC"


class RejectedFile(ValueError):
    """The file is refused; ``str(error)`` is the message shown to the bookkeeper."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * MB
    max_pages: int = 50
    max_megapixels: float = 60

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=getattr(settings, "UPLOAD_MAX_BYTES", cls.max_bytes),
            max_pages=getattr(settings, "UPLOAD_MAX_PAGES", cls.max_pages),
            max_megapixels=getattr(settings, "UPLOAD_MAX_MEGAPIXELS", cls.max_megapixels),
        )


@dataclass(frozen=True)
class FileInfo:
    mime: str
    extension: str
    pages: int


def sniff_mime(data: bytes) -> str | None:
    """The MIME type the leading bytes announce, or None. The file name is never consulted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "image/heic"
    # The PDF header may follow a little junk; readers accept it within the first kilobyte.
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    return None


def sniff(data: bytes, limits: Limits | None = None) -> FileInfo:
    limits = limits or Limits.from_settings()
    if not data:
        raise RejectedFile("The file is empty.")
    if len(data) > limits.max_bytes:
        raise RejectedFile(
            f"The file is {len(data) / MB:.1f} MB; the largest accepted is "
            f"{limits.max_bytes / MB:.0f} MB."
        )
    mime = sniff_mime(data)
    if mime is None:
        raise RejectedFile(f"This is not a file we can read: send a {SUPPORTED}.")
    pages = _count_pdf_pages(data) if mime == "application/pdf" else _check_image(data, limits)
    if pages > limits.max_pages:
        raise RejectedFile(
            f"The file has {pages} pages; the most accepted in one file is {limits.max_pages}."
        )
    return FileInfo(mime=mime, extension=EXTENSIONS[mime], pages=pages)


def _count_pdf_pages(data: bytes) -> int:
    import pypdfium2

    if b"/Encrypt" in data and _needs_password(data):
        raise RejectedFile("The PDF is protected by a password. Remove the password and resend.")
    # PDFium repairs broken cross-reference tables, so a cut-off file could open with pages
    # missing; every complete PDF ends with an end-of-file marker.
    if b"%%EOF" not in data[-2048:]:
        raise RejectedFile("The PDF is damaged or incomplete (it stops part-way). Resend it.")
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise RejectedFile("The PDF is damaged and cannot be opened.") from exc
    try:
        count = len(pdf)
        if count == 0:
            raise RejectedFile("The PDF has no pages.")
        return count
    finally:
        pdf.close()


def _needs_password(data: bytes) -> bool:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        return "password" in str(exc).lower()
    pdf.close()
    return False


def open_image(data: bytes):
    from PIL import Image

    if sniff_mime(data) == "image/heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    return Image.open(io.BytesIO(data))


def _check_image(data: bytes, limits: Limits) -> int:
    from PIL import Image, ImageSequence

    max_pixels = limits.max_megapixels * 1_000_000
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = open_image(data)
            pages = 0
            for frame in ImageSequence.Iterator(image):
                pages += 1
                if pages > limits.max_pages:
                    break
                pixels = frame.width * frame.height
                if pixels > max_pixels * 4:
                    raise RejectedFile(_bomb_message(frame, limits))
                if pixels > max_pixels:
                    raise RejectedFile(
                        f"Page {pages} is {pixels / 1e6:.0f} megapixels; the largest accepted is "
                        f"{limits.max_megapixels:g}. Scan at a lower resolution."
                    )
                # Decoding every pixel is the only sure way to find a truncated file.
                frame.load()
    except RejectedFile:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise RejectedFile("The image claims to be enormous; it looks like a bad file.") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise RejectedFile("The image is damaged or incomplete and cannot be read.") from exc
    return pages


def _bomb_message(frame, limits: Limits) -> str:
    return (
        f"The image claims to be {frame.width}×{frame.height} pixels, far over the "
        f"{limits.max_megapixels:g} megapixel limit; it looks like a bad file."
    )


def split_pages(data: bytes, mime: str) -> list[bytes]:
    """One file per page: single-page PDFs from a PDF, PNGs from a multi-page TIFF."""
    if mime == "application/pdf":
        import pypdfium2

        source = pypdfium2.PdfDocument(data)
        try:
            parts = []
            for index in range(len(source)):
                single = pypdfium2.PdfDocument.new()
                single.import_pages(source, [index])
                buffer = io.BytesIO()
                single.save(buffer)
                single.close()
                parts.append(buffer.getvalue())
            return parts
        finally:
            source.close()
    if mime == "image/tiff":
        from PIL import ImageSequence

        parts = []
        for frame in ImageSequence.Iterator(open_image(data)):
            buffer = io.BytesIO()
            frame.copy().save(buffer, format="PNG")
            parts.append(buffer.getvalue())
        return parts
    return [data]
