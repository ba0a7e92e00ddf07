"""Publishing through the client: suppliers, customers, receipts, invoices, lines, payments and
attachments, checked against the stand-in's books; every refusal leaves the books untouched."""

import base64
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from kashflow.errors import ValidationRefused
from kashflow.types import Customer, Invoice, InvoiceLine, Payment, Supplier


def nominal_id(client, code: int) -> int:
    return next(n.id for n in client.get_nominal_codes() if n.code == code)


def taxi_receipt(client, supplier_id: int, **changes) -> Invoice:
    travel = nominal_id(client, 7400)
    lines = [
        InvoiceLine(Decimal(1), "Taxi to station", Decimal("12.50"), travel, Decimal(20),
                    Decimal("2.50")),
        InvoiceLine(Decimal(2), "Train ticket", Decimal("33.00"), travel, Decimal(0),
                    Decimal(0)),
    ]  # fmt: skip
    fields = dict(
        date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        party_id=supplier_id,
        reference="TR-2026-0042",
        lines=lines,
    )
    return Invoice(**(fields | changes))


def test_it_inserts_a_supplier_and_kashflow_gives_it_an_id_and_code(kashflow_client):
    new_id = kashflow_client.insert_supplier(
        Supplier(
            name="Greggs Plc",
            vat_number="GB123456782",
            postcode="NE3 3JZ",
            address1="Fernwood House",
            payment_terms=14,
        )  # fmt: skip
    )
    stored = kashflow_client.get_supplier_by_id(new_id)
    assert new_id > 1025
    assert stored.name == "Greggs Plc"
    assert stored.code == "GREGGS01"
    assert (stored.vat_number, stored.postcode, stored.payment_terms) == (
        "GB123456782",
        "NE3 3JZ",
        14,
    )
    assert stored.currency_id == 1  # KashFlow fills in the default currency


def test_it_keeps_a_customers_custom_fields_through_a_round_trip(kashflow_client):
    customer = Customer(
        name="Harbour Lights Cafe", country_name="United Kingdom", country_code="GB",
        discount=Decimal("2.5"), extra={"ExtraText3": "Table 12", "CheckBox2": 1},
    )  # fmt: skip
    stored = kashflow_client.get_customer_by_id(kashflow_client.insert_customer(customer))
    assert stored.extra == {"ExtraText3": "Table 12", "CheckBox2": 1}
    assert stored.discount == Decimal("2.5")
    assert stored.country_name == "United Kingdom"


def test_it_refuses_more_than_a_hundred_receipts_a_page(kashflow_client):
    with pytest.raises(ValidationRefused, match="PerPage must be between 1 and 100"):
        kashflow_client.get_receipts_with_paging(1, 101)


def test_it_refuses_a_supplier_code_already_taken_and_writes_nothing(
    kashflow_client, kashflow_sandbox
):
    taken = kashflow_client.get_suppliers()[0].code
    with pytest.raises(ValidationRefused, match="already exists") as refused:
        kashflow_client.insert_supplier(Supplier(name="Copycat Ltd", code=taken))
    assert refused.value.retryable is False
    assert len(kashflow_sandbox.state.suppliers) == 25


def test_it_inserts_a_customer(kashflow_client, kashflow_sandbox):
    new_id = kashflow_client.insert_customer(
        Customer(name="Bloom & Wild Ltd", email="ap@bloom.example", country_code="GB")
    )
    stored = kashflow_client.get_customer_by_id(new_id)
    assert stored.name == "Bloom & Wild Ltd"
    assert stored.email == "ap@bloom.example"
    assert kashflow_sandbox.state.customers[new_id]["Code"] == "BLOOMW01"


def test_it_publishes_a_receipt_with_lines_and_reads_it_back(kashflow_client, kashflow_sandbox):
    supplier = kashflow_client.get_suppliers()[2]
    number = kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier.id))
    sent = kashflow_client.last_request
    receipt = kashflow_client.get_receipt(number)
    assert sent.count(b'<ns0:anyType xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                      b'xsi:type="ns0:InvoiceLine">') == 2  # fmt: skip
    assert number == 1
    assert receipt.db_id != number  # numbers are what people see, ids what lines attach to
    assert receipt.party_id == supplier.id
    assert receipt.party_name == supplier.name
    assert receipt.reference == "TR-2026-0042"
    assert receipt.date == date(2026, 11, 2)
    assert receipt.due_date == date(2026, 12, 2)
    assert receipt.net_amount == Decimal("78.50")
    assert receipt.vat_amount == Decimal("2.50")
    assert [ln.description for ln in receipt.lines] == ["Taxi to station", "Train ticket"]
    assert receipt.lines[0].rate == Decimal("12.50")
    assert receipt.lines[0].nominal_id == nominal_id(kashflow_client, 7400)
    assert receipt.lines[1].vat_rate == Decimal(0)
    stored_line = kashflow_sandbox.state.receipts[1]["Lines"]["anyType"][0]
    assert stored_line["@type"] == "InvoiceLine"


def test_it_numbers_receipts_one_after_another(kashflow_client):
    supplier_id = kashflow_client.get_suppliers()[0].id
    numbers = [
        kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier_id)) for _ in range(3)
    ]
    assert numbers == [1, 2, 3]
    found = kashflow_client.get_receipts_for_supplier(supplier_id)
    assert [r.number for r in found] == [1, 2, 3]


