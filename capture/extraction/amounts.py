"""Money on the page: amounts, the labels in front of them, and the currency."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .text import TextLine

# Two decimals are required: a receipt prints pence, and bare integers are quantities, codes and
# phone numbers far more often than money. A comma may stand for the decimal point because OCR
# reads a faint point as one.
AMOUNT = re.compile(
    r"(?<![\w.,/:-])(?P<neg>-\s?)?(?:(?P<cur>[RF]M|R|MYR|GBP|EUR|USD|[£$€])\s?)?(?P<neg2>-\s?)?"
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d{1,7})\s?(?:[.,]\s?)(?P<dec>\d{2})(?![\d%]|\s?%|[.,]\d)"
)


@dataclass
class Amount:
    value: Decimal
    line: TextLine
    start: int
    end: int

    @property
    def boxes(self):
        return self.line.boxes(self.start, self.end)

    @property
    def conf(self) -> float:
        return self.line.span_conf(self.start, self.end)


def amounts_in(line: TextLine, start: int = 0) -> list[Amount]:
    found = []
    for match in AMOUNT.finditer(line.text, start):
        whole = match.group("int").replace(",", "")
        value = Decimal(f"{whole}.{match.group('dec')}")
        if match.group("neg") or match.group("neg2"):
            value = -value
        found.append(Amount(value, line, match.start(), match.end()))
    return found


# An amount at the end of a line as OCR mangles it off faint thermal print: the point lost to
# a space ("31 45"), letters for digits ("4i SO", "RMLI.40"), no whole part (".00").
LOOSE_DIGIT = "0-9OoDQSsIil|!BZz"
LOOSE_AMOUNT = re.compile(
    rf"(?<![\w.,])(?:RM|R|[£$€])?(?P<int>[{LOOSE_DIGIT}]{{0,6}})(?:\s?[.,]\s?|\s)"
    rf"(?P<dec>[{LOOSE_DIGIT}]{{2}})\W{{0,2}}$"
)
LOOKALIKE_DIGITS = str.maketrans("OoDQSsIil|!BZz", "00005511111822")


def loose_amount(line: TextLine, start: int = 0) -> Amount | None:
    """The amount ending ``line`` read leniently, when no amount could be read strictly.

    At least one real digit must be printed, and a whole part without one is refused: a
    look-alike reading is a guess, taken only after a total's label.
    """
    match = LOOSE_AMOUNT.search(line.text, start)
    if match is None:
        return None
    whole, decimals = match.group("int"), match.group("dec")
    if not any(c.isdigit() for c in whole + decimals):
        return None
    if whole and not any(c.isdigit() for c in whole):
        return None
    digits = (whole or "0").translate(LOOKALIKE_DIGITS), decimals.translate(LOOKALIKE_DIGITS)
    value = Decimal(f"{int(digits[0])}.{digits[1]}")
    return Amount(value, line, match.start(), match.end("dec"))


def parse_amount(text: str) -> Decimal | None:
    cleaned = re.sub(r"[^\d.,-]", "", text)
    match = re.search(r"(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:[.,](\d{1,2}))?$", cleaned)
    if not match:
        return None
    whole = match.group(2).replace(",", "")
    decimals = (match.group(3) or "0").ljust(2, "0")
    return Decimal(f"{match.group(1)}{whole}.{decimals}")


@dataclass
class Labelled:
    amount: Amount
    score: float
    label: str


# Ordered from the label that most surely means "what was paid" to the least.
# "TOTAL" as OCR reads it off thermal paper: Fotal, T0TAL, Tatal, TOTA1.
TOT = r"(?:(?:[tf7][o0a]|[l1|][o0])[t7][a4]\s?[l1i|!])"
TOTAL_LABELS = [
    (re.compile(rf"grand\s*{TOT}|{TOT}\s*(amount\s*)?(payable|due|to\s*pay)", re.I), 10),
    (re.compile(rf"rounded\s*{TOT}|{TOT}\s*(after\s*)?round(ed|ing)?(?!\s*adj)", re.I), 10),
    (re.compile(rf"{TOT}\s*after\s*(adj|round|disc)", re.I), 10),
    (re.compile(r"amount\s*(due|payable|to\s*pay)|balance\s*(due|to\s*pay)", re.I), 9),
    (re.compile(rf"{TOT}.*\b(inc|incl|inclusive|including)\b\.?", re.I), 9),
    (re.compile(rf"{TOT}\s*(sales|amount|amt|price|payable)?", re.I), 6),
    (re.compile(rf"net+\s*{TOT}", re.I), 4),
    (re.compile(r"\b(amount|amt)\b", re.I), 2),
]
NOT_TOTAL = re.compile(
    rf"sub\s*-?\s*{TOT}|{TOT}\s*(no|qty|quantity|items?|units?|pcs|disc\w*|sav\w*|ex\b|"
    rf"vat|gst|tax|net|points?|weight|tender)|(?<!\w)(vat|gst|tax)\s*{TOT}|"
    r"\bexc\w*|\bbefore\b|\bex\.?\s*(vat|gst|tax)|cash|change|tender|round\w*\s*adj|"
    r"discount|saving|points",
    re.I,
)
ROUNDING = re.compile(r"round", re.I)
TENDERED = re.compile(r"\b(cash|tender\w*|received|paid)\b(?!\s*(sale|bill|invoice|receipt))", re.I)
CHANGE = re.compile(r"\bchange\b", re.I)
NET_LABELS = [
    (
        re.compile(
            r"(total\s*)?(net|excl\w*|ex\.?)\s*(of\s*)?(vat|tax|gst)?\s*total|"
            r"total\s*(net|excl\w*|ex\.?\s*vat|before\s*(vat|tax))|net\s*(amount|value)",
            re.I,
        ),
        9,
    ),
    (re.compile(r"\b(excl\w*|exclusive|ex\.?\s*(vat|gst|tax)|before\s*(vat|gst|tax))", re.I), 8),
    (re.compile(r"sub\s*-?\s*total", re.I), 7),
    (re.compile(r"\bnet\b|goods\s*value|amount\s*before\s*(vat|tax)", re.I), 5),
]
VAT_LABELS = [
    (
        re.compile(r"(total\s*)?(vat|gst)\s*(amount|total)?\s*(@|at)?\s*\d{1,2}(\.\d+)?\s*%", re.I),
        9,
    ),
    (re.compile(r"total\s*(vat|gst|tax)|(vat|gst|tax)\s*(amount|total)", re.I), 9),
    (re.compile(r"\b(vat|gst|tax)\b", re.I), 5),
]
NOT_VAT = re.compile(
    r"(vat|gst|tax)\s*(reg|no\b|number|id\b|invoice|code)|reg\w*\s*no|incl|excl|\bex\.?\s*vat|"
    r"before\s*(vat|tax)|summary|total\s*(incl|inc\b)|sub\s*-?\s*total|net",
    re.I,
)
VAT_WORD = re.compile(r"\b(vat|gst|tax)\b", re.I)
RATE = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2})?)\s?%")
# No VAT, GST or sales tax rate is above this: a bigger percentage is a discount or a count.
HIGHEST_RATE = Decimal(30)


def printed_rate(match: re.Match) -> Decimal:
    """A RATE match as a percentage: "20%" -> 20, "12.5%" -> 12.5."""
    value = Decimal(match.group(1))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def labelled_amounts(
    lines: list[TextLine],
    labels,
    exclude: re.Pattern | None,
    custom: str | None = None,
    loose: bool = False,
) -> list[Labelled]:
    """Amounts printed after one of ``labels`` on the same line, or alone on the next line."""
    found: list[Labelled] = []
    for position, line in enumerate(lines):
        best = _label_score(line.text, labels, exclude, custom)
        if best is None:
            continue
        score, label_end, label = best
        values = amounts_in(line, label_end)
        if not values and loose:
            guessed = loose_amount(line, label_end)
            if guessed is not None:
                values = [guessed]
                score -= 1
        if not values and position + 1 < len(lines):
            following = lines[position + 1]
            values = amounts_in(following)
            # Only borrow the next line when it holds nothing but money.
            if values and len(AMOUNT.sub("", following.text).strip(" :RM£$€")) > 3:
                values = []
            score -= 1
        if values:
            if len(values) > 1 and score < 20:
                # Several amounts after one label is a table row (a tax summary), not a total.
                score -= 2
            found.append(Labelled(values[-1], score, label))
    return found


def _label_score(text: str, labels, exclude, custom):
    if custom:
        at = text.lower().find(custom.lower())
        if at >= 0:
            return 20, at + len(custom), custom
    if exclude is not None and exclude.search(text):
        return None
    for pattern, score in labels:
        match = pattern.search(text)
        if match:
            return score, match.end(), match.group(0)
    return None


CURRENCIES = [
    ("GBP", re.compile(r"£|\bGBP\b|\bUK\s?pounds?\b", re.I)),
    ("EUR", re.compile(r"€|\bEUR\b|\beuros?\b", re.I)),
    # Only a dollar sign before an amount: beside letters or after an amount it is a misread S
    # ("$S21/1A", "C$1801", a tax code "7.90 $").
    ("USD", re.compile(r"(?<![A-Za-z])\$\s?\d|\bUSD\b|\bUS\s?dollars?\b")),
    ("MYR", re.compile(r"\bRM\s?-?\d|\bMYR\b|\bRM\b")),
]


def find_currency(lines: list[TextLine]):
    """The currency most often named on the page, with the lines it was read from."""
    counts: dict[str, list] = {}
    for code, pattern in CURRENCIES:
        for line in lines:
            for match in pattern.finditer(line.text):
                counts.setdefault(code, []).append((line, match))
    if not counts:
        return None
    code, hits = max(counts.items(), key=lambda item: len(item[1]))
    total = sum(len(h) for h in counts.values())
    return code, len(hits) / total, hits
