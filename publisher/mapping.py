"""Coding a document with its KashFlow records after extraction.

This is the pipeline's single entry point; matching, rules and suggestions live behind it.
"""

import re
from dataclasses import dataclass, field

from capture.models import Document, Kind
from kashflow.models import Customer, Supplier

_LEGAL = re.compile(r"\b(LIMITED|LTD|PLC|LLP|CO|COMPANY|THE|AND|&)\b")


def normalise_name(name: str) -> str:
    """Upper case, no punctuation, no legal suffixes: "Acme Ltd." and "ACME LIMITED" agree."""
    text = re.sub(r"[^\w&]+", " ", (name or "").upper())
    return " ".join(_LEGAL.sub(" ", text).split())


@dataclass
class MappingOutcome:
    problems: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


def apply_mapping(document: Document) -> MappingOutcome:
    outcome = MappingOutcome()
    if document.kind == Kind.SALE:
        if document.customer_id is None:
            document.customer = _match(Customer, document)
        if document.customer_id is None:
            outcome.problems.append("Customer not found in KashFlow: choose one.")
    elif document.kind == Kind.COST:
        if document.supplier_id is None:
            document.supplier = _match(Supplier, document)
        if document.supplier_id is None:
            outcome.problems.append("Supplier not found in KashFlow: choose one or create it.")
    if not document.totals_agree():
        outcome.problems.append("Net plus VAT does not equal the gross total.")
    document.save()
    return outcome


def _match(model, document: Document):
    records = model.objects.active().filter(business=document.business)
    vat = re.sub(r"\W", "", document.supplier_vat_number or "").upper()
    if vat:
        found = records.filter(vat_number__iexact=vat).first()
        if found:
            return found
    key = normalise_name(document.supplier_name)
    return records.filter(normalised_name=key).first() if key else None


def auto_publish_if_allowed(document: Document) -> bool:
    return False
