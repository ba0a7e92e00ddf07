"""The audit trail of a document in words: uploads, edits (from what to what), approvals and
every publish attempt, oldest first."""

from capture.models import DocumentEvent, State
from publisher.models import PublishAttempt


def _label(state: str) -> str:
    try:
        return State(state).label.lower()
    except ValueError:
        return state


def _shown(value) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    if isinstance(value, list):
        return f"{len(value)} line{'s' if len(value) != 1 else ''}"
    if value is None:
        return ""
    return str(value)


def _event_item(event: DocumentEvent) -> dict:
    item = {"when": event.created, "who": event.actor_name, "kind": event.action, "changes": []}
    if event.action == "transition":
        item["text"] = f"moved it from {_label(event.from_state)} to {_label(event.to_state)}"
        if event.from_state == State.RECEIVED and event.to_state == State.PROCESSING:
            item["text"] = "sent it to be read"
        item["detail"] = event.message
    elif event.action == "edit" and any(isinstance(c, dict) for c in (event.data or {}).values()):
        # Field corrections carry {"field": {"from", "to"}}; other edits (a supplier created
        # from the document) are told by their message, not as "changed kashflow id".
        item["text"] = "changed " + ", ".join(k.replace("_", " ") for k in event.data)
        item["changes"] = [
            {
                "field": name.replace("_", " "),
                "from": _shown(change.get("from")),
                "to": _shown(change.get("to")),
            }
            for name, change in event.data.items()
            if isinstance(change, dict)
        ]
    else:
        item["text"] = event.message or event.action.replace("_", " ")
    return item


def _attempt_item(attempt: PublishAttempt) -> dict:
    steps = ", ".join(
        f"{step.get('step')}" + (f" → {step['result']}" if step.get("result") is not None else "")
        for step in attempt.steps
        if isinstance(step, dict)
    )
    return {
        "when": attempt.started,
        "who": attempt.actor.get_username() if attempt.actor else "publisher",
        "kind": "attempt",
        "text": f"publish attempt: {attempt.get_outcome_display().lower()}",
        "detail": attempt.error or steps,
        "changes": [],
    }


def history(document, uploaded: bool = True) -> list[dict]:
    events = DocumentEvent.objects.filter(document=document).select_related("actor")
    attempts = PublishAttempt.objects.filter(document=document).select_related("actor")
    attempts = list(attempts)
    listed = {a.pk for a in attempts}
    # Publishing also notes each attempt as an event; the attempt itself is listed, with its
    # steps, so the note would only say the same thing a second time.
    events = [
        e
        for e in events
        if not (e.action == "publish_attempt" and (e.data or {}).get("attempt") in listed)
    ]
    items = [_event_item(e) for e in events] + [_attempt_item(a) for a in attempts]
    if uploaded:
        who = document.uploaded_by.get_username() if document.uploaded_by else "system"
        items.append(
            {
                "when": document.created,
                "who": who,
                "kind": "upload",
                "text": f"uploaded {document.original_name}",
                "changes": [],
            }
        )
    return sorted(items, key=lambda item: item["when"])
