"""Line items: a description followed by a quantity, a unit price and an amount."""

from __future__ import annotations

import re
from decimal import Decimal

from .amounts import AMOUNT, amounts_in
from .model import LineItem
from .text import TextLine

HEADER = re.compile(r"\b(description|item|product|details|particulars)\b", re.I)
STOP = re.compile(
    r"sub\s*-?\s*total|\btotal\b|\bnet\b|\bvat\b|\bgst\b|\btax\b|cash|change|tender|card|"
    r"balance|rounding|amount\s*(due|paid|payable)|payment|discount|saving|deposit|visa|"
    r"mastercard|contactless",
    re.I,
)
QUANTITY = re.compile(r"(?:(?<=\s)|^)(\d{1,4}(?:\.\d{1,3})?)\s?(?:[xX@*]|pcs|qty)?(?=\s)")
PENNY = Decimal("0.01")


def find_line_items(lines: list[TextLine]) -> list[LineItem]:
    items: list[LineItem] = []
    for line in _item_region(lines):
        item = _read_item(line)
        if item:
            items.append(item)
    return items


def _item_region(lines: list[TextLine]) -> list[TextLine]:
    start = 0
    for position, line in enumerate(lines):
        if HEADER.search(line.text) and not AMOUNT.search(line.text):
            start = position + 1
            break
    region = []
    for line in lines[start:]:
        if STOP.search(line.text) and amounts_in(line):
            if region:
                break
            continue
        region.append(line)
    return region


def _read_item(line: TextLine) -> LineItem | None:
    money = amounts_in(line)
    if not money:
        return None
    first = money[0].start
    head = line.text[:first]
    if sum(c.isalpha() for c in head) < 2:
        return None
    quantity = None
    description = head
    # A quantity is the last bare number before the first amount ("Flat white 2 x 3.10 6.20").
    numbers = list(QUANTITY.finditer(head))
    if numbers:
        last = numbers[-1]
        if not head[last.end() :].strip(" xX@*:"):
            quantity = Decimal(last.group(1))
            description = head[: last.start()]
    # "2 x Flat white 6.20": a quantity in front of the description.
    front = re.match(r"\s*(\d{1,3})\s?[xX@]\s+", description)
    if quantity is None and front:
        quantity = Decimal(front.group(1))
        description = description[front.end() :]
    description = re.sub(r"\s+", " ", description).strip(" .:-|")
    if len(description) < 2 or quantity == 0:
        return None
    values = [m.value for m in money]
    net = values[-1]
    unit = vat = None
    if len(values) >= 2:
        unit = values[0]
        if quantity is not None and abs(unit * quantity - net) > PENNY and len(values) >= 3:
            # Columns in the other order: unit, net, VAT.
            if abs(unit * quantity - values[1]) <= PENNY:
                net, vat = values[1], values[-1]
        elif len(values) >= 3:
            vat = values[-2] if abs(values[-2] - values[-1]) > PENNY else None
            if vat is not None and vat > net:
                vat = None
    elif quantity is not None and quantity != 0:
        unit = (net / quantity).quantize(PENNY)
    if quantity is None and unit is not None and unit != 0:
        ratio = net / unit
        if ratio == ratio.to_integral_value():
            quantity = ratio
    return LineItem(description, quantity, unit, net, vat, line.boxes())
