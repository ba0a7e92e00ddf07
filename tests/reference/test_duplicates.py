from datetime import date
from decimal import Decimal

import pytest

from capture.models import DocumentType, State
from kashflow.models import Supplier
from publisher.duplicates import find_suspected_duplicate
from publisher.rules import apply_mapping
from tests.reference.conftest import add_party


@pytest.fixture
def supplier(business, kashflow_sandbox, sync):
    add_party(kashflow_sandbox, "supplier", "Harrow Fuels Ltd")
    sync()
    return Supplier.objects.get(business=business, name="Harrow Fuels Ltd")


def invoice(new_document, party, **fields):
    values = {
        "supplier": party,
        "supplier_name": "Harrow Fuels Ltd",
        "document_type": DocumentType.INVOICE,
        "document_number": "INV-100",
        "document_date": date(2026, 11, 2),
        "total": Decimal("120.00"),
        "state": State.READY,
    }
    values.update(fields)
    return new_document(**values)


def test_it_flags_the_same_supplier_number_date_and_gross(new_document, supplier):
    first = invoice(new_document, supplier)
    second = invoice(new_document, supplier, document_number="inv-100", state=State.PROCESSING)

    assert find_suspected_duplicate(second) == first
    assert find_suspected_duplicate(first) is None  # only an earlier one counts

    outcome = apply_mapping(second)

    second.refresh_from_db()
    assert second.extraction["suspected_duplicate_of"] == first.pk
    assert f"duplicate of document #{first.pk}" in " ".join(outcome.problems)


@pytest.mark.parametrize(
    "change",
    [
        {"document_number": "INV-101"},
        {"document_date": date(2026, 11, 3)},
        {"total": Decimal("120.01")},
        {"supplier": None, "supplier_name": "Someone Else Ltd"},
    ],
)
def test_it_does_not_flag_an_invoice_that_differs_in_any_key(new_document, supplier, change):
    invoice(new_document, supplier)
    second = invoice(new_document, supplier, **change)
    assert find_suspected_duplicate(second) is None


def test_it_ignores_the_number_on_till_receipts(new_document, supplier):
    first = invoice(new_document, supplier, document_type=DocumentType.RECEIPT, document_number="")
    second = invoice(
        new_document, supplier, document_type=DocumentType.RECEIPT, document_number="7"
    )
    assert find_suspected_duplicate(second) == first


def test_it_matches_an_earlier_copy_known_only_by_its_printed_name(new_document, supplier):
    first = invoice(new_document, supplier, supplier=None, supplier_name="harrow fuels ltd")
    second = invoice(new_document, supplier)
    assert find_suspected_duplicate(second) == first


def test_it_ignores_rejected_documents(new_document, supplier):
    invoice(new_document, supplier, state=State.REJECTED)
    second = invoice(new_document, supplier)
    assert find_suspected_duplicate(second) is None


def test_it_ignores_other_businesses(new_document, supplier, personas):
    from publisher.models import Business
    from tests.reference.conftest import make_document

    other = Business.objects.get(slug="other")
    make_document(
        other,
        supplier_name="Harrow Fuels Ltd",
        document_number="INV-100",
        total=Decimal("120.00"),
        document_type=DocumentType.INVOICE,
    )
    second = invoice(new_document, supplier)
    assert find_suspected_duplicate(second) is None
