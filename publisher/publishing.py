"""Publishing an approved document to KashFlow, exactly once.

KashFlow has no idempotency key, so "exactly once" rests on three habits:
- each step's result (the receipt number, the attachment id, the payment id) is saved on the
  document the moment KashFlow returns it, and a step that has a result is never sent again;
- before inserting, the ledger is searched for a receipt or invoice this document already made
  (same party, reference, date and gross), which catches a write whose answer was lost;
- at most one attempt runs per document at a time (a unique constraint, not an in-process lock).
"""

import logging
import mimetypes
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from capture.models import CODING_FIELDS, Document, Kind, State
from capture.states import TransitionRefused, record_event, transition
from kashflow import errors
from kashflow.models import Supplier
from kashflow.types import Invoice, InvoiceLine, Payment
from kashflow.types import Supplier as KashFlowSupplier
from publisher.models import PublishAttempt

log = logging.getLogger(__name__)

EXEMPT_RATE = Decimal("-1")


def publish_document(document_id: int, actor=None) -> PublishAttempt | None:
    """Run one publish attempt for a document in ``publishing``; safe to call twice."""
    document = Document.objects.select_related("business", *CODING_FIELDS).get(pk=document_id)
    if document.state != State.PUBLISHING:
        return None
    try:
        with transaction.atomic():
            attempt = PublishAttempt.objects.create(document=document, actor=actor)
    except IntegrityError:
        log.info("document %s: another publish attempt is running", document_id)
        return None

    client = document.business.kashflow_client()
    try:
        _publish(document, attempt, client)
    except errors.KashFlowError as exc:
        unknown = isinstance(exc, errors.OutcomeUnknown)
        _finish(
            attempt,
            PublishAttempt.Outcome.UNKNOWN if unknown else PublishAttempt.Outcome.FAILED,
            error=str(exc),
            retryable=exc.retryable or unknown,
        )
        # The error's own words already say what happened and what the next try does.
        _move(document, State.PUBLISH_FAILED, str(exc), attempt)
        return attempt
    except Exception as exc:  # noqa: BLE001 - anything else must still leave a visible failure
        log.exception("document %s: publishing failed unexpectedly", document_id)
        _finish(attempt, PublishAttempt.Outcome.FAILED, error=f"Unexpected error: {exc}")
        _move(document, State.PUBLISH_FAILED, f"Unexpected error while publishing: {exc}", attempt)
        return attempt

    _finish(attempt, PublishAttempt.Outcome.SUCCEEDED)
    Document.objects.filter(pk=document.pk).update(published_at=timezone.now())
    _move(
        document,
        State.PUBLISHED,
        f"Published to KashFlow as number {document.kashflow_number}.",
        attempt,
    )
    return attempt


def _publish(document: Document, attempt: PublishAttempt, client) -> None:
    sale = document.kind == Kind.SALE
    if document.kashflow_number is None:
        party_id = _party_id(document, client, attempt)
        invoice = build_invoice(document, party_id)
        existing = _find_in_ledger(client, document, invoice, sale)
        if existing is not None:
            _step(attempt, "ledger check", {"found": existing})
            _save(document, kashflow_number=existing)
        else:
            _step(attempt, "ledger check", {"found": None})
            number = client.insert_invoice(invoice) if sale else client.insert_receipt(invoice)
            _step(attempt, "InsertInvoice" if sale else "InsertReceipt", {"number": number})
            _save(document, kashflow_number=number)

    if document.kashflow_attachment_id is None:
        document.original.open("rb")
        try:
            content = document.original.read()
        finally:
            document.original.close()
        filename = _attachment_name(document)
        attach = client.attach_file_to_invoice if sale else client.attach_file_to_receipt
        attachment_id = attach(document.kashflow_number, content, filename, document.content_type)
        _step(
            attempt, "AttachFileToInvoice" if sale else "AttachFileToReceipt", {"id": attachment_id}
        )
        _save(document, kashflow_attachment_id=attachment_id)

    if document.paid and document.kind != Kind.EXPENSE and document.kashflow_payment_id is None:
        payment = Payment(
            invoice_number=document.kashflow_number,
            date=document.document_date,
            method_id=document.payment_method.kashflow_id,
            account_id=document.bank_account.kashflow_id,
            amount=document.total,
            note=document.card_last_four and f"Card ending {document.card_last_four}" or "",
        )
        pay = client.insert_invoice_payment if sale else client.insert_receipt_payment
        payment_id = pay(payment)
        _step(
            attempt, "InsertInvoicePayment" if sale else "InsertReceiptPayment", {"id": payment_id}
        )
        _save(document, kashflow_payment_id=payment_id)


def build_invoice(document: Document, party_id: int) -> Invoice:
    """The KashFlow invoice (sales) or receipt (purchase) a document becomes."""
    project_id = document.project.kashflow_id if document.project else 0
    nominal_id = document.nominal_code.kashflow_id
    rate = document.vat_rate.rate if document.vat_rate else EXEMPT_RATE
    lines = _itemised_lines(document, nominal_id, rate, project_id)
    if not lines:
        total = document.total or Decimal(0)
        vat = document.vat if document.vat is not None else Decimal(0)
        net = document.net if document.net is not None else total - vat
        lines.append(
            InvoiceLine(
                quantity=Decimal(1),
                description=(document.description or _default_description(document))[:255],
                rate=net,
                nominal_id=nominal_id,
                vat_rate=rate,
                vat_amount=vat,
                project_id=project_id,
            )
        )
    return Invoice(
        number=0,
        date=document.document_date,
        due_date=document.due_date or document.document_date,
        party_id=party_id,
        reference=_reference(document),
        project_id=project_id,
        currency_code=document.currency or "GBP",
        lines=lines,
    )


