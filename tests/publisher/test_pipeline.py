"""The whole path without the web layer: intake, a real capture worker running Tesseract, coding
against synced KashFlow records, review, approval, and a real publish worker."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from capture.fixtures.generator import make_supplier, receipt_sample
from capture.intake import ingest_file
from capture.models import Document, DocumentEvent, State
from capture.ocr import tesseract
from kashflow.models import NominalCode
from kashflow.sync import sync_business
from kashflow.types import Supplier as KashFlowSupplier
from publisher.actions import check_approve, do_approve, do_save_review
from publisher.models import Membership, Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reviewer(connected_business):
    user = get_user_model().objects.create_user("rita")
    return Membership.objects.create(user=user, business=connected_business, role=Role.REVIEWER)


def supplier_in_kashflow(business, sample) -> None:
    """The sample's supplier exists in KashFlow and has been synced."""
    business.kashflow_client().insert_supplier(
        KashFlowSupplier(
            name=sample.truth["supplier_name"], vat_number=sample.truth["supplier_vat_number"]
        )
    )
    sync_business(business)


def test_it_takes_a_receipt_from_upload_to_a_kashflow_number(
    connected_business, reviewer, kashflow_sandbox, run_jobs
):
    sample = receipt_sample(31)
    supplier_in_kashflow(connected_business, sample)

    [result] = ingest_file(connected_business, sample.data, "till.png", user=reviewer.user)
    assert result.status == "accepted"
    run_jobs("capture")

    document = Document.objects.get(pk=result.document.pk)
    assert document.state in (State.READY, State.NEEDS_ATTENTION), document.state_reason
    assert document.total == sample.truth["total"]
    assert document.document_date == sample.truth["date"]
    assert document.supplier.name == sample.truth["supplier_name"]
    assert document.extraction["fields"]["total"]["boxes"], "the total must say where it was read"

    purchases = NominalCode.objects.get(business=connected_business, code=5000)
    do_save_review(
        document, reviewer.user, {"nominal_code": purchases, "description": "Site materials"}
    )
    check_approve(reviewer, document)
    do_approve(document, reviewer.user)
    run_jobs("publish")

    document.refresh_from_db()
    assert document.state == State.PUBLISHED
    receipt = kashflow_sandbox.state.receipts[document.kashflow_number]
    assert receipt["NetAmount"] + receipt["VATAmount"] == sample.truth["total"]
    assert len(kashflow_sandbox.state.attachments) == 1
    trail = list(DocumentEvent.objects.filter(document=document).values_list("action", "to_state"))
    assert ("transition", State.PROCESSING) in trail
    assert ("edit", document.state) in [(a, document.state) for a, _ in trail if a == "edit"]
    assert trail[-1] == ("transition", State.PUBLISHED)


def test_it_leaves_an_unreadable_document_failed_with_its_file_and_trail(
    connected_business, reviewer, monkeypatch, run_jobs
):
    def broken(self, image):
        raise tesseract.OcrFailed("Tesseract stopped: out of memory")

    monkeypatch.setattr(tesseract.TesseractEngine, "read", broken)
    sample = receipt_sample(32)
    [result] = ingest_file(connected_business, sample.data, "blurry.png", user=reviewer.user)
    run_jobs("capture")

    document = Document.objects.get(pk=result.document.pk)
    assert document.state == State.FAILED
    assert "Tesseract stopped: out of memory" in document.state_reason
    with document.original.open("rb") as handle:
        assert handle.read() == sample.data
    assert [e.to_state for e in document.events.all()] == [State.PROCESSING, State.FAILED]


def test_it_refuses_a_file_that_is_not_a_document_and_stores_nothing(connected_business):
    [result] = ingest_file(connected_business, b"%!PS-Adobe-3.0 not a receipt", "notes.ps")
    assert result.status == "refused"
    assert result.error
    assert not Document.objects.exists()


def test_it_flags_an_exact_copy_and_does_not_read_it_again(connected_business, run_jobs):
    sample = receipt_sample(33)
    [first] = ingest_file(connected_business, sample.data, "a.png")
    [again] = ingest_file(connected_business, sample.data, "a-copy.png")

    assert again.status == "duplicate"
    assert again.duplicate_of == first.document
    copy = Document.objects.get(pk=again.document.pk)
    assert copy.state == State.REJECTED and copy.duplicate_of_id == first.document.pk
    assert copy.original.name == first.document.original.name
    run_jobs("capture")
    assert Document.objects.get(pk=copy.pk).state == State.REJECTED
    assert not copy.events.filter(to_state=State.PROCESSING).exists()


