import io

import pypdfium2
import pytest
from django.contrib.auth import get_user_model

from capture.fixtures.generator import invoice_sample
from capture.intake import ingest_file
from capture.models import Document, State
from publisher.actions import ActionRefused, do_split


def three_invoices_in_one_pdf() -> bytes:
    merged = pypdfium2.PdfDocument.new()
    for seed in (61, 62, 63):
        merged.import_pages(pypdfium2.PdfDocument(invoice_sample(seed, "pdf").data))
    buffer = io.BytesIO()
    merged.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def scanned_batch(db):
    from publisher.models import Business

    business = Business.objects.create(name="Acme", slug="acme")
    [result] = ingest_file(
        business, three_invoices_in_one_pdf(), "batch.pdf", on_accepted=lambda d: None
    )
    document = result.document
    Document.objects.filter(pk=document.pk).update(state=State.NEEDS_ATTENTION)
    document.refresh_from_db()
    return document


def test_it_splits_a_multi_page_file_into_new_documents(scanned_batch):
    user = get_user_model().objects.create_user("bea")
    parts = do_split(scanned_batch, user, [[1, 2], [3]])

    assert [part.page_count for part in parts] == [2, 1]
    assert all(
        part.state == State.RECEIVED and part.content_type == "application/pdf" for part in parts
    )
    assert parts[0].original_name == "batch.pdf (pages 1-2)"
    scanned_batch.refresh_from_db()
    assert scanned_batch.state == State.REJECTED
    assert scanned_batch.state_reason == f"Split into documents {parts[0].pk}, {parts[1].pk}."
    assert scanned_batch.original.storage.exists(scanned_batch.original.name)
    with parts[1].original.open("rb") as handle:
        assert len(pypdfium2.PdfDocument(handle.read())) == 1


def test_it_refuses_to_split_a_single_page_document(db):
    from publisher.models import Business

    business = Business.objects.create(name="Acme", slug="acme")
    [result] = ingest_file(
        business, invoice_sample(64, "pdf").data, "one.pdf", on_accepted=lambda d: None
    )
    Document.objects.filter(pk=result.document.pk).update(state=State.READY)
    document = Document.objects.get(pk=result.document.pk)
    with pytest.raises(ActionRefused, match="several pages"):
        do_split(document, None, [[1], [1]])
    assert Document.objects.count() == 1
    assert Document.objects.get().state == State.READY
