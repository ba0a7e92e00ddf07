from datetime import date
from decimal import Decimal

import pytest

from capture.models import DocumentEvent, Kind, State
from kashflow.models import BankAccount, Currency, NominalCode, PaymentMethod, Project, VatRate
from publisher.rule_models import CustomerRule, SupplierRule
from publisher.rules import apply_mapping, remember_rule
from tests.reference.conftest import add_party


@pytest.fixture
def books(business, kashflow_sandbox, sync):
    add_party(kashflow_sandbox, "supplier", "Harrow Fuels Ltd", "GB 222 3333 44")
    add_party(kashflow_sandbox, "supplier", "Pennyworth Print Ltd")
    add_party(kashflow_sandbox, "customer", "Borrowdale Hotels plc")
    sync()

    def get(model, **lookup):
        return model.objects.get(business=business, **lookup)

    return get


def test_it_matches_the_supplier_and_applies_its_rule(business, books, new_document):
    from kashflow.models import Supplier

    supplier = books(Supplier, name="Harrow Fuels Ltd")
    SupplierRule.objects.create(
        business=business,
        supplier=supplier,
        nominal_code=books(NominalCode, code=7300),
        vat_rate=books(VatRate, rate=20),
        project=books(Project, name="Shop Refit"),
        description="Van fuel",
        payment_method=books(PaymentMethod, name="Debit Card", direction="purchase"),
        bank_account=books(BankAccount, name="Current Account"),
        paid=True,
        due_days=14,
        currency=books(Currency, code="EUR"),
        capture_lines=False,
    )
    document = new_document(
        supplier_name="HARROW FUELS LIMITED", lines=[{"description": "Diesel", "net": "10"}]
    )

    outcome = apply_mapping(document)

    document.refresh_from_db()
    assert outcome.problems == []
    assert document.supplier == supplier
    assert (document.nominal_code.code, document.vat_rate.rate, document.project.name) == (
        7300,
        20,
        "Shop Refit",
    )
    assert document.payment_method.name == "Debit Card"
    assert document.bank_account.name == "Current Account"
    assert document.paid is True
    assert document.due_date == date(2026, 11, 16)
    assert document.currency == "EUR"
    assert document.description == "Van fuel"
    assert document.lines == []
    assert document.extraction["mapping"]["nominal_code"] == "The rule for Harrow Fuels Ltd."
    assert "same name" in document.extraction["mapping"]["supplier"]
    event = DocumentEvent.objects.get(document=document, action="mapping")
    # The history reads as sentences with field names in words, not "vat_rate: …;".
    assert "VAT rate: The rule for Harrow Fuels Ltd." in event.message
    assert "Nominal code: The rule" in event.message
    assert "_" not in event.message and ".;" not in event.message


def test_it_never_overwrites_what_a_reviewer_chose(business, books, new_document):
    from kashflow.models import Supplier

    supplier = books(Supplier, name="Harrow Fuels Ltd")
    SupplierRule.objects.create(
        business=business, supplier=supplier, nominal_code=books(NominalCode, code=7300)
    )
    chosen = books(NominalCode, code=7301)
    document = new_document(supplier=supplier, nominal_code=chosen)

    apply_mapping(document)

    document.refresh_from_db()
    assert document.nominal_code == chosen
    assert "nominal_code" not in document.extraction["mapping"]


def test_it_says_when_a_rule_points_at_an_archived_nominal_code(
    business, books, new_document, kashflow_sandbox, sync
):
    from kashflow.models import Supplier

    supplier = books(Supplier, name="Harrow Fuels Ltd")
    fuel = books(NominalCode, code=7300)
    SupplierRule.objects.create(business=business, supplier=supplier, nominal_code=fuel)
    with kashflow_sandbox.state.lock:
        kashflow_sandbox.state.nominal_codes = [
            n for n in kashflow_sandbox.state.nominal_codes if n["Code"] != 7300
        ]
    sync()
    document = new_document(supplier_name="Harrow Fuels", ocr={})

    outcome = apply_mapping(document)

    document.refresh_from_db()
    assert document.nominal_code_id != fuel.pk
    assert any("no longer in KashFlow" in p for p in outcome.problems)


def test_it_says_why_the_supplier_could_not_be_matched(business, books, new_document):
    document = new_document(supplier_name="Nobody We Know Ltd")

    outcome = apply_mapping(document)

    document.refresh_from_db()
    assert document.supplier is None
    assert any("Nobody We Know Ltd" in p and "create it" in p for p in outcome.problems)
    assert "Choose the KashFlow supplier." not in outcome.problems
    assert "candidates" in document.extraction["match"]


def test_it_matches_the_customer_on_a_sale(business, books, new_document):
    document = new_document(kind=Kind.SALE, supplier_name="Borrowdale Hotels")

    apply_mapping(document)

    document.refresh_from_db()
    assert document.customer.name == "Borrowdale Hotels plc"
    assert document.supplier is None


