"""Whether a document may go to KashFlow without a person looking at it.

Only when the party's rule says so and every check passes; the first check that fails is the
reason the document waits in the review queue.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from capture.models import Document, Kind, State
from capture.states import TransitionRefused, record_event
from publisher.duplicates import describe, find_suspected_duplicate, suspected_of
from publisher.rule_models import RULE_CODING
from publisher.rules import rule_for

PENNY = Decimal("0.01")


def vat_problem(document: Document) -> str:
    """Why the VAT amount does not fit the chosen rate; empty when it does."""
    rate = document.vat_rate
    if rate is None:
        return "No VAT rate is chosen."
    if document.net is None or document.vat is None:
        return "The net or VAT amount was not read, so the VAT cannot be checked."
    if rate.rate <= 0:
        if document.vat != 0:
            return f"VAT of {document.vat:.2f} is charged, but the rate is {rate.name}."
        return ""
    expected = (document.net * rate.rate / 100).quantize(PENNY)
    # Each line's VAT is rounded on its own, so the total may drift a penny per line.
    tolerance = PENNY * max(1, len(document.lines))
    if abs(expected - document.vat) > tolerance:
        return (
            f"VAT of {document.vat:.2f} does not match {rate.rate.normalize():f}% of "
            f"{document.net:.2f} ({expected:.2f})."
        )
    return ""


def should_auto_publish(document: Document) -> tuple[bool, str]:
    is_sale = document.kind == Kind.SALE
    noun = "customer" if is_sale else "supplier"
    party = document.customer if is_sale else document.supplier
    if party is None or not party.active:
        return False, f"The {noun} is not matched to a KashFlow {noun}."
    rule = rule_for(document)
    if rule is None or not rule.auto_publish:
        return False, f"The rule for {party.name} does not allow auto-publishing."
    problems = document.publish_problems()
    if problems:
        return False, problems[0]
    if not document.totals_agree():
        return False, "Net plus VAT does not equal the gross total."
    for name in RULE_CODING:
        chosen = getattr(document, name)
        if chosen is not None and not chosen.active:
            return False, f"The {name.replace('_', ' ')} {chosen} is no longer in KashFlow."
    problem = vat_problem(document)
    if problem:
        return False, problem
    earlier = suspected_of(document) or find_suspected_duplicate(document)
    if earlier is not None:
        return False, f"It may be a duplicate of {describe(earlier)}."
    confidence = document.extraction.get("confidence")
    threshold = document.business.auto_publish_threshold
    if confidence is None:
        return False, "The reading of the document has no confidence score."
    if Decimal(str(confidence)) < threshold:
        return False, (
            f"The reading is {float(confidence):.0%} certain, below this business's "
            f"{float(threshold):.0%} for auto-publishing."
        )
    return True, f"The rule for {party.name} allows it and every check passed."


def auto_publish_if_allowed(document: Document) -> bool:
    """Approve ``document`` on the rule's behalf when ``should_auto_publish`` allows it.

    Called by the pipeline once the document is ready. Either way the verdict is kept in
    ``document.extraction["auto_publish"]`` so the review queue can say why a document waits.
    """
    from publisher.actions import do_approve

    if document.state != State.READY:
        return False
    allowed, reason = should_auto_publish(document)
    if allowed and not document.business.is_connected():
        allowed, reason = False, "This business is not connected to KashFlow."
    document.extraction = {
        **document.extraction,
        "auto_publish": {"allowed": allowed, "reason": reason},
    }
    with transaction.atomic():
        document.save(update_fields=["extraction", "updated"])
        if not allowed:
            record_event(document, "note", message=f"Waiting for review: {reason}")
            return False
        try:
            do_approve(document, None)
        except TransitionRefused:
            return False  # a reviewer acted first; theirs is the decision
    return True
