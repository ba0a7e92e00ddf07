import base64
import datetime as dt
from decimal import Decimal

import pytest

from capture.models import Document, DocumentEvent, Kind, State
from kashflow.models import BankAccount, PaymentMethod, Supplier
from publisher.actions import do_retry
from publisher.models import PublishAttempt
from publisher.publishing import publish_document


def test_it_publishes_a_receipt_with_its_image_and_payment(make_document, kashflow_sandbox):
    document = make_document(
        paid=True,
        payment_method=PaymentMethod.objects.filter(direction="purchase").first(),
        bank_account=BankAccount.objects.first(),
        card_last_four="4242",
    )
    attempt = publish_document(document.pk)

    document.refresh_from_db()
    state = kashflow_sandbox.state
    assert document.state == State.PUBLISHED
    assert attempt.outcome == PublishAttempt.Outcome.SUCCEEDED
    receipt = state.receipts[document.kashflow_number]
    assert receipt["CustomerID"] == document.supplier.kashflow_id
    assert receipt["CustomerReference"] == document.document_number
    assert receipt["NetAmount"] == Decimal("10.00") and receipt["VATAmount"] == Decimal("2.00")
    line = receipt["Lines"]["anyType"][0]
    assert line["ChargeType"] == document.nominal_code.kashflow_id
    assert Decimal(line["VatRate"]) == 20
    [attachment] = state.attachments
    assert attachment["Number"] == document.kashflow_number
    document.original.open("rb")
    assert base64.b64decode(attachment["Base64"]) == document.original.read()
    [payment] = state.payments
    assert payment["PayInvoice"] == document.kashflow_number
    assert payment["PayAmount"] == Decimal("12.00")
    assert document.kashflow_attachment_id == attachment["AttachmentID"]
    assert document.kashflow_payment_id == payment["PayID"]
    assert [s["step"] for s in attempt.steps] == [
        "ledger check",
        "InsertReceipt",
        "AttachFileToReceipt",
        "InsertReceiptPayment",
    ]


def test_it_publishes_a_sale_as_a_sales_invoice(make_document, kashflow_sandbox):
    document = make_document(kind=Kind.SALE)
    publish_document(document.pk)

    document.refresh_from_db()
    assert document.state == State.PUBLISHED
    invoice = kashflow_sandbox.state.invoices[document.kashflow_number]
    assert invoice["CustomerID"] == document.customer.kashflow_id
    assert not kashflow_sandbox.state.receipts
    assert kashflow_sandbox.state.attachments[0]["Kind"] == "invoice"


def test_it_never_posts_twice_when_kashflow_drops_the_answer_to_an_insert(
    make_document, kashflow_sandbox
):
    document = make_document()
    kashflow_sandbox.faults.add("drop_after_write", operation="InsertReceipt", times=1)

    publish_document(document.pk)
    document.refresh_from_db()
    assert document.state == State.PUBLISH_FAILED
    assert "may or may not have been saved" in document.state_reason
    assert document.state_reason.count("before sending it again") == 1
    assert PublishAttempt.objects.get().outcome == PublishAttempt.Outcome.UNKNOWN
    assert len(kashflow_sandbox.state.receipts) == 1  # KashFlow did store it

    do_retry(document, None)
    publish_document(document.pk)

    document.refresh_from_db()
    assert document.state == State.PUBLISHED
    assert len(kashflow_sandbox.state.receipts) == 1
    assert document.kashflow_number == next(iter(kashflow_sandbox.state.receipts))
    ledger_step = PublishAttempt.objects.last().steps[0]
    assert ledger_step == {"step": "ledger check", "found": document.kashflow_number}


def test_it_resumes_after_the_step_that_failed_without_repeating_earlier_ones(
    make_document, kashflow_sandbox
):
    document = make_document()
    kashflow_sandbox.faults.add("soap_fault", operation="AttachFileToReceipt")

    publish_document(document.pk)
    document.refresh_from_db()
    assert document.state == State.PUBLISH_FAILED
    assert document.kashflow_number is not None
    assert document.kashflow_attachment_id is None

    kashflow_sandbox.faults.clear()
    do_retry(document, None)
    publish_document(document.pk)

    document.refresh_from_db()
    assert document.state == State.PUBLISHED
    assert len(kashflow_sandbox.state.receipts) == 1
    assert len(kashflow_sandbox.state.attachments) == 1
    assert [s["step"] for s in PublishAttempt.objects.last().steps] == ["AttachFileToReceipt"]


def test_it_shows_kashflows_reason_and_keeps_everything_when_kashflow_refuses(
    make_document, kashflow_sandbox
):
    document = make_document(currency="XYZ")
    original_name = document.original.name

    publish_document(document.pk)

    document.refresh_from_db()
    assert document.state == State.PUBLISH_FAILED
    assert "The currency XYZ is not enabled on this account." in document.state_reason
    assert document.kashflow_number is None
    assert not kashflow_sandbox.state.receipts
    assert document.original.name == original_name and document.original.storage.exists(
        original_name
    )
    actions = list(DocumentEvent.objects.filter(document=document).values_list("action", flat=True))
    assert actions == ["publish_attempt", "transition"]