def test_on_a_sale_it_matches_the_customer_the_invoice_is_addressed_to(
    business, books, new_document
):
    # Capture names the customer from "Bill to"; a VAT number left on a sale is the business's
    # own (here it is a supplier's), which must not pull in that record.
    document = new_document(
        kind=Kind.SALE, supplier_name="BORROWDALE HOTELS", supplier_vat_number="GB 222 3333 44"
    )

    apply_mapping(document)

    document.refresh_from_db()
    assert document.customer.name == "Borrowdale Hotels plc"
    assert document.supplier is None


def test_it_suggests_the_coding_most_used_with_the_supplier(business, books, new_document):
    from kashflow.models import Supplier

    supplier = books(Supplier, name="Pennyworth Print Ltd")
    printing, stationery = books(NominalCode, code=7500), books(NominalCode, code=7504)
    refit = books(Project, name="Shop Refit")
    for day, nominal in ((1, printing), (2, printing), (3, stationery)):
        new_document(
            supplier=supplier,
            nominal_code=nominal,
            project=refit,
            state=State.PUBLISHED,
            document_date=date(2026, 10, day),
        )
    # Not approved: a rejected document's coding is no evidence.
    for _ in range(3):
        new_document(supplier=supplier, nominal_code=stationery, state=State.REJECTED)
    document = new_document(supplier_name="Pennyworth Print")

    outcome = apply_mapping(document)

    document.refresh_from_db()
    assert document.nominal_code == printing
    assert document.project == refit
    assert outcome.reasons["nominal_code"] == (
        "Used on 2 of the last 3 approved documents from Pennyworth Print Ltd."
    )


@pytest.mark.parametrize(
    "word, code",
    [("Unleaded petrol", 7300), ("Premier Inn hotel stay", 7402), ("Taxi fare", 7400)],
)
def test_it_suggests_a_nominal_code_from_words_on_the_document(
    business, books, new_document, word, code
):
    document = new_document(
        supplier_name="Unknown Till",
        ocr={"pages": [{"words": [{"text": w} for w in word.split()]}]},
    )

    outcome = apply_mapping(document)

    document.refresh_from_db()
    assert document.nominal_code.code == code
    assert "is on the document" in outcome.reasons["nominal_code"]


def test_it_does_not_suggest_a_cost_code_from_the_words_on_a_sale(business, books, new_document):
    from capture.models import Kind

    document = new_document(
        kind=Kind.SALE,
        supplier_name="Borrowdale Hotels plc",
        ocr={"pages": [{"words": [{"text": w} for w in "Postage stamps hotel".split()]}]},
    )

    outcome = apply_mapping(document)

    document.refresh_from_db()
    assert document.nominal_code is None
    assert "nominal_code" not in outcome.reasons
    assert document.customer.name == "Borrowdale Hotels plc"


def test_it_suggests_a_project_named_on_the_document(business, books, new_document):
    document = new_document(supplier_name="Someone", description="Timber for the shop refit")

    outcome = apply_mapping(document)

    document.refresh_from_db()
    assert document.project.name == "Shop Refit"
    assert outcome.reasons["project"] == "“Shop Refit” is printed on the document."


def test_it_suggests_the_vat_rate_the_amounts_imply(business, books, new_document):
    document = new_document(net=Decimal("40.00"), vat=Decimal("2.00"), total=Decimal("42.00"))

    outcome = apply_mapping(document)

    document.refresh_from_db()
    assert document.vat_rate.rate == 5
    assert outcome.reasons["vat_rate"] == "2.00 VAT on 40.00 net is 5%."


def test_it_remembers_the_reviewers_coding_as_the_rule(business, books, new_document, personas):
    from kashflow.models import Supplier

    supplier = books(Supplier, name="Pennyworth Print Ltd")
    document = new_document(
        supplier=supplier,
        nominal_code=books(NominalCode, code=7500),
        vat_rate=books(VatRate, rate=20),
        paid=True,
        due_date=date(2026, 12, 2),
        currency="USD",
    )

    rule = remember_rule(document, personas["reviewer"])

    assert rule.supplier == supplier
    assert rule.nominal_code.code == 7500
    assert rule.vat_rate.rate == 20
    assert rule.paid is True
    assert rule.due_days == 30
    assert rule.currency.code == "USD"
    assert rule.updated_by == personas["reviewer"]

    document.nominal_code = books(NominalCode, code=7504)
    remember_rule(document, personas["reviewer"])
    assert SupplierRule.objects.get().nominal_code.code == 7504


def test_it_refuses_to_remember_a_rule_without_a_party(business, books, new_document, personas):
    document = new_document(kind=Kind.SALE)
    with pytest.raises(ValueError):
        remember_rule(document, personas["reviewer"])
    assert not CustomerRule.objects.exists()
