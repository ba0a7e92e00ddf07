from datetime import date
from decimal import Decimal

import pytest

from capture.models import DocumentEvent, DocumentType, State
from kashflow.models import NominalCode, Supplier, VatRate
from publisher.autopublish import auto_publish_if_allowed, should_auto_publish
from publisher.rule_models import SupplierRule
from publisher.rules import apply_mapping
from tests.reference.conftest import add_party


@pytest.fixture
def ready(business, kashflow_sandbox, sync, new_document):
    """A document that passes every check, from a supplier whose rule allows auto-publishing."""
    add_party(kashflow_sandbox, "supplier", "Harrow Fuels Ltd")
    sync()
    supplier = Supplier.objects.get(business=business, name="Harrow Fuels Ltd")
    rule = SupplierRule.objects.create(
        business=business,
        supplier=supplier,
        nominal_code=NominalCode.objects.get(business=business, code=7300),
        vat_rate=VatRate.objects.get(business=business, rate=20),
        auto_publish=True,
    )
    document = new_document(
        supplier_name="Harrow Fuels",
        document_type=DocumentType.INVOICE,
        document_number="F-1",
        net=Decimal("50.00"),
        vat=Decimal("10.00"),
        total=Decimal("60.00"),
        extraction={"confidence": 0.97},
    )
    assert apply_mapping(document).problems == []
    document.refresh_from_db()
    return document, rule


def test_it_allows_a_document_that_passes_every_check(ready):
    document, _ = ready
    allowed, reason = should_auto_publish(document)
    assert allowed, reason
    assert "every check passed" in reason


def test_it_waits_when_the_rule_does_not_allow_it(ready):
    document, rule = ready
    rule.auto_publish = False
    rule.save()
    assert should_auto_publish(document) == (
        False,
        "The rule for Harrow Fuels Ltd does not allow auto-publishing.",
    )


def test_it_waits_when_the_supplier_is_not_matched(ready):
    document, _ = ready
    document.supplier = None
    allowed, reason = should_auto_publish(document)
    assert not allowed and "not matched" in reason


def test_it_waits_when_the_totals_disagree(ready):
    document, _ = ready
    document.total = Decimal("61.00")
    allowed, reason = should_auto_publish(document)
    assert not allowed and "gross total" in reason


def test_it_waits_when_the_vat_does_not_fit_the_rate(ready):
    document, _ = ready
    document.vat_rate = VatRate.objects.get(business=document.business, rate=5)
    allowed, reason = should_auto_publish(document)
    assert (allowed, reason) == (False, "VAT of 10.00 does not match 5% of 50.00 (2.50).")


def test_it_waits_when_a_duplicate_is_suspected(ready, new_document):
    document, _ = ready
    copy = new_document(
        supplier=document.supplier,
        supplier_name=document.supplier_name,
        document_type=DocumentType.INVOICE,
        document_number="F-1",
        document_date=date(2026, 11, 2),
        nominal_code=document.nominal_code,
        vat_rate=document.vat_rate,
        net=Decimal("50.00"),
        vat=Decimal("10.00"),
        total=Decimal("60.00"),
        extraction={"confidence": 0.99},
        state=State.READY,
    )
    allowed, reason = should_auto_publish(copy)
    assert not allowed and f"duplicate of document #{document.pk}" in reason


@pytest.mark.parametrize("confidence", [0.5, None])
def test_it_waits_when_the_reading_is_not_confident_enough(ready, confidence):
    document, _ = ready
    document.extraction["confidence"] = confidence
    allowed, reason = should_auto_publish(document)
    assert not allowed
    assert "certain" in reason or "confidence score" in reason


def test_it_follows_the_businesss_own_threshold(ready):
    document, _ = ready
    document.business.auto_publish_threshold = Decimal("0.99")
    allowed, reason = should_auto_publish(document)
    assert (allowed, reason) == (
        False,
        "The reading is 97% certain, below this business's 99% for auto-publishing.",
    )


def test_it_waits_when_the_nominal_code_left_kashflow(ready):
    document, _ = ready
    NominalCode.objects.filter(pk=document.nominal_code_id).update(active=False)
    document.nominal_code.refresh_from_db()
    allowed, reason = should_auto_publish(document)
    assert not allowed and "no longer in KashFlow" in reason


def _make_ready(document):
    from capture.states import transition

    return transition(document, State.READY, reason="Read and checked.")


def test_it_approves_and_publishes_what_the_rule_allows(
    ready, kashflow_sandbox, run_jobs, django_capture_on_commit_callbacks
):
    document, _ = ready
    _make_ready(document)

    with django_capture_on_commit_callbacks(execute=True):
        assert auto_publish_if_allowed(document) is True

    document.refresh_from_db()
    assert document.state == State.PUBLISHING
    assert "automatically by rule" in document.state_reason
    run_jobs("publish")
    document.refresh_from_db()
    assert document.state == State.PUBLISHED, document.state_reason
    assert document.kashflow_number in kashflow_sandbox.state.receipts


def test_it_leaves_a_document_waiting_with_the_reason(ready, run_jobs):
    document, rule = ready
    rule.auto_publish = False
    rule.save()
    _make_ready(document)

    assert auto_publish_if_allowed(document) is False

    document.refresh_from_db()
    assert document.state == State.READY
    assert document.extraction["auto_publish"] == {
        "allowed": False,
        "reason": "The rule for Harrow Fuels Ltd does not allow auto-publishing.",
    }
    assert DocumentEvent.objects.filter(
        document=document, message__startswith="Waiting for review"
    ).exists()
