"""Code a document the moment extraction ends: match its party, apply the party's rule, suggest
what the rule leaves open, and look for a duplicate.

The pipeline calls ``apply_mapping(document)`` and decides ready or needs attention from the
problems it returns. Every field it fills carries a reason, kept in
``document.extraction["mapping"]`` so the review page can say why each value is there.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from capture.models import Document, Kind, State
from capture.states import record_event
from kashflow.models import Currency, NominalCode, Project, VatRate
from publisher.duplicates import duplicate_problem, flag_if_duplicate
from publisher.matching import match_customer, match_supplier
from publisher.rule_models import DOCUMENT_CODING, RULE_CODING, CustomerRule, SupplierRule

# Documents a reviewer has approved: their coding is what the business really uses.
APPROVED_STATES = (State.PUBLISHING, State.PUBLISHED, State.PUBLISH_FAILED)
HISTORY_DEPTH = 20
SUGGESTED = ("nominal_code", "vat_rate", "project")

# Words printed on a receipt, and the words in a nominal code's name they point to, best first.
KEYWORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("fuel", "petrol", "diesel", "unleaded"), ("fuel", "motor expenses", "motor")),
    (("parking", "mot", "tyres"), ("motor", "travel")),
    (("hotel", "accommodation", "lodge"), ("hotel", "subsistence", "travel")),
    (
        ("train", "rail", "railway", "taxi", "flight", "airline", "bus", "tube", "uber"),
        ("travel",),
    ),
    (
        ("restaurant", "meal", "lunch", "dinner", "cafe", "coffee"),
        ("subsistence", "refreshments", "entertainment"),
    ),
    (("stationery", "paper", "pens", "toner", "envelopes"), ("stationery", "printing")),
    (("phone", "mobile", "broadband", "telephone"), ("telephone", "internet")),
    (("software", "subscription", "licence", "hosting"), ("software", "computer", "internet")),
    (("postage", "stamps", "courier", "parcel"), ("postage", "carriage")),
    (("insurance",), ("insurance",)),
    (("electricity",), ("electricity", "light and heat", "utilities")),
    (("gas",), ("gas", "light and heat", "utilities")),
    (("advertising", "advert"), ("advertising",)),
)


@dataclass
class MappingOutcome:
    problems: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


def rule_for(document: Document) -> SupplierRule | CustomerRule | None:
    if document.kind == Kind.SALE:
        if document.customer_id is None:
            return None
        return CustomerRule.objects.filter(customer_id=document.customer_id).first()
    if document.supplier_id is None:
        return None
    return SupplierRule.objects.filter(supplier_id=document.supplier_id).first()


# --- the party -------------------------------------------------------------------------------


def _match_party(document: Document, outcome: MappingOutcome) -> bool:
    """Set the supplier (customer on sales); True when it could not, with a problem saying why."""
    is_sale = document.kind == Kind.SALE
    noun = "customer" if is_sale else "supplier"
    current = document.customer if is_sale else document.supplier
    if current is not None and current.active:
        return False  # a reviewer's choice (or an earlier run's) stands
    if document.kind == Kind.EXPENSE and document.claimant:
        return False  # published against the claimant's own supplier record, made at publish time
    if is_sale:
        # Capture put the "Bill to" name on a sale; a VAT number there would be the business's
        # own, printed in its letterhead, so it says nothing about the customer.
        match = match_customer(document.business, document.supplier_name, "")
    else:
        match = match_supplier(
            document.business, document.supplier_name, document.supplier_vat_number
        )
    document.extraction["match"] = {
        "score": match.score,
        "reason": match.reason,
        "candidates": [
            {"id": c.record.pk, "name": c.record.name, "score": c.score} for c in match.candidates
        ],
    }
    setattr(document, noun, match.record)
    if match.record is not None:
        outcome.reasons[noun] = match.reason
        return False
    outcome.problems.append(f"{match.reason} Choose the KashFlow {noun} or create it.")
    return True


# --- the rule ----------------------------------------------------------------------------------


def _apply_rule(document: Document, rule, outcome: MappingOutcome) -> None:
    because = f"The rule for {rule.party.name}."
    for name in RULE_CODING:
        value = getattr(rule, name)
        if value is None or getattr(document, f"{name}_id") is not None:
            continue
        if not value.active:
            label = name.replace("_", " ")
            outcome.problems.append(
                f"The rule for {rule.party.name} uses the {label} {value}, which is no longer "
                f"in KashFlow. Choose another and update the rule."
            )
            continue
        setattr(document, name, value)
        outcome.reasons[name] = because
    if rule.description and not document.description:
        document.description = rule.description
        outcome.reasons["description"] = because
    if rule.paid is not None:
        document.paid = rule.paid
        outcome.reasons["paid"] = because
    if rule.due_days is not None and document.document_date and not document.due_date:
        document.due_date = document.document_date + timedelta(days=rule.due_days)
        outcome.reasons["due_date"] = (
            f"{rule.due_days} days' terms in the rule for {rule.party.name}."
        )
    read = document.extraction.get("fields", {}).get("currency", {}).get("value")
    if rule.currency is not None and rule.currency.active and not read:
        document.currency = rule.currency.code
        outcome.reasons["currency"] = because
    if not rule.capture_lines and document.lines:
        # Kept in extraction["lines"]; the publisher then posts one line for the totals.
        document.lines = []
        outcome.reasons["lines"] = f"Line items are off in the rule for {rule.party.name}."


# --- suggestions -------------------------------------------------------------------------------


def _suggest_from_history(document: Document, outcome: MappingOutcome) -> None:
    is_sale = document.kind == Kind.SALE
    party = document.customer if is_sale else document.supplier
    if party is None:
        return
    past = list(
        Document.objects.filter(
            business_id=document.business_id,
            state__in=APPROVED_STATES,
            **{"customer" if is_sale else "supplier": party},
        )
        .exclude(pk=document.pk)
        .order_by("-document_date", "-created")
        .values("nominal_code", "vat_rate", "project")[:HISTORY_DEPTH]
    )
    if not past:
        return
    models = {"nominal_code": NominalCode, "vat_rate": VatRate, "project": Project}
    for name in SUGGESTED:
        if getattr(document, f"{name}_id") is not None:
            continue
        used = [row[name] for row in past if row[name] is not None]
        if not used:
            continue
        # Counter keeps first-seen order among equals, and ``past`` is newest first: a tie goes
        # to the most recent coding.
        pk, times = Counter(used).most_common(1)[0]
        record = models[name].objects.active().filter(pk=pk).first()
        if record is None:
            continue
        setattr(document, name, record)
        outcome.reasons[name] = (
            f"Used on {times} of the last {len(past)} approved documents from {party.name}."
        )


def document_words(document: Document) -> str:
    """Everything printed on the document that words can be looked for in, lower case."""
    parts = [document.supplier_name, document.description]
    parts += [str(line.get("description", "")) for line in document.lines if isinstance(line, dict)]
    for page in document.ocr.get("pages", []) if isinstance(document.ocr, dict) else []:
        for word in page.get("words", []):
            parts.append(str(word.get("text", "")) if isinstance(word, dict) else str(word))
    return " ".join(p for p in parts if p).lower()


def _suggest_from_words(document: Document, outcome: MappingOutcome) -> None:
    text = document_words(document)
    words = set(re.findall(r"[a-z0-9]+", text))
    if document.project_id is None:
        for project in Project.objects.active().filter(business_id=document.business_id):
            name = project.name.strip().lower()
            if len(name) >= 3 and re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text):
                document.project = project
                outcome.reasons["project"] = f"“{project.name}” is printed on the document."
                break
    # The words name costs (fuel, postage, hotels): on a sales invoice they describe what was
    # sold, and a cost code there would put the income in the wrong side of the books.
    if document.nominal_code_id is None and document.kind != Kind.SALE:
        chart = list(NominalCode.objects.active().filter(business_id=document.business_id))
        for keywords, targets in KEYWORDS:
            found = next((k for k in keywords if k in words), None)
            if found is None:
                continue
            for target in targets:
                hits = [n for n in chart if target in n.name.lower()]
                if hits:
                    document.nominal_code = min(hits, key=lambda n: n.code)
                    outcome.reasons["nominal_code"] = (
                        f"“{found}” is on the document, and {document.nominal_code} is the "
                        f"nominal code for that."
                    )
                    return


def _suggest_vat_rate_from_amounts(document: Document, outcome: MappingOutcome) -> None:
    if document.vat_rate_id is not None or not document.net or document.vat is None:
        return
    percent = document.vat / document.net * 100
    rates = VatRate.objects.active().filter(business_id=document.business_id, rate__gte=0)
    near = sorted(rates, key=lambda r: abs(r.rate - percent))
    if near and abs(near[0].rate - percent) <= Decimal("0.6"):
        document.vat_rate = near[0]
        outcome.reasons["vat_rate"] = (
            f"{document.vat:.2f} VAT on {document.net:.2f} net is {near[0].rate.normalize():f}%."
        )


# --- the whole step ---------------------------------------------------------------------------

SAVED_FIELDS = [
    *DOCUMENT_CODING,
    "paid",
    "due_date",
    "currency",
    "description",
    "lines",
    "extraction",
    "updated",
]


def apply_mapping(document: Document) -> MappingOutcome:
    """Match, apply the rule or suggestions, check for a duplicate, and save the coding.

    Fields already chosen (by a reviewer, or by an earlier run) are never overwritten. The
    problems are everything still stopping publication, in words, mapping's own first.
    """
    outcome = MappingOutcome()
    document.extraction = dict(document.extraction or {})
    explained_party = _match_party(document, outcome)
    rule = rule_for(document)
    if rule is not None:
        _apply_rule(document, rule, outcome)
    _suggest_from_history(document, outcome)
    _suggest_from_words(document, outcome)
    _suggest_vat_rate_from_amounts(document, outcome)
    earlier = flag_if_duplicate(document)
    if earlier is not None:
        outcome.problems.append(duplicate_problem(earlier))

    for problem in document.publish_problems():
        # Matching has already said which party is missing, and why, in more words.
        if explained_party and problem.startswith("Choose the KashFlow"):
            continue
        outcome.problems.append(problem)
    document.extraction["mapping"] = outcome.reasons
    with transaction.atomic():
        document.save(update_fields=SAVED_FIELDS)
        record_event(
            document,
            "mapping",
            message=" ".join(f"{_field_label(k)}: {v}" for k, v in outcome.reasons.items()),
            data={"reasons": outcome.reasons, "problems": outcome.problems},
        )
    return outcome


def _field_label(name: str) -> str:
    """ "vat_rate" as a reviewer reads it in the history: "VAT rate"."""
    return name.replace("_", " ").capitalize().replace("Vat", "VAT")


def remember_rule(document: Document, user) -> SupplierRule | CustomerRule:
    """Make (or update) the party's rule from the coding the reviewer chose on ``document``.

    The switches that are not on a document (line items, auto-publish) keep their rule values.
    """
    if document.kind == Kind.SALE:
        if document.customer_id is None:
            raise ValueError("Choose the KashFlow customer before remembering a rule.")
        model, party = CustomerRule, {"customer_id": document.customer_id}
    else:
        if document.supplier_id is None:
            raise ValueError("Choose the KashFlow supplier before remembering a rule.")
        model, party = SupplierRule, {"supplier_id": document.supplier_id}
    due_days = None
    if document.due_date and document.document_date and document.due_date >= document.document_date:
        due_days = (document.due_date - document.document_date).days
    currency = (
        Currency.objects.active()
        .filter(business_id=document.business_id, code=document.currency)
        .first()
    )
    values = {
        "business_id": document.business_id,
        "nominal_code_id": document.nominal_code_id,
        "vat_rate_id": document.vat_rate_id,
        "project_id": document.project_id,
        "description": document.description,
        "payment_method_id": document.payment_method_id,
        "bank_account_id": document.bank_account_id,
        "paid": document.paid,
        "due_days": due_days,
        "currency": currency,
        "updated_by": user,
    }
    with transaction.atomic():
        rule, _ = model.objects.update_or_create(**party, defaults=values)
        record_event(
            document,
            "note",
            actor=user,
            message=f"Remembered the coding as the rule for {rule.party.name}.",
            data={"rule": rule.pk},
        )
    return rule
