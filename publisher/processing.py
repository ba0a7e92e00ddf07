"""The capture job's domain function: read a document, code it, and put it in the queue."""

import logging

from capture.learning import layout_for
from capture.models import Document, State
from capture.pipeline import apply_extraction, read_and_extract
from capture.states import TransitionRefused, transition
from kashflow.models import Supplier
from publisher.autopublish import auto_publish_if_allowed
from publisher.rules import apply_mapping

log = logging.getLogger(__name__)

# States from which (re)reading is allowed; anything else means another worker has it, or it is
# already past review.
READABLE = (State.RECEIVED, State.FAILED, State.READY, State.NEEDS_ATTENTION)


def process_document(document_id: int) -> Document | None:
    document = Document.objects.select_related("business").filter(pk=document_id).first()
    if document is None or document.state not in READABLE:
        return None
    try:
        transition(document, State.PROCESSING, reason="Reading the document.")
    except TransitionRefused:
        return None

    try:
        pages, extraction = _read(document)
    except Exception as exc:  # noqa: BLE001 - any reading failure must land in "failed", visibly
        log.warning("document %s could not be read: %s", document.pk, exc)
        transition(
            document,
            State.FAILED,
            reason=f"The file could not be read ({exc}). The original is kept; try again or "
            "upload a clearer copy.",
        )
        return document

    apply_extraction(document, pages, extraction)
    document.save()
    outcome = apply_mapping(document)
    problems = list(dict.fromkeys([*document.extraction.get("problems", []), *outcome.problems]))
    to_state = State.NEEDS_ATTENTION if problems else State.READY
    transition(
        document, to_state, reason=" ".join(problems) or "Read and checked: ready to review."
    )
    auto_publish_if_allowed(document)
    return document


def _read(document: Document):
    known = list(
        Supplier.objects.active().filter(business=document.business).values_list("name", flat=True)
    )
    reading = read_and_extract(document, known_suppliers=known)
    extraction = reading.extraction
    supplier = extraction.fields.get("supplier_name")
    name = getattr(supplier, "value", None)
    layout = layout_for(document.business, name) if name else None
    if layout:
        # A reviewer corrected this supplier before: read its fields where they said they are.
        extraction = reading.extract_again(known, layout)
    return reading.pages, extraction
