"""Born-digital PDF pages: words read from the text layer, no OCR."""

from __future__ import annotations

from .types import OcrPage, Word

# Text-layer boxes are given in 300 dpi pixels so they sit on the same scale as OCR boxes.
PIXELS_PER_POINT = 300 / 72
# Fewer printable characters than this and the page is a scan wrapped in a PDF.
MIN_TEXT_CHARS = 8


def open_pdf(data: bytes):
    import pypdfium2

    return pypdfium2.PdfDocument(data)


def text_layer(page) -> OcrPage | None:
    """The page's words from its text layer, or None when it has (almost) none."""
    import pypdfium2.raw as pdfium_c

    width_pt, height_pt = page.get_size()
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        chars = []
        for index in range(count):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
            char = chr(code) if code else " "
            if char.isspace() or not char.isprintable():
                chars.append((" ", None))
                continue
            chars.append((char, textpage.get_charbox(index, loose=True)))
    finally:
        textpage.close()
    if sum(1 for c, box in chars if box) < MIN_TEXT_CHARS:
        return None
    words = _group_words(chars, height_pt)
    return OcrPage(
        width=round(width_pt * PIXELS_PER_POINT),
        height=round(height_pt * PIXELS_PER_POINT),
        words=words,
        source="text-layer",
    )


def _group_words(chars, height_pt: float) -> list[Word]:
    words: list[Word] = []
    current: list[tuple[str, tuple[float, float, float, float]]] = []
    lines: list[float] = []  # vertical centres of the lines met so far, in points

    def line_of(box) -> int:
        centre = (box[1] + box[3]) / 2
        tolerance = max(1.0, (box[3] - box[1]) * 0.5)
        for number, known in enumerate(lines, start=1):
            if abs(known - centre) <= tolerance:
                return number
        lines.append(centre)
        return len(lines)

    def flush() -> None:
        if not current:
            return
        left = min(b[0] for _, b in current)
        right = max(b[2] for _, b in current)
        bottom = min(b[1] for _, b in current)
        top = max(b[3] for _, b in current)
        words.append(
            Word(
                text="".join(c for c, _ in current),
                left=round(left * PIXELS_PER_POINT),
                top=round((height_pt - top) * PIXELS_PER_POINT),
                width=max(1, round((right - left) * PIXELS_PER_POINT)),
                height=max(1, round((top - bottom) * PIXELS_PER_POINT)),
                conf=100.0,
                block=1,
                line=line_of(current[0][1]),
            )
        )
        current.clear()

    for char, box in chars:
        if box is None:
            flush()
            continue
        if current:
            last = current[-1][1]
            size = max(last[3] - last[1], 1.0)
            gap = box[0] - last[2]
            same_line = abs((box[1] + box[3]) / 2 - (last[1] + last[3]) / 2) <= size * 0.5
            if not same_line or gap > size * 0.3 or gap < -size:
                flush()
        current.append((char, box))
    flush()
    return words


def render(page, max_side: int, dpi: int = 300):
    """The page as a Pillow image at ``dpi``, no larger than ``max_side`` on its long side."""
    width_pt, height_pt = page.get_size()
    scale = min(dpi / 72, max_side / max(width_pt, height_pt, 1))
    return page.render(scale=scale).to_pil()
