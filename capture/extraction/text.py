"""OCR pages as lines of text that remember which word each character came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from capture.ocr.types import OcrPage, Word

from .model import Box


@dataclass
class TextLine:
    page: int
    index: int  # position in reading order over the whole document
    words: list[Word]
    text: str
    starts: list[int]  # where each word starts in ``text``

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def height(self) -> float:
        return float(median(w.height for w in self.words))

    @property
    def conf(self) -> float:
        return sum(w.conf for w in self.words) / len(self.words) / 100

    def span_words(self, start: int, end: int) -> list[Word]:
        chosen = []
        for word, begin in zip(self.words, self.starts, strict=True):
            if begin < end and begin + len(word.text) > start:
                chosen.append(word)
        return chosen

    def boxes(self, start: int = 0, end: int | None = None) -> list[Box]:
        end = len(self.text) if end is None else end
        return [(self.page, w.left, w.top, w.width, w.height) for w in self.span_words(start, end)]

    def span_conf(self, start: int, end: int) -> float:
        words = self.span_words(start, end) or self.words
        return sum(w.conf for w in words) / len(words) / 100


def build_lines(pages: list[OcrPage]) -> list[TextLine]:
    lines: list[TextLine] = []
    for page_number, page in enumerate(pages):
        for words in page.lines():
            starts, parts, position = [], [], 0
            for word in words:
                starts.append(position)
                parts.append(word.text)
                position += len(word.text) + 1
            lines.append(TextLine(page_number, len(lines), words, " ".join(parts), starts))
    return lines


def matches(pattern: re.Pattern, lines: list[TextLine]):
    for line in lines:
        for found in pattern.finditer(line.text):
            yield line, found


def segments(line: TextLine, gap_in_heights: float = 3.0) -> list[TextLine]:
    """The line cut where words stand far apart: a letterhead beside a title, two columns."""
    parts: list[list] = [[]]
    limit = line.height * gap_in_heights
    for word in line.words:
        if parts[-1] and word.left - parts[-1][-1].right > limit:
            parts.append([])
        parts[-1].append(word)
    if len(parts) == 1:
        return [line]
    cut = []
    for words in parts:
        starts, position = [], 0
        for word in words:
            starts.append(position)
            position += len(word.text) + 1
        text = " ".join(w.text for w in words)
        cut.append(TextLine(line.page, line.index, words, text, starts))
    return cut
