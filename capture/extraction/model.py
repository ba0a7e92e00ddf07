"""What extraction returns: fields with confidences and the word boxes they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# (page index, left, top, width, height) in the page's OCR pixels.
Box = tuple[int, int, int, int, int]

FIELD_NAMES = (
    "document_type",
    "supplier_name",
    "supplier_vat_number",
    "document_number",
    "date",
    "due_date",
    "currency",
    "net",
    "vat",
    "vat_rate",
    "total",
    "card_last_four",
)
# The source of a net worked out as the total less the VAT: net + VAT = gross proves nothing then.
GROSS_LESS_VAT = "gross less VAT"
# Fields a bookkeeper cannot do without; their absence needs a person.
ESSENTIAL = ("supplier_name", "date", "total")


@dataclass(frozen=True)
class KnownSupplier:
    name: str
    vat_number: str = ""
    key: str = ""


@dataclass
class Field:
    value: Any
    confidence: float
    boxes: list[Box] = field(default_factory=list)
    source: str = ""

    def to_dict(self) -> dict:
        return {
            "value": json_value(self.value),
            "confidence": round(self.confidence, 3),
            "boxes": [list(b) for b in self.boxes],
            "source": self.source,
        }


@dataclass
class LineItem:
    description: str
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    net: Decimal | None = None
    vat: Decimal | None = None
    boxes: list[Box] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "description": self.description,
            "quantity": json_value(self.quantity),
            "unit_price": json_value(self.unit_price),
            "net": json_value(self.net),
            "vat": json_value(self.vat),
            "boxes": [list(b) for b in self.boxes],
        }


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str

    def to_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "message": self.message}


@dataclass
class Extraction:
    fields: dict[str, Field] = field(default_factory=dict)
    lines: list[LineItem] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    # Values extraction set aside for a surer one: {"total": the total as printed}.
    misread: dict[str, Any] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        found = self.fields.get(name)
        return found.value if found else None

    @property
    def problems(self) -> list[str]:
        words = [check.message for check in self.checks if not check.ok]
        for name in ESSENTIAL:
            if self.value(name) in (None, ""):
                words.append(f"The {name.replace('_', ' ')} could not be read.")
        return words

    @property
    def needs_attention(self) -> bool:
        if self.problems:
            return True
        return any(self.fields[n].confidence < 0.5 for n in ESSENTIAL if n in self.fields)

    @property
    def confidence(self) -> float:
        """The weakest of the essential fields: a document is as sure as its least sure part."""
        scores = [self.fields[n].confidence if n in self.fields else 0.0 for n in ESSENTIAL]
        return round(min(scores), 3)

    def to_dict(self) -> dict:
        return {
            "fields": {name: f.to_dict() for name, f in self.fields.items()},
            "lines": [line.to_dict() for line in self.lines],
            "checks": [check.to_dict() for check in self.checks],
            "problems": self.problems,
            "needs_attention": self.needs_attention,
            "confidence": self.confidence,
        }


def json_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
