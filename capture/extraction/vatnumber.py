"""VAT registration numbers, with HMRC's check-digit rule for GB numbers."""

from __future__ import annotations

import re

from .text import TextLine

LABEL = re.compile(
    r"\b(vat|gst|tax)\s*(reg(istration|istered|\.)?|registration|id|no\b|number|#)|\bvat\s*:|vat\s*reg",
    re.I,
)
GB_NUMBER = re.compile(r"(?<![\w])(?:GB\s?)?(\d{3}\s?\d{4}\s?\d{2}(?:\s?\d{3})?)(?!\s?\d)")
OTHER_NUMBER = re.compile(r"(?<![\w])([A-Z]{2}\s?)?([0-9][0-9A-Z\- ]{6,16}[0-9A-Z])(?![\w])")


def gb_check_digits_ok(number: str) -> bool:
    """HMRC's modulus 97 rule, old style or the "9755" style used for numbers issued since 2010.

    The first seven digits weighted 8 down to 2, plus the two check digits, must be a multiple of
    97; or be one once 55 is added. Nine digits, optionally followed by a three-digit branch.
    """
    digits = re.sub(r"\D", "", number.upper().removeprefix("GB"))
    if len(digits) not in (9, 12):
        return False
    weighted = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
    total = weighted + int(digits[7:9])
    return total % 97 == 0 or (total + 55) % 97 == 0


# Characters OCR reads in place of digits; "?" stands for one it could not read at all.
LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8"})
SMUDGED_GB = re.compile(r"\b[G6C][B8]\s?([0-9OoIl|SB/\\.,:;'`\- ]{9,14})")


def repair_gb_number(text: str) -> str | None:
    """Nine digits read after "GB" with at most one unreadable character, put right by the
    check digits when exactly one digit in its place passes them."""
    chars = re.sub(r"\s", "", text).translate(LOOKALIKES)
    chars = re.sub(r"[^0-9]", "?", chars)[:9]
    if len(chars) != 9 or chars.count("?") > 1:
        return None
    if "?" not in chars:
        return chars if gb_check_digits_ok(chars) else None
    fits = [
        chars.replace("?", d) for d in "0123456789" if gb_check_digits_ok(chars.replace("?", d))
    ]
    return fits[0] if len(fits) == 1 else None


def normalise_vat_number(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def find_vat_number(lines: list[TextLine], near_label: str | None = None):
    """(number, confidence, line, start, end) for the supplier's VAT number, or None.

    The first labelled number on the document is the supplier's; a customer's number, when an
    invoice prints one, comes lower down.
    """
    for position, line in enumerate(lines):
        label = LABEL.search(line.text)
        if near_label and near_label.lower() in line.text.lower():
            label = re.search(re.escape(near_label), line.text, re.I)
        if not label:
            continue
        for candidate_line, offset in ((line, label.end()), *_next(lines, position)):
            smudged = SMUDGED_GB.search(candidate_line.text, offset)
            repaired = repair_gb_number(smudged.group(1)) if smudged else None
            if repaired and not GB_NUMBER.match(candidate_line.text, smudged.start()):
                conf = 0.8 * candidate_line.span_conf(smudged.start(), smudged.end()) ** 0.5
                return "GB" + repaired, conf, candidate_line, smudged.start(), smudged.end()
            gb = GB_NUMBER.search(candidate_line.text, offset)
            if gb:
                digits = re.sub(r"\D", "", gb.group(1))
                valid = gb_check_digits_ok(digits)
                confidence = (0.95 if valid else 0.45) * candidate_line.span_conf(
                    gb.start(), gb.end()
                ) ** 0.5
                # Only a GB prefix or a passing check digit makes it a UK number.
                explicit = gb.group(0).upper().startswith("GB")
                value = "GB" + digits if valid or explicit else digits
                return value, confidence, candidate_line, gb.start(), gb.end()
            other = OTHER_NUMBER.search(candidate_line.text, offset)
            if other and sum(c.isdigit() for c in other.group(0)) >= 6:
                value = normalise_vat_number(other.group(0))
                conf = 0.6 * candidate_line.span_conf(other.start(), other.end()) ** 0.5
                return value, conf, candidate_line, other.start(), other.end()
    # Unlabelled, a GB number that passes the check-digit rule is still very likely the VAT number.
    for line in lines:
        for gb in re.finditer(r"\bGB\s?(\d{3}\s?\d{4}\s?\d{2})\b", line.text):
            if gb_check_digits_ok(gb.group(1)):
                digits = re.sub(r"\D", "", gb.group(1))
                return "GB" + digits, 0.7, line, gb.start(), gb.end()
    return None


def _next(lines, position):
    if position + 1 < len(lines):
        yield lines[position + 1], 0
