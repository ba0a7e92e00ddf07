"""From OCR pages to fields: each with a confidence and the boxes it was read from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from itertools import product

from capture.ocr.types import OcrPage

from . import amounts as money
from .checks import apply_checks
from .dates import pick_dates
from .lines import find_line_items
from .model import GROSS_LESS_VAT, Extraction, Field, KnownSupplier
from .supplier import match_known, pick_customer, pick_supplier
from .text import TextLine, build_lines
from .vatnumber import find_vat_number

NUMBER_LABELS = [
    (
        re.compile(
            r"\b(invoice|inv|credit\s*note|receipt|rcpt|bill|cash\s*bill?)\s*(no\b\.?|number|num\b|#|ref)",
            re.I,
        ),
        9,
    ),
    (
        re.compile(
            r"\b(document|doc|transaction|trans|txn|ticket|order)\s*(no\b\.?|number|num\b|#|id\b)",
            re.I,
        ),
        6,
    ),
    (re.compile(r"\b(invoice|receipt|credit\s*note)\s*:", re.I), 6),
    (re.compile(r"\b(ref(erence)?|no\b\.?)\s*[:#]", re.I), 3),
]
NOT_NUMBER_LABEL = re.compile(
    r"\b(vat|gst|tax|tel|phone|fax|company|co|reg\w*|account|acct|a/c|sort|card|auth|customer|"
    r"cust|po|purchase\s*order|order|table|member|terminal|tid|mid|merchant)\s*(no|number|#|:)",
    re.I,
)
# OCR reads a colon as a semicolon, and an S as a dollar sign (no document number holds one).
NUMBER_VALUE = re.compile(r"[:;#.\s]*([A-Z0-9$][A-Z0-9$/\-_.]*\d[A-Z0-9$/\-_]*)", re.I)
CARD = re.compile(
    r"(?:[*xX•#]{2,}[\s-]?){1,4}(\d{4})\b|\b(?:ending|ends)\s*(?:in|with)?\s*:?\s*(\d{4})\b", re.I
)
# OCR reads a row of asterisks as any jumble of letters; on a card line the last four digits
# after such a jumble are still the card's.
CARD_LINE = re.compile(
    r"\b(visa|master\s*card|maestro|amex|card|contactless|debit|credit)\b\W*[^\d\s]{0,6}"
    r"(?:\s?[^\d\s]{3,}){1,4}\s?(\d{4})\s*$",
    re.I,
)
CREDIT_NOTE = re.compile(r"\bcredit\s*(note|memo)\b", re.I)
INVOICE_SIGNS = re.compile(
    r"\binvoice\s*(no|number|date|#)|\bdue\s*date|\bbill\s*to\b|\binvoice\s*to\b|payment\s*terms",
    re.I,
)
PAYMENT_WORDS = re.compile(r"cash|change|tender|card|visa|mastercard|paid|payment", re.I)


def extract(
    pages: list[OcrPage],
    known_suppliers: Sequence[KnownSupplier | str] = (),
    layout: dict | None = None,
) -> Extraction:
    hints = layout or {}
    lines = build_lines(pages)
    result = Extraction()
    known = [KnownSupplier(s) if isinstance(s, str) else s for s in known_suppliers]

    _document_type(lines, result)
    _currency(lines, result)
    _amounts(lines, result, hints)
    _dates(lines, result, hints)
    _vat_number(lines, result, hints)
    _supplier(lines, result, known)
    _customer(lines, result)
    _document_number(lines, result, hints)
    _card(lines, result)
    result.lines = find_line_items(lines)
    apply_checks(result)
    return result


def _set(result: Extraction, name: str, value, confidence: float, boxes=(), source=""):
    result.fields[name] = Field(
        value, round(max(0.0, min(1.0, confidence)), 3), list(boxes), source
    )


def _document_type(lines: list[TextLine], result: Extraction) -> None:
    text = "\n".join(line.text for line in lines)
    credit = next((line for line in lines if CREDIT_NOTE.search(line.text)), None)
    if credit:
        _set(result, "document_type", "credit_note", 0.9, credit.boxes(), "credit note title")
        return
    signs = [line for line in lines if INVOICE_SIGNS.search(line.text)]
    if len(signs) >= 2 or (signs and not PAYMENT_WORDS.search(text)):
        _set(result, "document_type", "invoice", 0.8, signs[0].boxes(), "invoice wording")
        return
    _set(result, "document_type", "receipt", 0.6, (), "default")


def _currency(lines: list[TextLine], result: Extraction) -> None:
    found = money.find_currency(lines)
    if found is None:
        # Our bookkeepers are in the UK: an unmarked document is in pounds, but say we guessed.
        _set(result, "currency", "GBP", 0.4, (), "default")
        return
    code, share, hits = found
    boxes = [b for line, m in hits[:3] for b in line.boxes(m.start(), m.end())]
    _set(result, "currency", code, 0.5 + 0.45 * share, boxes, "symbol or code")


def _amounts(lines: list[TextLine], result: Extraction, hints: dict) -> None:
    totals = money.labelled_amounts(
        lines, money.TOTAL_LABELS, money.NOT_TOTAL, hints.get("total_label"), loose=True
    )
    nets = money.labelled_amounts(lines, money.NET_LABELS, None, hints.get("net_label"))
    vats = money.labelled_amounts(lines, money.VAT_LABELS, money.NOT_VAT, hints.get("vat_label"))
    everywhere = [a.value for line in lines for a in money.amounts_in(line)]
    rounding_lines = [line.index for line in lines if money.ROUNDING.search(line.text)]
    roundings = [
        a.value for index in rounding_lines for a in money.amounts_in(lines[index]) if a.value
    ]
    adjustments = {abs(r) for r in roundings}
    totals += _sums_printed_elsewhere(lines, nets, vats, roundings, everywhere)
    summary = _tax_summary_total(lines)
    if summary is not None:
        totals.append(summary)
    paid = _cash_less_change(lines)
    if paid is not None:
        totals.append(paid)
    if not totals:
        # Without a total, a subtotal with nothing added to it is what was paid.
        totals = [money.Labelled(n.amount, n.score - 3, n.label) for n in nets if not vats]
    if not totals:
        totals = _unlabelled_totals(lines)

    def total_score(candidate: money.Labelled) -> float:
        repeats = everywhere.count(candidate.amount.value) - 1
        score = candidate.score + min(repeats, 2) * 0.5
        if (
            paid is not None
            and candidate is not paid
            and candidate.amount.value == paid.amount.value
        ):
            # What the customer handed over less the change agrees: a strong sign.
            score += 3
        # The amount after a rounding adjustment is the one paid.
        if any(
            abs(candidate.amount.value - other.amount.value) in adjustments
            for other in totals
            if other.amount.line.index < candidate.amount.line.index
        ):
            score += 3
        # Likewise a total printed after a rounding line that follows another total.
        position = candidate.amount.line.index
        if any(
            other.amount.line.index < index < position
            for index in rounding_lines
            for other in totals
        ):
            score += 2
        return score

    best = None
    for total, net, vat in product(totals or [None], [None, *nets], [None, *vats]):
        score = total_score(total) if total else 0.0
        score += (net.score * 0.3 if net else 0) + (vat.score * 0.3 if vat else 0)
        if total and net and vat:
            gap = abs(net.amount.value + vat.amount.value - total.amount.value)
            if vat.amount.value > 0 and (gap == 0 or gap in adjustments):
                score += 12
            else:
                score -= 4
        elif total and (net or vat):
            part = (net or vat).amount.value
            if part > total.amount.value or (net and vat is None and part == total.amount.value):
                score -= 2
        key = (score, total.amount.value if total else Decimal(0))
        if best is None or key > best[0]:
            best = (key, total, net, vat)
    if best is None:
        return
    _, total, net, vat = best
    for name, chosen in (("total", total), ("net", net), ("vat", vat)):
        if chosen is None:
            continue
        base = min(0.95, 0.4 + 0.05 * chosen.score)
        source = "layout" if chosen.score >= 20 else f"label: {chosen.label.strip()}"
        _set(
            result,
            name,
            chosen.amount.value,
            base * chosen.amount.conf**0.5,
            chosen.amount.boxes,
            source,
        )
    if total and vat and not net and vat.amount.value < total.amount.value:
        _set(result, "net", total.amount.value - vat.amount.value, 0.6, (), GROSS_LESS_VAT)
    if total and total.score < 20:
        _apply_trailing_rounding(lines, result, total)
        # Rounding printed on its own line (0.00 included); none at all counts as 0.00.
        adjustment_lines = [i for i in rounding_lines if i != total.amount.line.index]
        printed_roundings = [
            a.value for index in adjustment_lines for a in money.amounts_in(lines[index])
        ]
        if not adjustment_lines:
            printed_roundings = [Decimal(0)]
        _repair_misread_total(
            result, total, nets, vats, totals, printed_roundings, everywhere, paid
        )
    _vat_rate(lines, result, vat)
    _vat_rates(lines, result)


def _apply_trailing_rounding(lines: list[TextLine], result: Extraction, total) -> None:
    """A rounding adjustment printed after the total, with no rounded total under it."""
    for line in lines[total.amount.line.index + 1 : total.amount.line.index + 4]:
        if not money.ROUNDING.search(line.text):
            continue
        adjustment = next((a.value for a in money.amounts_in(line) if a.value), None)
        if adjustment is None or abs(adjustment) >= Decimal("0.10"):
            return
        field = result.fields["total"]
        field.value = total.amount.value + adjustment
        field.source += ", then rounding"
        field.boxes = field.boxes + line.boxes()
        return


def _repair_misread_total(result, total, nets, vats, totals, roundings, everywhere, paid) -> None:
    """Prefer the sum of well-read parts to a doubtfully read total that differs by one digit.

    OCR misreads a faint digit (5 as 6, 1 as 7) and says it is unsure. When net + VAT (+ any
    rounding), or another printed total plus the rounding, comes to an amount that differs from
    the chosen total in one digit only, and every part was read more surely than the total, or
    the net and VAT agree with each other at a standard rate, the total is the misread one. The
    field says so in its source.
    """
    printed = total.amount
    # A total printed twice, or equal to the cash handed over less the change, was read right.
    if everywhere.count(printed.value) > 1 or (paid and paid.amount.value == printed.value):
        return
    # Net + VAT with the printed rounding, then without; an earlier total only with the rounding.
    parts_sets = [
        ([net.amount, vat.amount], r)
        for net in nets
        for vat in vats
        if vat.amount.value > 0
        for r in (*roundings, Decimal(0))
    ]
    parts_sets += [
        ([other.amount], r)
        for other in totals
        for r in roundings
        if other.amount.line.index < printed.line.index and other.amount.value != printed.value
    ]
    for parts, rounding in parts_sets:
        value = sum((p.value for p in parts), Decimal(0)) + rounding
        if value <= 0 or not _one_digit_apart(value, printed.value):
            continue
        surest_doubt = min(p.conf for p in parts)
        if surest_doubt < printed.conf + MISREAD_MARGIN and not _agree_at_a_rate(parts):
            continue
        field = result.fields["total"]
        field.value = value
        field.confidence = round(min(field.confidence, 0.6), 3)
        field.source = f"sum of the parts (read as {printed.value})"
        result.misread["total"] = printed.value
        field.boxes = [b for p in parts for b in p.boxes]
        if len(parts) == 2:
            for name, part in (("net", parts[0]), ("vat", parts[1])):
                confidence = min(0.9, part.conf)
                _set(result, name, part.value, confidence, part.boxes, "sum of the parts")
        return


# How much surer of every part than of the total the reading must be to correct the total.
MISREAD_MARGIN = 0.08
# VAT and GST rates a VAT or GST amount is checked against when no rate is printed.
STANDARD_RATES = (Decimal(20), Decimal(5), Decimal(6), Decimal(0))


def _agree_at_a_rate(parts) -> bool:
    """A net and a VAT that agree with each other: the VAT is a standard rate of the net."""
    if len(parts) != 2 or parts[1].value <= 0:
        return False
    net, vat = parts[0].value, parts[1].value
    return any(rate and abs(net * rate / 100 - vat) <= Decimal("0.01") for rate in STANDARD_RATES)


def _one_digit_apart(a: Decimal, b: Decimal) -> bool:
    left, right = f"{a:.2f}", f"{b:.2f}"
    return len(left) == len(right) and sum(x != y for x, y in zip(left, right, strict=True)) == 1


def _sums_printed_elsewhere(lines, nets, vats, roundings, everywhere) -> list[money.Labelled]:
    """Net plus tax (plus any rounding) when that sum is printed somewhere, e.g. as paid."""
    found = []
    for net in nets:
        for vat in vats:
            if vat.amount.value <= 0:
                continue
            for rounding in (Decimal(0), *roundings):
                value = net.amount.value + vat.amount.value + rounding
                if value <= 0 or value not in everywhere:
                    continue
                for line in lines:
                    for amount in money.amounts_in(line):
                        if amount.value == value and amount.line is not net.amount.line:
                            found.append(money.Labelled(amount, 7.0, "net plus tax"))
                            break
                    else:
                        continue
                    break
    return found


TAX_SUMMARY = re.compile(r"\b(vat|gst|tax)\b.{0,12}\b(summary|analysis|breakdown)\b", re.I)
# A service charge or tip has its own row and rate in some summaries, but is no tax.
NOT_TAX_ROW = re.compile(r"servi|svc|charge|\btips?\b|gratuity", re.I)


# A summary's rows follow its heading within this many lines.
SUMMARY_ROWS = 6


def _tax_summary_rows(lines: list[TextLine]):
    """(heading, rows) of each VAT or GST summary; a row is (line, its rate, the amounts after
    the rate) and has a rate and at least two amounts; service-charge rows are left out."""
    for position, line in enumerate(lines):
        if not TAX_SUMMARY.search(line.text):
            continue
        rows = []
        for row in lines[position + 1 : position + 1 + SUMMARY_ROWS]:
            rate = money.RATE.search(row.text)
            if rate is None or NOT_TAX_ROW.search(row.text):
                continue
            values = [a.value for a in money.amounts_in(row, rate.end())]
            if len(values) >= 2:
                rows.append((row, money.printed_rate(rate), values))
        yield line, rows


def _tax_summary_total(lines: list[TextLine]) -> money.Labelled | None:
    """Net plus tax over the rows of a VAT or GST summary, each row checked by its own rate.

    "SR 6% 165.00 9.90" only counts when 9.90 is 6% of 165.00: a row that does not add up was
    misread, and then the summary says nothing.
    """
    for heading, rows in _tax_summary_rows(lines):
        total = Decimal(0)
        for _, rate, values in rows:
            # Net and tax, or net, tax and their sum ("S 20% 100.00 20.00 120.00").
            net, tax = values[-3:-1] if len(values) >= 3 else values[-2:]
            if len(values) >= 3 and net + tax != values[-1]:
                net, tax = values[-2:]
            expected = net * rate / 100
            if abs(expected - tax) > max(Decimal("0.02"), expected * Decimal("0.01")):
                return None
            total += net + tax
        if rows and total > 0:
            anchor = money.Amount(total, heading, 0, len(heading.text))
            return money.Labelled(anchor, 6.5, "tax summary")
    return None


def _vat_rates(lines: list[TextLine], result: Extraction) -> None:
    """Every rate VAT is charged at, when there is more than one ("VAT @ 20%", "VAT @ 5%", or
    the rows of a VAT summary): a person must then check each line's rate."""
    rates: dict[Decimal, TextLine] = {}
    in_summary: set[int] = set()
    for _, rows in _tax_summary_rows(lines):
        for row, rate, values in rows:
            in_summary.add(row.index)
            if values[0] > 0:
                rates.setdefault(rate, row)
    for line in lines:
        rate = money.RATE.search(line.text)
        if (
            rate is None
            or line.index in in_summary
            or NOT_TAX_ROW.search(line.text)
            or not money.VAT_WORD.search(line.text)
            or money.NOT_VAT.search(line.text)
        ):
            continue
        if any(a.value > 0 for a in money.amounts_in(line, rate.end())):
            rates.setdefault(money.printed_rate(rate), line)
    rates = {rate: line for rate, line in rates.items() if rate <= money.HIGHEST_RATE}
    if len(rates) > 1:
        ordered = sorted(rates, reverse=True)
        boxes = [b for r in ordered for b in rates[r].boxes()]
        _set(result, "vat_rates", ordered, 0.8, boxes, "VAT at more than one rate")


