"""Dates as printed on UK (and other) paperwork: day first unless that is impossible."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .text import TextLine

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# A time printed hard against the year, its space lost in OCR: "09/01/20198:01", "12-01-1921:13".
GLUED_TIME = r"(?=\d{1,2}:\d{2}(?!\d))"
# OCR sometimes splits a four-digit year at a gap in faint print ("23/03/20 18 14:05"); a
# "20" then two more digits that are not the hour of a time are read as one year.
NUMERIC = re.compile(
    r"(?<![\w.])(?P<a>\d{1,4})\s?(?P<sep>[/.\-])\s?(?P<b>\d{1,2})\s?(?P=sep)\s?"
    r"(?P<c>20\s\d{2}(?![\d:.])|(?:\d{4}|\d{2})" + GLUED_TIME + r"|\d{2,4}(?!\d))"
)
DAY_MONTH = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s\-./,]*"
    + MONTH
    + r"[\s\-./,]*(?P<y>(?:\d{4}|\d{2})"
    + GLUED_TIME
    + r"|(?:\d{4}|\d{2})(?!\d))",
    re.I,
)
MONTH_DAY = re.compile(
    r"\b" + MONTH + r"[\s\-./]*(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s*(?P<y>\d{4})(?!\d)", re.I
)
COMPACT = re.compile(r"(?<!\d)(?P<n>20\d{6})(?!\d)")
COMPACT_DMY = re.compile(r"(?<!\d)(?P<n>[0-3]\d[01]\d20\d{2})(?!\d)")

DUE_LABEL = re.compile(r"\bdue\b|pay(ment)?\s*(by|before|due)|payable\s*by", re.I)
DATE_LABEL = re.compile(
    r"\b(invoice|tax\s*point|document|receipt|issue|credit\s*note)?\s*date\b|\bdated\b", re.I
)
OTHER_DATE_LABEL = re.compile(
    r"\b(order|delivery|despatch|dispatch|delivered|shipped|period|expiry|exp|valid|from|to|"
    r"print\w*|birth)\b",
    re.I,
)


@dataclass
class FoundDate:
    value: date
    line: TextLine
    start: int
    end: int
    order: str  # how the numbers were read: "DMY", "MDY", "YMD", "YDM", or "text"
    separator: str


def _year(text: str) -> int:
    value = int(text)
    return 2000 + value if value < 100 else value


def latest_year() -> int:
    """Documents are dated from 2000 up to a year ahead; anything else is a misread. Asked
    each time: a worker runs across New Year."""
    return date.today().year + 1


# Digits thermal print and OCR confuse, tried only when a date as read is impossible.
MISREAD_DIGITS = {"6": "0", "8": "0", "5": "0", "9": "0"}


def _make(year: int, month: int, day: int) -> date | None:
    if not 2000 <= year <= latest_year():
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _repair(text: str, low: int, high: int) -> str:
    """A number outside [low, high] with one confusable digit put right, if that fits."""
    if low <= int(text) <= high:
        return text
    for position, digit in enumerate(text):
        if digit in MISREAD_DIGITS:
            fixed = text[:position] + MISREAD_DIGITS[digit] + text[position + 1 :]
            if low <= int(fixed) <= high:
                return fixed
    return text


# Letters OCR puts in place of digits inside a date: O for 0, I or l for 1.
DIGIT_LOOKALIKES = re.compile(r"(?<![A-Za-z])[OoIl|](?=\d)|(?<=\d)[OoIl|](?![A-Za-z])")
LOOKALIKE_DIGIT = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"}


def read_numeric(a: str, b: str, c: str, orders: tuple[str, ...] = ()) -> tuple[date, str] | None:
    """Three numbers as a date: learnt orders first, then year-first, day-first, month-first."""
    parts = {"a": a, "b": b, "c": c}
    candidates = list(orders)
    candidates += ["YMD"] if len(a) == 4 else ["DMY", "MDY"]
    for repair in (False, True):
        for order in candidates:
            values = dict(zip(order, parts.values(), strict=True))
            if len(values["Y"]) not in (2, 4) or len(values["D"]) > 2 or len(values["M"]) > 2:
                continue
            if repair:
                values["Y"] = (
                    _repair(values["Y"], 2000, latest_year())
                    if len(values["Y"]) == 4
                    else values["Y"]
                )
                values["M"] = _repair(values["M"], 1, 12)
                values["D"] = _repair(values["D"], 1, 31)
            found = _make(_year(values["Y"]), int(values["M"]), int(values["D"]))
            if found:
                return found, order
    return None


def dates_in(line: TextLine, orders: tuple[str, ...] = ()) -> list[FoundDate]:
    found: list[FoundDate] = []
    # Same length as the line, so match positions still point at the right words.
    text = DIGIT_LOOKALIKES.sub(lambda m: LOOKALIKE_DIGIT[m.group(0)], line.text)
    for match in NUMERIC.finditer(text):
        read = read_numeric(match["a"], match["b"], match["c"].replace(" ", ""), orders)
        if read:
            found.append(
                FoundDate(read[0], line, match.start(), match.end(), read[1], match["sep"])
            )
    for pattern in (DAY_MONTH, MONTH_DAY):
        for match in pattern.finditer(text):
            year = match["y"] if len(match["y"]) == 2 else _repair(match["y"], 2000, latest_year())
            value = _make(_year(year), MONTHS[match["mon"][:3].lower()], int(match["d"]))
            if value:
                found.append(FoundDate(value, line, match.start(), match.end(), "text", " "))
    for match in COMPACT.finditer(text):
        n = match["n"]
        value = _make(int(n[:4]), int(n[4:6]), int(n[6:]))
        if value:
            found.append(FoundDate(value, line, match.start(), match.end(), "YMD", ""))
    for match in COMPACT_DMY.finditer(text):
        n = match["n"]
        value = _make(int(n[4:]), int(n[2:4]), int(n[:2]))
        if value:
            found.append(FoundDate(value, line, match.start(), match.end(), "compact", ""))
    return sorted(found, key=lambda f: f.start)


def parse_date(text: str, orders: tuple[str, ...] = ()) -> date | None:
    """A single date written any of the accepted ways (used for ground truth and corrections)."""
    line = TextLine(0, 0, [], text.strip(), [])
    found = dates_in(line, orders)
    if found:
        return found[0].value
    digits = re.sub(r"\D", "", text)
    if len(digits) == 8:
        return _make(int(digits[:4]), int(digits[4:6]), int(digits[6:])) or _make(
            int(digits[4:]), int(digits[2:4]), int(digits[:2])
        )
    return None


TIME = re.compile(r"\b\d{1,2}:\d{2}")


def _shape_bonus(line: TextLine, item: FoundDate) -> float:
    """Unlabelled, a date that looks like one (a time beside it, a full year) is likelier."""
    if item.order == "compact":
        # Eight bare digits are a date only when nothing better is printed.
        return -1.0
    bonus = 0.5 if TIME.search(line.text) else 0.0
    if item.order == "text" or re.search(r"\d{4}", line.text[item.start : item.end]):
        bonus += 0.3
    return bonus


@dataclass
class DatePick:
    date: FoundDate
    confidence: float
    source: str


def pick_dates(lines: list[TextLine], orders: tuple[str, ...] = (), label: str | None = None):
    """The document date and the due date, each a DatePick or None."""
    issued: list[tuple[float, FoundDate]] = []
    due: list[tuple[float, FoundDate]] = []
    for position, line in enumerate(lines):
        found = dates_in(line, orders)
        if not found:
            continue
        before = lines[position - 1].text if position else ""
        for item in found:
            prefix = line.text[: item.start]
            context = prefix if prefix.strip() else before
            if label and label.lower() in context.lower():
                issued.append((10.0, item))
            elif DUE_LABEL.search(context):
                due.append((5.0, item))
            elif DATE_LABEL.search(context):
                issued.append((5.0 - 0.01 * position, item))
            elif OTHER_DATE_LABEL.search(prefix):
                issued.append((0.5 - 0.01 * position, item))
            else:
                issued.append((2.0 - 0.01 * position + _shape_bonus(line, item), item))
    issued_pick = due_pick = None
    if issued:
        score, best = max(issued, key=lambda pair: pair[0])
        agree = sum(1 for _, other in issued if other.value == best.value)
        confidence = (
            min(1.0, 0.55 + 0.05 * score + 0.05 * agree)
            * best.line.span_conf(best.start, best.end) ** 0.5
        )
        issued_pick = DatePick(best, confidence, "labelled" if score >= 5 else "first date")
    if due:
        best = max(due, key=lambda pair: pair[0])[1]
        due_pick = DatePick(
            best, 0.85 * best.line.span_conf(best.start, best.end) ** 0.5, "labelled"
        )
    return issued_pick, due_pick
