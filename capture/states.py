"""The one place a document changes state.

Only the moves drawn in the architecture are allowed; each is a conditional UPDATE, so two
workers (or a worker and a reviewer) racing for the same document cannot both win, and each
writes an audit event in the same transaction.
"""

from django.db import transaction
from django.utils import timezone

from capture.models import Document, DocumentEvent, State

ALLOWED: dict[str, set[str]] = {
    # received -> rejected: an exact copy of an earlier upload is recorded but never read.
    State.RECEIVED: {State.PROCESSING, State.FAILED, State.REJECTED},
    State.PROCESSING: {State.READY, State.NEEDS_ATTENTION, State.FAILED},
    State.FAILED: {State.PROCESSING},
    # Review may move a document between ready and needs_attention as fields are corrected.
    State.READY: {State.PUBLISHING, State.NEEDS_ATTENTION, State.REJECTED, State.PROCESSING},
    State.NEEDS_ATTENTION: {State.PUBLISHING, State.READY, State.REJECTED, State.PROCESSING},
    State.PUBLISHING: {State.PUBLISHED, State.PUBLISH_FAILED},
    State.PUBLISH_FAILED: {State.PUBLISHING},
    State.PUBLISHED: set(),
    State.REJECTED: set(),
}


class TransitionRefused(Exception):
    """The document is not in a state from which this move is allowed."""


def transition(
    document: Document,
    to_state: str,
    *,
    actor=None,
    reason: str = "",
    expected: str | None = None,
    data: dict | None = None,
) -> Document:
    """Move ``document`` to ``to_state`` and record who did it and why.

    ``expected`` is the state the caller believes the document is in (default: the state on the
    instance). The move happens only if the row is still in that state, so a stale caller gets
    ``TransitionRefused`` instead of overwriting someone else's work.
    """
    from_state = expected or document.state
    if to_state not in ALLOWED.get(from_state, set()):
        raise TransitionRefused(
            f"A document cannot go from {State(from_state).label} to {State(to_state).label}."
        )
    now = timezone.now()
    with transaction.atomic():
        changed = Document.objects.filter(pk=document.pk, state=from_state).update(
            state=to_state, state_reason=reason, updated=now
        )
        if changed != 1:
            current = (
                Document.objects.filter(pk=document.pk).values_list("state", flat=True).first()
            )
            raise TransitionRefused(
                f"The document is no longer {State(from_state).label}"
                + (f" (it is {State(current).label})." if current else ".")
            )
        DocumentEvent.objects.create(
            document=document,
            actor=actor,
            action="transition",
            from_state=from_state,
            to_state=to_state,
            message=reason,
            data=data or {},
        )
    document.state = to_state
    document.state_reason = reason
    document.updated = now
    return document


def record_event(document: Document, action: str, *, actor=None, message: str = "", data=None):
    return DocumentEvent.objects.create(
        document=document,
        actor=actor,
        action=action,
        from_state=document.state,
        to_state=document.state,
        message=message,
        data=data or {},
    )