def _cash_less_change(lines: list[TextLine]) -> money.Labelled | None:
    """Cash tendered less change given, when both are printed."""
    tendered = change = None
    for line in lines:
        values = money.amounts_in(line)
        if not values:
            continue
        if money.CHANGE.search(line.text):
            change = change or values[-1]
        elif money.TENDERED.search(line.text):
            tendered = tendered or values[-1]
    if tendered is None or change is None or change.value < 0:
        return None
    value = tendered.value - change.value
    if value <= 0:
        return None
    amount = money.Amount(value, tendered.line, tendered.start, tendered.end)
    # Below a printed total: change is often rounded, so this is a check more than a source.
    return money.Labelled(amount, 5.0, "cash less change")


def _unlabelled_totals(lines: list[TextLine]) -> list[money.Labelled]:
    """No total label was read: the largest amount not on a cash or change line."""
    found = []
    for line in lines:
        if re.search(r"cash|change|tender|refund", line.text, re.I):
            continue
        for amount in money.amounts_in(line):
            if amount.value > 0:
                found.append(money.Labelled(amount, 1.0, "largest amount"))
    found.sort(key=lambda c: c.amount.value)
    return found[-1:]


def _vat_rate(lines: list[TextLine], result: Extraction, vat) -> None:
    search = [vat.amount.line] if vat else []
    search += [line for line in lines if money.VAT_WORD.search(line.text)]
    for line in search:
        rate = money.RATE.search(line.text)
        if rate:
            value = money.printed_rate(rate)
            if value <= money.HIGHEST_RATE:
                _set(
                    result,
                    "vat_rate",
                    value,
                    0.8 * line.span_conf(rate.start(), rate.end()) ** 0.5,
                    line.boxes(rate.start(), rate.end()),
                    "printed rate",
                )
                return
    net, vat_value = result.value("net"), result.value("vat")
    if net and vat_value:
        implied = (vat_value / net * 100).quantize(Decimal("0.1"))
        for standard in STANDARD_RATES:
            if abs(implied - standard) <= Decimal("0.3"):
                _set(result, "vat_rate", standard, 0.5, (), "implied by net and VAT")
                return


