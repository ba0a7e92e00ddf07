"""Learning a supplier's layout from a reviewer's corrections, so its next document reads right."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from capture.extraction.amounts import amounts_in, parse_amount
from capture.extraction.dates import NUMERIC, parse_date, read_numeric
from capture.extraction.text import TextLine, build_lines
from capture.models import SupplierLayout
from capture.ocr.types import OcrPage

SUFFIXES = re.compile(r"\b(ltd|limited|plc|llp|llc|inc|sdn bhd|bhd|co|the)\b")
ORDERS = ("DMY", "MDY", "YMD", "YDM", "DYM", "MYD")


def supplier_key(name: str) -> str:
    """A supplier's name reduced to what survives OCR and typing: "Acme Ltd." → "acme"."""
    text = re.sub(r"[^\w\s&]|_", " ", name.lower())
    text = SUFFIXES.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def layout_for(business, key: str) -> dict | None:
    found = SupplierLayout.objects.filter(business=business, supplier_key=supplier_key(key)).first()
    return dict(found.hints) if found else None


def learn_from_correction(
    business, key: str, pages: list[OcrPage], corrected: dict[str, str]
) -> SupplierLayout:
    """Remember where the corrected values sit on this supplier's page and how they are written.

    ``corrected`` maps field names (total, net, vat, date, due_date, document_number,
    supplier_vat_number) to the values a reviewer confirmed, as strings.
    """
    lines = build_lines(pages)
    layout, _ = SupplierLayout.objects.get_or_create(
        business=business, supplier_key=supplier_key(key)
    )
    hints = dict(layout.hints)
    for name, hint in (("total", "total_label"), ("net", "net_label"), ("vat", "vat_label")):
        value = parse_amount(corrected.get(name, "") or "")
        if value is not None:
            label = _label_before_amount(lines, value)
            if label:
                hints[hint] = label
    for name in ("date", "due_date"):
        wanted = parse_date(corrected.get(name, "") or "")
        if wanted:
            order, label = _date_order(lines, wanted)
            if order:
                orders = [order, *[o for o in hints.get("date_orders", []) if o != order]]
                hints["date_orders"] = orders
            if label and name == "date":
                hints["date_label"] = label
    number = (corrected.get("document_number") or "").strip()
    if number:
        hints["number_pattern"] = number_pattern(number)
        label = _label_before_text(lines, number)
        if label:
            hints["number_label"] = label
    if corrected.get("supplier_name"):
        hints["supplier_name"] = corrected["supplier_name"]
    layout.hints = hints
    layout.corrections += 1
    layout.save()
    return layout


def _label_before_amount(lines: list[TextLine], value: Decimal) -> str | None:
    """The words printed before ``value``: on its line, or alone on the line above."""
    for position, line in enumerate(lines):
        for amount in amounts_in(line):
            if amount.value != value:
                continue
            label = _clean_label(line.text[: amount.start])
            if not label and position:
                label = _clean_label(lines[position - 1].text)
            if label:
                return label
    return None


def _label_before_text(lines: list[TextLine], text: str) -> str | None:
    for line in lines:
        at = line.text.find(text)
        if at > 0:
            return _clean_label(line.text[:at].replace("#", " ")) or None
    return None


def _clean_label(text: str) -> str:
    text = re.sub(r"[£$€:]|\bRM\b|\b(GBP|EUR|USD)\b", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .-*")
    return text.lower() if sum(c.isalpha() for c in text) >= 3 else ""


def _date_order(lines: list[TextLine], wanted: date) -> tuple[str | None, str | None]:
    """The order of day, month and year that turns a printed date into ``wanted``."""
    for line in lines:
        for match in NUMERIC.finditer(line.text):
            for order in ORDERS:
                read = read_numeric(match["a"], match["b"], match["c"], (order,))
                if read and read[0] == wanted and read[1] == order:
                    return order, _clean_label(line.text[: match.start()]) or None
    return None, None


def number_pattern(number: str) -> str:
    """A pattern for numbers in the same series: letters kept, digit runs of similar length."""
    parts = []
    for run in re.finditer(r"\d+|[A-Za-z]+|[^\w]|_", number):
        text = run.group(0)
        if text.isdigit():
            low = max(1, len(text) - 1)
            parts.append(rf"\d{{{low},{len(text) + 1}}}")
        else:
            parts.append(re.escape(text))
    return "".join(parts)
