"""What OCR hands to extraction: pages of words, each with its box and confidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Source = Literal["text-layer", "tesseract"]


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float  # 0-100; a text layer is certain, so 100
    block: int = 0
    line: int = 0  # unique within the page, in reading order

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


@dataclass(slots=True)
class OcrPage:
    width: int
    height: int
    words: list[Word] = field(default_factory=list)
    source: Source = "tesseract"

    def lines(self) -> list[list[Word]]:
        """Words grouped by line, lines in reading order, words left to right."""
        grouped: dict[tuple[int, int], list[Word]] = {}
        for word in self.words:
            grouped.setdefault((word.block, word.line), []).append(word)
        ordered = sorted(grouped.values(), key=lambda ws: (min(w.top for w in ws), ws[0].left))
        return [sorted(ws, key=lambda w: w.left) for ws in ordered]

    @property
    def text(self) -> str:
        return "\n".join(" ".join(w.text for w in line) for line in self.lines())

    def to_dict(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "source": self.source,
            "words": [asdict(w) for w in self.words],
        }

    @classmethod
    def from_dict(cls, data: dict) -> OcrPage:
        return cls(
            width=data["width"],
            height=data["height"],
            source=data.get("source", "tesseract"),
            words=[Word(**w) for w in data.get("words", [])],
        )