def _dates(lines: list[TextLine], result: Extraction, hints: dict) -> None:
    orders = tuple(hints.get("date_orders", ()))
    issued, due = pick_dates(lines, orders, hints.get("date_label"))
    for name, pick in (("date", issued), ("due_date", due)):
        if pick:
            found = pick.date
            _set(
                result,
                name,
                found.value,
                pick.confidence,
                found.line.boxes(found.start, found.end),
                pick.source,
            )


def _vat_number(lines: list[TextLine], result: Extraction, hints: dict) -> None:
    found = find_vat_number(lines, hints.get("vat_number_label"))
    if found:
        value, confidence, line, start, end = found
        _set(result, "supplier_vat_number", value, confidence, line.boxes(start, end), "labelled")


def _supplier(lines: list[TextLine], result: Extraction, known: list[KnownSupplier]) -> None:
    pick = match_known(lines, known, result.value("supplier_vat_number"))
    if pick is None:
        pick = pick_supplier(lines)
    if pick:
        boxes = [b for line in pick.lines for b in line.boxes()]
        _set(result, "supplier_name", pick.name, pick.confidence, boxes, pick.source)


def _customer(lines: list[TextLine], result: Extraction) -> None:
    pick = pick_customer(lines)
    if pick:
        boxes = [b for line in pick.lines for b in line.boxes()]
        _set(result, "customer_name", pick.name, pick.confidence, boxes, pick.source)