def test_it_does_nothing_for_a_document_that_is_not_publishing(make_document, kashflow_sandbox):
    document = make_document(state=State.READY)
    assert publish_document(document.pk) is None
    assert not kashflow_sandbox.state.receipts
    assert not PublishAttempt.objects.exists()


def test_it_refuses_a_second_attempt_while_one_is_running(make_document, kashflow_sandbox):
    document = make_document()
    PublishAttempt.objects.create(document=document)
    assert publish_document(document.pk) is None
    assert not kashflow_sandbox.state.receipts


def test_it_publishes_expense_claims_against_one_supplier_per_claimant(
    make_document, kashflow_sandbox
):
    first = make_document(
        kind=Kind.EXPENSE, claimant="Priya Shah", supplier=None, document_date=dt.date(2026, 11, 3)
    )
    second = make_document(
        kind=Kind.EXPENSE, claimant="Priya Shah", supplier=None, document_date=dt.date(2026, 11, 4)
    )
    suppliers_before = len(kashflow_sandbox.state.suppliers)

    publish_document(first.pk)
    publish_document(second.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == second.state == State.PUBLISHED
    assert len(kashflow_sandbox.state.suppliers) == suppliers_before + 1
    claimant = Supplier.objects.get(name="Priya Shah - Expense claim")
    assert first.supplier == second.supplier == claimant
    receipts = kashflow_sandbox.state.receipts
    assert receipts[first.kashflow_number]["CustomerID"] == claimant.kashflow_id
    assert not kashflow_sandbox.state.payments  # expense claims go in unpaid


@pytest.mark.django_db(transaction=True)
def test_it_publishes_through_a_real_worker_after_approval(
    make_document, kashflow_sandbox, run_jobs
):
    from django.contrib.auth import get_user_model

    from publisher.actions import do_approve

    reviewer = get_user_model().objects.create_user("rita")
    document = make_document(state=State.READY)
    do_approve(document, reviewer)
    assert Document.objects.get(pk=document.pk).state == State.PUBLISHING

    run_jobs("publish")

    document.refresh_from_db()
    assert document.state == State.PUBLISHED
    assert document.kashflow_number in kashflow_sandbox.state.receipts
    assert PublishAttempt.objects.get().outcome == PublishAttempt.Outcome.SUCCEEDED


def test_it_posts_line_items_whose_nets_add_up_with_the_vat_spread_exactly(
    make_document, kashflow_sandbox
):
    document = make_document(
        net=Decimal("10.00"),
        vat=Decimal("2.00"),
        total=Decimal("12.00"),
        lines=[
            {"description": "Coffee beans", "quantity": "3", "net": "3.33"},
            {"description": "Milk", "quantity": "1", "net": "3.33"},
            {"description": "Filters", "quantity": "1", "net": "3.34"},
        ],
    )
    publish_document(document.pk)

    document.refresh_from_db()
    receipt = kashflow_sandbox.state.receipts[document.kashflow_number]
    lines = receipt["Lines"]["anyType"]
    assert [line["Description"] for line in lines] == ["Coffee beans", "Milk", "Filters"]
    assert sum(Decimal(line["VatAmount"]) for line in lines) == Decimal("2.00")
    assert receipt["NetAmount"] == Decimal("10.00") and receipt["VATAmount"] == Decimal("2.00")


def test_it_posts_one_line_when_the_items_are_vat_inclusive(make_document, kashflow_sandbox):
    # Till receipts print gross prices: posting them as net would charge the VAT twice.
    document = make_document(
        net=Decimal("10.00"),
        vat=Decimal("2.00"),
        total=Decimal("12.00"),
        lines=[
            {"description": "Lunch", "quantity": "1", "net": "7.00"},
            {"description": "Tea", "quantity": "1", "net": "5.00"},
        ],
    )
    publish_document(document.pk)

    receipt = kashflow_sandbox.state.receipts[Document.objects.get(pk=document.pk).kashflow_number]
    [line] = receipt["Lines"]["anyType"]
    assert Decimal(line["Rate"]) == Decimal("10.00") and Decimal(line["VatAmount"]) == Decimal(
        "2.00"
    )
    assert receipt["NetAmount"] + receipt["VATAmount"] == Decimal("12.00")


def test_it_lists_each_publish_attempt_once_in_the_history(make_document, kashflow_sandbox):
    from publisher.views.history import history

    document = make_document()
    kashflow_sandbox.faults.add("drop_after_write", operation="InsertReceipt", times=1)
    publish_document(document.pk)
    document.refresh_from_db()
    do_retry(document, None)
    publish_document(document.pk)

    items = history(document, uploaded=False)
    attempts = [i for i in items if i["kind"] in ("attempt", "publish_attempt")]
    assert [i["text"] for i in attempts] == [
        "publish attempt: outcome unknown",
        "publish attempt: succeeded",
    ]


def test_it_refuses_to_approve_a_credit_note_with_positive_amounts(make_document):
    from capture.models import DocumentType

    credit = make_document(state=State.READY, document_type=DocumentType.CREDIT_NOTE)
    assert (
        "This is a credit note: enter its amounts as negative numbers." in credit.publish_problems()
    )
    credit.net, credit.vat, credit.total = Decimal("-10.00"), Decimal("-2.00"), Decimal("-12.00")
    assert credit.publish_problems() == []
