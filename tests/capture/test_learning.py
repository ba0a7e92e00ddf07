from datetime import date
from decimal import Decimal

import pytest

from capture.extraction import extract
from capture.fixtures.generator import make_supplier, receipt_sample
from capture.learning import layout_for, learn_from_correction, number_pattern, supplier_key
from capture.models import SupplierLayout
from capture.ocr import read_document
from publisher.models import Business

from .conftest import needs_tesseract


@pytest.fixture
def business(db):
    return Business.objects.create(name="Acme Books", slug="acme-books")


def odd_receipt(seed: int, supplier, issued: date):
    """A supplier that labels its total "Settled", prints an account balance below it and
    writes dates year/day/month."""
    import random

    balance = Decimal(random.Random(seed).randint(30000, 90000)) / 100
    return receipt_sample(
        seed,
        "png",
        supplier=supplier,
        date=issued,
        total_label="Settled",
        date_formats=["%Y/%d/%m"],
        extra_rows=[("Account balance", balance)],
    )


@needs_tesseract
def test_it_reads_a_suppliers_second_document_right_after_one_correction(business):
    import random

    supplier = make_supplier(random.Random(99))
    first = odd_receipt(101, supplier, date(2026, 11, 5))
    pages = read_document(first.data, first.mime)
    before = extract(pages)
    assert before.value("date") != first.truth["date"]
    assert before.fields["total"].source != "layout"

    learn_from_correction(
        business,
        supplier.name,
        pages,
        {
            "total": str(first.truth["total"]),
            "date": first.truth["date"].isoformat(),
            "document_number": first.truth["document_number"],
        },
    )
    hints = layout_for(business, supplier.name.upper() + ".")
    assert hints["total_label"] == "settled"
    assert hints["date_orders"][0] == "YDM"

    second = odd_receipt(202, supplier, date(2026, 3, 9))
    after = extract(read_document(second.data, second.mime), layout=hints)
    assert after.value("date") == date(2026, 3, 9)
    assert after.value("total") == second.truth["total"]
    assert after.value("document_number") == second.truth["document_number"]
    assert after.fields["total"].source == "layout"


def test_it_keeps_one_layout_per_supplier_and_counts_corrections(business):
    from .helpers import page_from_lines

    pages = [page_from_lines(["KITE LTD", "Date 2026.23.11", "Paid up 12.00"])]
    learn_from_correction(business, "Kite Ltd", pages, {"total": "12.00"})
    learn_from_correction(business, "KITE LIMITED", pages, {"date": "2026-11-23"})
    layout = SupplierLayout.objects.get()
    assert layout.supplier_key == "kite"
    assert layout.corrections == 2
    assert layout.hints["total_label"] == "paid up"
    assert layout.hints["date_orders"] == ["YDM"]
    assert layout_for(business, "Someone Else") is None


def test_it_generalises_a_document_number_into_a_pattern():
    import re

    pattern = number_pattern("AS-2026/0042")
    assert re.fullmatch(pattern, "AS-2026/0107")
    assert not re.fullmatch(pattern, "INV-2026/0107")
    assert supplier_key("The Kite Company Ltd.") == "kite company"