def _document_number(lines: list[TextLine], result: Extraction, hints: dict) -> None:
    pattern = hints.get("number_pattern")
    if pattern:
        compiled = re.compile(rf"(?<![\w/-]){pattern}(?![\w/-])")
        label = (hints.get("number_label") or "").lower()
        # The learnt label's line first: a bare digit pattern also fits phone numbers.
        ordered = sorted(lines, key=lambda line: not (label and label in line.text.lower()))
        for line in ordered:
            found = compiled.search(line.text)
            if found:
                _set(
                    result,
                    "document_number",
                    found.group(0),
                    0.9,
                    line.boxes(found.start(), found.end()),
                    "layout",
                )
                return
    best = None
    for position, line in enumerate(lines):
        for label, score in NUMBER_LABELS:
            match = label.search(line.text)
            if not match or NOT_NUMBER_LABEL.search(line.text[: match.end() + 2]):
                continue
            value = NUMBER_VALUE.match(line.text, match.end())
            target = line
            if not value and position + 1 < len(lines):
                target = lines[position + 1]
                value = NUMBER_VALUE.match(target.text)
            if value and (best is None or score > best[0]):
                best = (score, target, value.start(1), value.end(1), value.group(1))
            break
    if best:
        score, line, start, end, text = best
        text = text.rstrip(".-/").replace("$", "S")
        _set(
            result,
            "document_number",
            text,
            (0.4 + 0.05 * score) * line.span_conf(start, end) ** 0.5,
            line.boxes(start, end),
            "labelled",
        )


def _card(lines: list[TextLine], result: Extraction) -> None:
    for line in lines:
        found = CARD.search(line.text) or CARD_LINE.search(line.text)
        if found:
            digits = found.group(found.lastindex or 1)
            _set(
                result,
                "card_last_four",
                digits,
                0.85 * line.span_conf(*found.span()) ** 0.5,
                line.boxes(*found.span()),
                "masked card number",
            )
            return