def test_it_adds_a_line_to_a_receipt_by_its_database_id(kashflow_client):
    supplier_id = kashflow_client.get_suppliers()[0].id
    number = kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier_id))
    receipt = kashflow_client.get_receipt(number)
    line_id = kashflow_client.insert_receipt_line(
        receipt.db_id,
        InvoiceLine(
            Decimal(1),
            "Parking",
            Decimal("5.00"),
            nominal_id(kashflow_client, 7400),
            Decimal(20),
            Decimal("1.00"),
        ),  # fmt: skip
    )
    updated = kashflow_client.get_receipt(number)
    assert line_id == updated.lines[-1].line_id
    assert [ln.description for ln in updated.lines][-1] == "Parking"
    assert updated.net_amount == Decimal("83.50")
    assert updated.vat_amount == Decimal("3.50")


def test_it_pays_a_receipt_in_full(kashflow_client, kashflow_sandbox):
    supplier_id = kashflow_client.get_suppliers()[0].id
    number = kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier_id))
    pay_id = kashflow_client.insert_receipt_payment(
        Payment(
            number,
            date(2026, 11, 3),
            method_id=4,
            account_id=1,
            amount=Decimal("81.00"),
            note="Card ending 4242",
        )  # fmt: skip
    )
    receipt = kashflow_client.get_receipt(number)
    assert pay_id == 1
    assert receipt.paid == 1
    assert receipt.amount_paid == Decimal("81.00")
    assert kashflow_sandbox.state.payments[0]["PayNote"] == "Card ending 4242"
    assert kashflow_sandbox.state.payments[0]["Kind"] == "receipt"


def test_it_attaches_the_original_to_a_receipt(kashflow_client, kashflow_sandbox):
    supplier_id = kashflow_client.get_suppliers()[0].id
    number = kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier_id))
    content = b"%PDF-1.7\n" + bytes(range(256)) * 10
    attachment_id = kashflow_client.attach_file_to_receipt(number, content, "Taxi receipt.PDF")
    stored = kashflow_sandbox.state.attachments[0]
    assert attachment_id == 1
    assert (stored["Kind"], stored["Number"], stored["Filename"]) == (
        "receipt",
        number,
        "Taxi receipt.PDF",
    )
    assert stored["ContentType"] == "application/pdf"
    assert stored["FileExtension"] == "pdf"
    assert stored["FileSize"] == str(len(content))
    assert base64.b64decode(stored["Base64"]) == content


def test_it_publishes_a_sales_invoice_pays_it_and_attaches_a_file(kashflow_client,
                                                                 kashflow_sandbox):  # fmt: skip
    customer = kashflow_client.get_customers()[0]
    sales = nominal_id(kashflow_client, 4000)
    invoice = Invoice(
        date=date(2026, 11, 5), due_date=date(2026, 12, 5), party_id=customer.id,
        reference="PO 7781",
        lines=[InvoiceLine(Decimal(3), "Widgets", Decimal("40.00"), sales, Decimal(20),
                           Decimal("24.00"))],
    )  # fmt: skip
    number = kashflow_client.insert_invoice(invoice)
    stored = kashflow_client.get_invoice(number)
    db_line = kashflow_client.insert_invoice_line(
        stored.db_id,
        InvoiceLine(Decimal(1), "Delivery", Decimal("10.00"), sales, Decimal(20), Decimal(2)),
    )
    pay_id = kashflow_client.insert_invoice_payment(
        Payment(number, date(2026, 11, 20), method_id=11, account_id=1, amount=Decimal("156.00"))
    )
    attach_id = kashflow_client.attach_file_to_invoice(number, b"scan", "inv.jpg")
    final = kashflow_client.get_invoice(number)
    assert (number, pay_id, attach_id) == (1, 1, 1)
    assert db_line == final.lines[-1].line_id
    assert final.gross_amount == Decimal("156.00")
    assert final.paid == 1
    assert kashflow_client.get_invoices_for_customer(customer.id)[0].number == number
    assert kashflow_sandbox.state.attachments[0]["ContentType"] == "image/jpeg"
    assert kashflow_sandbox.state.receipts == {}


def test_it_keeps_a_number_given_by_the_caller_and_refuses_it_twice(
    kashflow_client, kashflow_sandbox
):
    supplier_id = kashflow_client.get_suppliers()[0].id
    receipt = taxi_receipt(kashflow_client, supplier_id, number=5001)
    assert kashflow_client.insert_receipt(receipt) == 5001
    with pytest.raises(ValidationRefused, match="number 5001 already exists"):
        kashflow_client.insert_receipt(receipt)
    assert list(kashflow_sandbox.state.receipts) == [5001]
    assert kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier_id)) == 5002