def _itemised_lines(document: Document, nominal_id: int, rate: Decimal, project_id: int) -> list:
    """The document's line items as KashFlow lines, or [] when they cannot be trusted.

    Lines are only used when their nets add up to the document's net to the penny: till
    receipts often print VAT-inclusive prices, and posting those as net would charge VAT twice.
    The VAT is spread over the lines in proportion, the last line taking the rounding, so the
    ledger's VAT equals the document's exactly.
    """
    items = document.lines or []
    if document.kind == Kind.EXPENSE or not items or document.net is None or document.vat is None:
        return []
    try:
        nets = [Decimal(str(item["net"])) for item in items]
        quantities = [Decimal(str(item.get("quantity") or 1)) for item in items]
    except (KeyError, TypeError, ArithmeticError, ValueError):
        return []
    if sum(nets) != document.net or any(q <= 0 for q in quantities) or document.net == 0:
        return []
    lines, vat_left = [], document.vat
    for index, (item, net, quantity) in enumerate(zip(items, nets, quantities, strict=True)):
        last = index == len(items) - 1
        vat = vat_left if last else (document.vat * net / document.net).quantize(Decimal("0.01"))
        vat_left -= vat
        lines.append(
            InvoiceLine(
                quantity=quantity,
                description=str(item.get("description") or document.description or "Item")[:255],
                rate=(net / quantity).quantize(Decimal("0.0001")),
                nominal_id=nominal_id,
                vat_rate=rate,
                vat_amount=vat,
                project_id=project_id,
            )
        )
    return lines


def _reference(document: Document) -> str:
    # The supplier's own number is what a bookkeeper searches KashFlow for; till receipts often
    # have none, so fall back to one that still ties the ledger entry to this document.
    return (document.document_number or f"TR-{document.pk}")[:50]


def _default_description(document: Document) -> str:
    if document.kind == Kind.EXPENSE:
        return f"Expense: {document.supplier_name or 'receipt'}"
    return document.supplier_name or document.original_name


def _attachment_name(document: Document) -> str:
    ext = mimetypes.guess_extension(document.content_type) or ""
    stem = (
        document.original_name.rsplit(".", 1)[0]
        if "." in document.original_name
        else document.original_name
    )
    return f"{stem}{ext}"[:200]


def _party_id(document: Document, client, attempt: PublishAttempt) -> int:
    if document.kind == Kind.SALE:
        return document.customer.kashflow_id
    if document.kind == Kind.EXPENSE and document.supplier_id is None:
        return _claimant_supplier(document, client, attempt).kashflow_id
    return document.supplier.kashflow_id


def claimant_supplier_name(claimant: str) -> str:
    return f"{claimant} - Expense claim"[:255]


def _claimant_supplier(document: Document, client, attempt: PublishAttempt) -> Supplier:
    """The supplier record an expense claimant is paid through, created in KashFlow on first use."""
    name = claimant_supplier_name(document.claimant)
    business = document.business
    local = Supplier.objects.filter(business=business, name=name, active=True).first()
    if local is None:
        new_id = client.insert_supplier(KashFlowSupplier(name=name))
        _step(attempt, "InsertSupplier", {"id": new_id, "name": name})
        local = Supplier.objects.create(business=business, kashflow_id=new_id, name=name)
    Document.objects.filter(pk=document.pk).update(supplier=local)
    document.supplier = local
    return local


def _find_in_ledger(client, document: Document, invoice: Invoice, sale: bool) -> int | None:
    """The number of a KashFlow record this document already made, if any."""
    found = client.find_invoice(invoice) if sale else client.find_receipt(invoice)
    return found.number if found else None


def _save(document: Document, **fields) -> None:
    # Saved at once, outside any wider transaction: a number KashFlow gave us must survive a crash
    # on the very next line, or a retry would post the document twice.
    Document.objects.filter(pk=document.pk).update(**fields)
    for name, value in fields.items():
        setattr(document, name, value)


def _step(attempt: PublishAttempt, step: str, result: dict) -> None:
    attempt.steps.append({"step": step, **result})
    PublishAttempt.objects.filter(pk=attempt.pk).update(steps=attempt.steps)


def _finish(
    attempt: PublishAttempt, outcome: str, *, error: str = "", retryable: bool = False
) -> None:
    attempt.outcome = outcome
    attempt.error = error
    attempt.retryable = retryable
    attempt.finished = timezone.now()
    attempt.save(update_fields=["outcome", "error", "retryable", "finished"])


def _move(document: Document, to_state: str, reason: str, attempt: PublishAttempt) -> None:
    record_event(
        document,
        "publish_attempt",
        actor=attempt.actor,
        message=attempt.error or "Published",
        data={"attempt": attempt.pk, "outcome": attempt.outcome, "steps": attempt.steps},
    )
    try:
        transition(
            document, to_state, actor=attempt.actor, reason=reason, expected=State.PUBLISHING
        )
    except TransitionRefused:
        log.warning("document %s left publishing while an attempt ran", document.pk)
