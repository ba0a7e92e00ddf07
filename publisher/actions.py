"""What people do to documents: a ``check_`` function says whether they may, a ``do_`` function
does it, changing state and writing the audit trail in one transaction.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from capture.models import Document, State
from capture.states import TransitionRefused, record_event, transition
from publisher import jobs
from publisher.models import Membership, PublishAttempt, Role
from publisher.tenancy import require_role

EDITABLE_STATES = {State.READY, State.NEEDS_ATTENTION, State.FAILED, State.PUBLISH_FAILED}
APPROVABLE_STATES = {State.READY, State.NEEDS_ATTENTION}
# Document field -> the name layout learning knows it by.
LEARNABLE_FIELDS = {
    "total": "total",
    "net": "net",
    "vat": "vat",
    "document_date": "date",
    "due_date": "due_date",
    "document_number": "document_number",
    "supplier_vat_number": "supplier_vat_number",
}


class ActionRefused(Exception):
    """The action is not possible for this document now; the message says why."""


def check_edit(membership: Membership, document: Document) -> None:
    require_role(membership, Role.BOOKKEEPER)
    _check_same_business(membership, document)
    if document.state not in EDITABLE_STATES:
        raise ActionRefused(f"A {document.get_state_display().lower()} document cannot be edited.")
    if document.kashflow_number is not None:
        raise ActionRefused("KashFlow already holds this document; change it there.")


def do_save_review(document: Document, user, changes: dict) -> list[str]:
    """Apply a reviewer's field changes; returns the names of the fields that changed."""
    changed = {}
    with transaction.atomic():
        for name, value in changes.items():
            before = getattr(document, name)
            if _same(before, value):
                continue
            changed[name] = {"from": _plain(before), "to": _plain(value)}
            setattr(document, name, value)
        if not changed:
            return []
        document.save()
        record_event(document, "edit", actor=user, message="Fields corrected", data=changed)
        _learn_layout(document, changed)
        if document.state in (State.READY, State.NEEDS_ATTENTION):
            problems = document.publish_problems()
            wanted = State.NEEDS_ATTENTION if problems else State.READY
            if wanted != document.state:
                transition(
                    document, wanted, actor=user, reason=" ".join(problems) or "All checks pass."
                )
    return list(changed)


def _learn_layout(document: Document, changed: dict) -> None:
    """Remember where this supplier prints what the reviewer had to correct, for next time."""
    corrected = {
        LEARNABLE_FIELDS[name]: str(getattr(document, name))
        for name in changed
        if name in LEARNABLE_FIELDS and getattr(document, name) not in (None, "")
    }
    pages = (document.ocr or {}).get("pages")
    if not corrected or not pages or not document.supplier_name:
        return
    from capture.learning import learn_from_correction
    from capture.ocr.types import OcrPage

    learn_from_correction(
        document.business,
        document.supplier_name,
        [OcrPage.from_dict(page) for page in pages],
        corrected,
    )


def check_approve(membership: Membership, document: Document) -> None:
    require_role(membership, Role.REVIEWER)
    _check_same_business(membership, document)
    if document.state not in APPROVABLE_STATES:
        state = document.get_state_display().lower()
        raise ActionRefused(f"Only ready documents can be approved; this one is {state}.")
    problems = document.publish_problems()
    if problems:
        raise ActionRefused(" ".join(problems))
    if not document.business.is_connected():
        raise ActionRefused("This business is not connected to KashFlow yet.")


def do_approve(document: Document, user) -> Document:
    """Approve and queue for publishing (user None: approved automatically by a rule)."""
    with transaction.atomic():
        transition(
            document,
            State.PUBLISHING,
            actor=user,
            reason="Approved"
            + (f" by {user.get_username()}" if user else " automatically by rule"),
        )
        jobs.enqueue_publishing(document)
    return document


def approve_many(membership: Membership, documents, user):
    """Approve each document that passes its checks; returns (approved, [(document, reason)])."""
    approved, refused = [], []
    for document in documents:
        try:
            check_approve(membership, document)
            do_approve(document, user)
        except (ActionRefused, TransitionRefused) as exc:
            refused.append((document, str(exc)))
        else:
            approved.append(document)
    return approved, refused


def check_reject(membership: Membership, document: Document) -> None:
    require_role(membership, Role.REVIEWER)
    _check_same_business(membership, document)
    if document.state not in APPROVABLE_STATES:
        raise ActionRefused(
            f"A {document.get_state_display().lower()} document cannot be rejected."
        )


def do_reject(document: Document, user, reason: str) -> Document:
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("Say why the document is rejected.")
    return transition(document, State.REJECTED, actor=user, reason=reason)


def check_retry(membership: Membership, document: Document) -> None:
    if document.state == State.FAILED:
        require_role(membership, Role.BOOKKEEPER)
    elif document.state == State.PUBLISH_FAILED:
        require_role(membership, Role.REVIEWER)
    else:
        raise ActionRefused("Only failed documents can be retried.")
    _check_same_business(membership, document)


def do_retry(document: Document, user) -> Document:
    if document.state == State.FAILED:
        record_event(document, "note", actor=user, message="Reading retried")
        transaction.on_commit(lambda: jobs.enqueue_processing(document))
        return document
    # An attempt left "running" by a worker that died can never finish.
    PublishAttempt.abandon_running(document)
    return do_approve(document, user)


def do_split(document: Document, user, page_groups: list[list[int]]) -> list[Document]:
    """Replace a multi-page document by one new document per group of pages.

    The new documents are read afresh; the original is rejected with a note of where its pages
    went, so its file and audit trail stay as they were.
    """
    from capture.files import RejectedFile
    from capture.intake import ingest_file, pages_as_file
    from capture.pipeline import read_original

    if document.state not in APPROVABLE_STATES | {State.FAILED}:
        raise ActionRefused(f"A {document.get_state_display().lower()} document cannot be split.")
    if document.page_count < 2 or len(page_groups) < 2:
        raise ActionRefused("Splitting needs a document of several pages and at least two groups.")
    data = read_original(document)
    parts: list[Document] = []
    with transaction.atomic():
        for group in page_groups:
            try:
                part, mime = pages_as_file(data, document.content_type, group)
            except (RejectedFile, IndexError) as exc:
                raise ActionRefused(
                    f"Pages {group} could not be taken out of the file: {exc}"
                ) from exc
            label = f"{group[0]}" if len(group) == 1 else f"{group[0]}-{group[-1]}"
            name = f"{document.original_name} (pages {label})"
            [result] = ingest_file(
                document.business,
                part,
                name,
                kind=document.kind,
                claimant=document.claimant,
                user=user,
            )
            if result.error:
                raise ActionRefused(result.error)
            parts.append(result.document)
        numbers = ", ".join(str(part.pk) for part in parts)
        if document.state == State.FAILED:
            record_event(document, "note", actor=user, message=f"Split into documents {numbers}.")
        else:
            transition(
                document, State.REJECTED, actor=user, reason=f"Split into documents {numbers}."
            )
    return parts


def _check_same_business(membership: Membership, document: Document) -> None:
    if document.business_id != membership.business_id:
        raise ActionRefused("This document belongs to another business.")


def _same(before, after) -> bool:
    if isinstance(before, Decimal) or isinstance(after, Decimal):
        try:
            return Decimal(str(before)) == Decimal(str(after))
        except Exception:  # noqa: BLE001
            return False
    if hasattr(before, "pk") or hasattr(after, "pk"):
        return getattr(before, "pk", before) == getattr(after, "pk", after)
    return before == after


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    if hasattr(value, "pk"):
        return {"id": value.pk, "name": str(value)}
    return str(value)
