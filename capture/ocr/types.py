"""What OCR hands to extraction: pages of words, each with its box and confidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Source = Literal["text-layer", "tesseract", "ppocr"]


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float  # 0-100; a text layer is certain, so 100
    block: int = 0
    line: int = 0  # the engine's own line number, unique within the page

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
        """Words grouped into printed rows, top to bottom, each row left to right.

        Rows come from where words sit, not from the engine's own line numbers: an engine that
        reads a page as columns would otherwise part a label from the amount beside it.
        """
        rows: list[tuple[float, float, list[Word]]] = []  # (centre, height, words)
        for word in sorted(self.words, key=lambda w: (w.top + w.height / 2, w.left)):
            centre = word.top + word.height / 2
            for index in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
                row_centre, row_height, members = rows[index]
                if abs(centre - row_centre) <= min(row_height, word.height) * 0.5:
                    members.append(word)
                    count = len(members)
                    rows[index] = (
                        row_centre + (centre - row_centre) / count,
                        row_height + (word.height - row_height) / count,
                        members,
                    )
                    break
            else:
                rows.append((centre, float(word.height), [word]))
        return [sorted(members, key=lambda w: w.left) for _, _, members in rows]

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