def test_it_sends_float_amounts_as_their_short_decimal_form(kashflow_client, kashflow_sandbox):
    supplier_id = kashflow_client.get_suppliers()[0].id
    line = InvoiceLine(3, "Pens", 0.1, 0, 20, 0.06)
    number = kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier_id,
                                                         lines=[line]))  # fmt: skip
    stored = kashflow_sandbox.state.receipts[number]
    assert stored["Lines"]["anyType"][0]["Rate"] == Decimal("0.1")
    assert stored["NetAmount"] == Decimal("0.30")
    assert b"<ns0:Rate>0.1</ns0:Rate>" in kashflow_client.last_request


def test_it_finds_an_invoice_as_posted_by_customer_reference_date_and_gross(kashflow_client):
    customer_id = kashflow_client.get_customers()[1].id
    line = InvoiceLine(Decimal(1), "Consulting", Decimal(500), 0, Decimal(20), Decimal(100))
    invoice = Invoice(date(2026, 11, 5), date(2026, 12, 5), customer_id, "PO-1", [line])
    first = kashflow_client.insert_invoice(invoice)
    second = kashflow_client.insert_invoice(invoice)
    assert kashflow_client.find_invoice(invoice).number == second != first
    assert kashflow_client.find_invoice(replace(invoice, reference="PO-2")) is None


def test_it_pages_through_receipts(kashflow_client):
    supplier_id = kashflow_client.get_suppliers()[0].id
    for _ in range(5):
        kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier_id))
    page, pages, total = kashflow_client.get_receipts_with_paging(2, 2)
    assert [r.number for r in page] == [3, 4]
    assert (pages, total) == (3, 5)
    unpaid, _, unpaid_total = kashflow_client.get_receipts_with_paging(1, 100, "Unpaid")
    assert unpaid_total == 5 and len(unpaid) == 5


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"party_id": 4242}, "There is no supplier with the ID 4242"),
        ({"lines": []}, "has no lines"),
        ({"currency_code": "JPY"}, "JPY is not enabled"),
        ({"project_id": 99}, "There is no project with the ID 99"),
        (
            {"lines": [InvoiceLine(Decimal(1), "Mystery", Decimal(1), 123, Decimal(20),
                                   Decimal("0.20"))]},
            "no nominal code with the ID 123",
        ),
        (
            {"lines": [InvoiceLine(Decimal(1), "Old VAT", Decimal(1), 0, Decimal("17.5"),
                                   Decimal("0.18"))]},
            "VAT rate 17.5% is not set up",
        ),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_receipt_and_nothing_is_written(
    kashflow_client, kashflow_sandbox, changes, reason
):
    supplier_id = kashflow_client.get_suppliers()[0].id
    with pytest.raises(ValidationRefused) as refused:
        kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier_id, **changes))
    assert reason in refused.value.detail
    assert str(refused.value) == f"KashFlow refused the purchase invoice: {refused.value.detail}"
    assert refused.value.operation == "InsertReceipt"
    assert kashflow_sandbox.state.receipts == {}


def test_it_refuses_payments_and_files_for_receipts_that_do_not_exist(
    kashflow_client, kashflow_sandbox
):
    with pytest.raises(ValidationRefused, match="no receipt with the number 77"):
        kashflow_client.insert_receipt_payment(
            Payment(77, date(2026, 11, 3), method_id=1, account_id=1, amount=Decimal(10))
        )
    with pytest.raises(ValidationRefused, match="no receipt with the number 77"):
        kashflow_client.attach_file_to_receipt(77, b"x", "x.png")
    with pytest.raises(ValidationRefused, match="no receipt with the ID 77"):
        kashflow_client.insert_receipt_line(
            77, InvoiceLine(Decimal(1), "x", Decimal(1), 0, Decimal(0), Decimal(0))
        )
    assert kashflow_sandbox.state.payments == []
    assert kashflow_sandbox.state.attachments == []


def test_it_refuses_a_payment_with_an_unknown_method_and_writes_nothing(
    kashflow_client, kashflow_sandbox
):
    supplier_id = kashflow_client.get_suppliers()[0].id
    number = kashflow_client.insert_receipt(taxi_receipt(kashflow_client, supplier_id))
    with pytest.raises(ValidationRefused, match="no payment method with the ID 15"):
        # 15 is a sales (invoice) method: receipts take the GetRecPayMethods ones.
        kashflow_client.insert_receipt_payment(
            Payment(number, date(2026, 11, 3), method_id=15, account_id=1, amount=Decimal(10))
        )
    assert kashflow_sandbox.state.payments == []
    assert kashflow_client.get_receipt(number).amount_paid == Decimal(0)
