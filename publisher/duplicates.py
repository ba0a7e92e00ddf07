"""Duplicates the file hash cannot see: the same bill scanned twice, photographed and e-mailed.

A document is suspected when an earlier one in the business (not rejected) has the same party,
date and gross, and the same number, except for till receipts, whose numbers are often missing or
misread. The reviewer then keeps it, rejects it, or merges it into the earlier one.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from capture.models import Document, Kind, State
from capture.states import record_event, transition
from publisher.rule_models import DOCUMENT_CODING

# Copied from a merged duplicate onto the earlier document where the earlier one has nothing.
MERGE_FIELDS = (
    "document_number",
    "due_date",
    "supplier_vat_number",
    "description",
    "card_last_four",
    "net",
    "vat",
    *DOCUMENT_CODING,
    "lines",
)


def find_suspected_duplicate(document: Document) -> Document | None:
    if document.total is None or document.document_date is None:
        return None
    earlier = (
        Document.objects.filter(
            business_id=document.business_id,
            total=document.total,
            document_date=document.document_date,
            pk__lt=document.pk,
        )
        .exclude(state=State.REJECTED)
        .exclude(pk=document.extraction.get("duplicate_kept_over"))
    )
    name = document.supplier_name.strip()
    if document.kind == Kind.SALE and document.customer_id:
        party = Q(customer_id=document.customer_id)
    elif document.kind != Kind.SALE and document.supplier_id:
        party = Q(supplier_id=document.supplier_id)
    else:
        party = Q()
    # An earlier copy may never have been matched: its printed name still counts.
    if name:
        party |= Q(supplier_name__iexact=name)
    if not party:
        return None
    earlier = earlier.filter(party)
    if document.document_type != "receipt" and document.document_number.strip():
        earlier = earlier.filter(document_number__iexact=document.document_number.strip())
    return earlier.order_by("pk").first()


def describe(document: Document) -> str:
    parts = [document.party_name or "unknown supplier"]
    if document.document_number:
        parts.append(document.document_number)
    if document.document_date:
        parts.append(document.document_date.strftime("%-d %b %Y"))
    if document.total is not None:
        parts.append(f"{document.currency} {document.total:,.2f}")
    return f"document #{document.pk} ({', '.join(parts)})"


def duplicate_problem(earlier: Document) -> str:
    return f"This looks like a duplicate of {describe(earlier)}."


def suspected_of(document: Document) -> Document | None:
    pk = document.extraction.get("suspected_duplicate_of")
    if not pk:
        return None
    return Document.objects.filter(pk=pk, business_id=document.business_id).first()


def flag_if_duplicate(document: Document) -> Document | None:
    """Record the suspicion on the document (not saved here); returns the earlier document."""
    earlier = find_suspected_duplicate(document)
    if earlier is None:
        document.extraction.pop("suspected_duplicate_of", None)
    else:
        document.extraction["suspected_duplicate_of"] = earlier.pk
    return earlier


def do_keep(document: Document, user) -> None:
    """Not a duplicate after all: clear the flag and never suspect the same pair again."""
    earlier_pk = document.extraction.pop("suspected_duplicate_of", None)
    document.extraction["duplicate_kept_over"] = earlier_pk
    with transaction.atomic():
        document.save(update_fields=["extraction", "updated"])
        record_event(
            document, "note", actor=user, message="Kept: not a duplicate.", data={"of": earlier_pk}
        )


def do_reject(document: Document, earlier: Document, user) -> None:
    transition(
        document,
        State.REJECTED,
        actor=user,
        reason=f"Duplicate of {describe(earlier)}.",
        data={"duplicate_of": earlier.pk},
    )


def do_merge(document: Document, earlier: Document, user) -> list[str]:
    """Reject ``document`` as a copy of ``earlier``, giving ``earlier`` whatever it lacks.

    A published document is what KashFlow holds; it is linked but not changed. Returns the
    names of the fields copied.
    """
    copied = []
    with transaction.atomic():
        do_reject(document, earlier, user)
        if earlier.state not in (State.PUBLISHED, State.PUBLISHING):
            for name in MERGE_FIELDS:
                attname = Document._meta.get_field(name).attname
                mine, theirs = getattr(document, attname), getattr(earlier, attname)
                if theirs in (None, "", []) and mine not in (None, "", []):
                    setattr(earlier, attname, mine)
                    copied.append(name)
            if copied:
                earlier.save(update_fields=[*copied, "updated"])
                record_event(
                    earlier,
                    "edit",
                    actor=user,
                    message=f"Merged in document #{document.pk}.",
                    data={"copied_from": document.pk, "fields": copied},
                )
        document.duplicate_of = earlier
        document.extraction.pop("suspected_duplicate_of", None)
        document.save(update_fields=["duplicate_of", "extraction", "updated"])
    return copied