def test_a_second_document_from_a_corrected_supplier_comes_out_right(
    connected_business, reviewer, run_jobs
):
    """Learning end to end: a reviewer's correction on one document is used on the next."""
    import datetime as dt
    import random

    from tests.capture.test_learning import odd_receipt

    supplier = make_supplier(random.Random(7))
    first = odd_receipt(301, supplier, dt.date(2026, 11, 5))
    [result] = ingest_file(connected_business, first.data, "first.png")
    run_jobs("capture")
    document = Document.objects.get(pk=result.document.pk)
    assert (document.total, document.document_date) != (first.truth["total"], first.truth["date"])

    do_save_review(
        document,
        reviewer.user,
        {
            "supplier_name": supplier.name,
            "total": first.truth["total"],
            "document_date": first.truth["date"],
        },
    )

    second = odd_receipt(302, supplier, dt.date(2026, 3, 9))
    [result] = ingest_file(connected_business, second.data, "second.png")
    run_jobs("capture")
    document = Document.objects.get(pk=result.document.pk)
    assert document.total == second.truth["total"]
    assert document.document_date == dt.date(2026, 3, 9)
    # Without what the reviewer taught it, the same page reads year/month/day: 2026-09-03.
    from capture.extraction import extract
    from capture.ocr.types import OcrPage

    pages = [OcrPage.from_dict(page) for page in document.ocr["pages"]]
    assert extract(pages).value("date") == dt.date(2026, 9, 3)


def test_a_credit_note_is_held_and_published_with_negative_amounts(
    connected_business, reviewer, kashflow_sandbox, run_jobs
):
    from capture.fixtures.generator import invoice_sample

    sample = invoice_sample(26, "pdf", credit=True)
    supplier_in_kashflow(connected_business, sample)
    [result] = ingest_file(connected_business, sample.data, "credit.pdf", user=reviewer.user)
    run_jobs("capture")

    document = Document.objects.get(pk=result.document.pk)
    assert document.document_type == "credit_note"
    assert (document.net, document.vat, document.total) == (
        -sample.truth["net"], -sample.truth["vat"], -sample.truth["total"]
    )  # fmt: skip
    assert document.lines and all(Decimal(line["net"]) < 0 for line in document.lines)
    # What the page printed stays on record as read.
    assert Decimal(document.extraction["fields"]["total"]["value"]) == sample.truth["total"]
    assert "negative" not in " ".join(document.publish_problems())

    purchases = NominalCode.objects.get(business=connected_business, code=5000)
    do_save_review(document, reviewer.user, {"nominal_code": purchases})
    check_approve(reviewer, document)
    do_approve(document, reviewer.user)
    run_jobs("publish")
    document.refresh_from_db()
    assert document.state == State.PUBLISHED, document.state_reason
    posted = kashflow_sandbox.state.receipts[document.kashflow_number]
    assert posted["NetAmount"] + posted["VATAmount"] == -sample.truth["total"]


def test_a_sale_is_coded_to_the_customer_it_is_addressed_to_not_the_letterhead(
    connected_business, reviewer, run_jobs
):
    from capture.fixtures.generator import invoice_sample
    from capture.models import Kind
    from kashflow.types import Customer as KashFlowCustomer

    sample = invoice_sample(23, "pdf")  # the business's own sales invoice
    client = connected_business.kashflow_client()
    # The business keeps itself as a customer too (inter-company sales): same VAT number as the
    # letterhead, which must not decide who this invoice was sent to.
    client.insert_customer(
        KashFlowCustomer(
            name=sample.truth["supplier_name"], vat_number=sample.truth["supplier_vat_number"]
        )
    )
    client.insert_customer(KashFlowCustomer(name=sample.truth["customer_name"]))
    sync_business(connected_business)

    [result] = ingest_file(
        connected_business, sample.data, "sale.pdf", kind=Kind.SALE, user=reviewer.user
    )
    run_jobs("capture")

    document = Document.objects.get(pk=result.document.pk)
    assert document.supplier_name == sample.truth["customer_name"]
    assert document.supplier_vat_number == ""
    assert document.customer.name == sample.truth["customer_name"]
    assert document.party_name == sample.truth["customer_name"]
