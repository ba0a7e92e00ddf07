"""RQ jobs: each takes an id, loads the row and calls one domain function.

Jobs are queued only after the transaction that made their row commits, and each is safe to run
twice: the domain functions claim their work with a conditional state change.
"""

import django_rq
from django.db import transaction


def enqueue_processing(document) -> None:
    """Queue OCR and extraction for a stored document (the intake hook)."""
    django_rq.get_queue("capture").enqueue(process_document_job, document.pk)


def enqueue_publishing(document) -> None:
    transaction.on_commit(
        lambda: django_rq.get_queue("publish").enqueue(publish_document_job, document.pk)
    )


def process_document_job(document_id: int) -> None:
    from publisher.processing import process_document

    process_document(document_id)


def publish_document_job(document_id: int) -> None:
    from publisher.publishing import publish_document

    publish_document(document_id)


def fail_stuck_documents_job() -> int:
    from publisher.maintenance import fail_stuck_documents

    return fail_stuck_documents()
