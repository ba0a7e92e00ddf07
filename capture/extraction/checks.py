"""Amounts that must agree with one another, and what to say when they do not."""

from __future__ import annotations

from decimal import Decimal

from .model import GROSS_LESS_VAT, Check, Extraction

PENNY = Decimal("0.01")
# Each line may be rounded on its own, so a sum of lines can drift by a penny a line.
LINE_TOLERANCE = Decimal("0.02")


def run_checks(result: Extraction) -> list[Check]:
    checks: list[Check] = []
    net, vat, total = (result.value(n) for n in ("net", "vat", "total"))
    rate = result.value("vat_rate")
    # Another reading's field keeps its source and adds where it came from: match the start.
    derived = getattr(result.fields.get("net"), "source", "").startswith(GROSS_LESS_VAT)
    if vat and total is not None and abs(vat) >= abs(total):
        checks.append(
            Check(
                "vat_below_total",
                False,
                f"The VAT {vat} is not less than the total {total}: one of them is misread.",
            )
        )
    if net is not None and vat is not None and total is not None and not derived:
        ok = abs(net + vat - total) <= PENNY
        checks.append(
            Check(
                "net_plus_vat_is_gross",
                ok,
                "Net plus VAT equals the gross total."
                if ok
                else f"Net {net} plus VAT {vat} is {net + vat}, not the gross total {total}.",
            )
        )
    if "total" in result.misread:
        # Extraction corrected a doubtful reading: a person should glance at it.
        message = f"The total was read as {result.misread['total']}; its parts add up to {total}."
        checks.append(Check("total_read_clearly", False, message))
    rates = result.value("vat_rates")
    if rates:
        shown = " and ".join(f"{r}%" for r in rates)
        message = f"VAT is charged at {shown}: check each line's rate before publishing."
        checks.append(Check("one_vat_rate", False, message))
    line_nets = [line.net for line in result.lines if line.net is not None]
    if line_nets and (net is not None or total is not None):
        summed = sum(line_nets, Decimal(0))
        tolerance = max(LINE_TOLERANCE, PENNY * len(line_nets))
        ok = any(v is not None and abs(summed - v) <= tolerance for v in (net, total))
        line_vat = sum((line.vat for line in result.lines if line.vat is not None), Decimal(0))
        if not ok and total is not None and line_vat:
            ok = abs(summed + line_vat - total) <= tolerance
        checks.append(
            Check(
                "lines_sum_to_total",
                ok,
                "The lines add up to the total."
                if ok
                else f"The lines add up to {summed}, which matches neither the net nor the gross.",
            )
        )
    # At several rates no one rate explains the VAT: the check above stands in for this one.
    if rate is not None and net is not None and vat is not None and net and not rates:
        expected = (net * rate / 100).quantize(PENNY)
        tolerance = max(Decimal("0.02"), abs(expected) * Decimal("0.005"))
        ok = abs(expected - vat) <= tolerance
        checks.append(
            Check(
                "vat_matches_rate",
                ok,
                f"VAT is {rate}% of the net."
                if ok
                else f"VAT {vat} is not {rate}% of the net {net} (that would be {expected}).",
            )
        )
    return checks


# Which fields a failed check casts doubt on.
INVOLVED = {
    "net_plus_vat_is_gross": ("net", "vat", "total"),
    "vat_below_total": ("vat", "total"),
    "lines_sum_to_total": ("net", "total"),
    "vat_matches_rate": ("vat", "vat_rate"),
    "total_read_clearly": ("total",),
    "one_vat_rate": ("vat_rate",),
}


def apply_checks(result: Extraction) -> None:
    result.checks = run_checks(result)
    for check in result.checks:
        for name in INVOLVED[check.name]:
            found = result.fields.get(name)
            if found is None:
                continue
            if check.ok:
                found.confidence = min(0.99, found.confidence + (1 - found.confidence) * 0.5)
            else:
                found.confidence *= 0.6
