"""Pages built from lines of text, for extraction tests that need an exact wording."""

from capture.ocr.types import OcrPage, Word


def page_from_lines(lines: list[str], conf: float = 95.0) -> OcrPage:
    """A page as a text layer would give it: each word boxed where a monospace font puts it."""
    words = []
    for number, line in enumerate(lines, start=1):
        column = 0
        for chunk in line.split(" "):
            if chunk:
                words.append(
                    Word(chunk, 40 + column * 12, number * 30, len(chunk) * 12, 20, conf, 1, number)
                )
            column += len(chunk) + 1
    return OcrPage(width=1000, height=30 * (len(lines) + 2), words=words, source="text-layer")
