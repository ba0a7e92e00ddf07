import pytest

from kashflow.models import Supplier
from kashflow.sync import normalise_name, vat_key
from publisher.matching import MATCH_THRESHOLD, match_customer, match_supplier
from tests.reference.conftest import add_party


@pytest.mark.parametrize(
    "a, b",
    [
        ("ACME LTD", "Acme Limited"),
        ("Acme Ltd.", "ACME"),
        ("The Acme Co.", "acme"),
        ("Acme & Co Ltd", "ACME"),
        ("Smith & Jones plc", "Smith and Jones"),
        ("Café Rouge LLP", "CAFE ROUGE"),
        ("A.C.M.E. Supplies, Ltd", "ACME Supplies"),
    ],
)
def test_it_normalises_names_that_mean_the_same_firm_alike(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_it_keeps_names_that_are_only_suffixes_and_tells_firms_apart():
    assert normalise_name("Limited Editions Ltd") == "LIMITED EDITIONS"
    assert normalise_name("Acme Plumbing") != normalise_name("Acme Electrical")


def test_it_reduces_vat_numbers_to_their_digits():
    assert vat_key("GB 123 4567 89") == vat_key("123456789") == "123456789"
    assert vat_key("n/a") == ""


@pytest.fixture
def books(kashflow_sandbox, sync):
    add_party(kashflow_sandbox, "supplier", "Acme Limited", "GB 987 6543 21")
    add_party(kashflow_sandbox, "supplier", "Zephyr Plumbing Supplies Ltd")
    add_party(kashflow_sandbox, "supplier", "Quillon Stationers", "GB 111 2222 33")
    add_party(kashflow_sandbox, "supplier", "Quillon Stationery")
    add_party(kashflow_sandbox, "supplier", "Twinley Bakery Ltd")
    add_party(kashflow_sandbox, "supplier", "Twinley Bakery Limited")
    add_party(kashflow_sandbox, "customer", "Borrowdale Hotels plc", "GB 555 4444 33")
    sync()


def test_it_matches_by_vat_number_whatever_the_name_says(business, books):
    match = match_supplier(business, "Totally different name", "987654321")
    assert match.record.name == "Acme Limited"
    assert match.score == 100
    assert "VAT number" in match.reason


def test_it_does_not_take_a_same_name_supplier_whose_vat_number_differs(business, books):
    # The document is from another firm that shares (or was misread as) Acme's name.
    match = match_supplier(business, "Acme Ltd", "GB 123 4567 89")
    assert match.record is None
    assert match.candidates[0].record.name == "Acme Limited"
    assert match.reason.startswith("The KashFlow supplier Acme Limited has the same name but")
    assert "(GB 987 6543 21 there, GB 123 4567 89 on the document)" in match.reason


def test_it_still_takes_a_same_name_supplier_when_only_one_side_has_a_vat_number(business, books):
    assert match_supplier(business, "Zephyr Plumbing Supplies", "GB 123 4567 89").matched
    assert match_supplier(business, "Acme Ltd", "").record.name == "Acme Limited"


def test_it_matches_a_name_whatever_its_legal_suffix_and_case(business, books):
    match = match_supplier(business, "ACME LTD", "")
    assert match.record.name == "Acme Limited"
    assert match.score == 100


def test_it_matches_a_slightly_misread_name_with_its_score(business, books):
    match = match_supplier(business, "Zephyr Plumbng Supplies", "")
    assert match.record.name == "Zephyr Plumbing Supplies Ltd"
    assert MATCH_THRESHOLD <= match.score < 100
    assert "%" in match.reason


def test_it_offers_candidates_instead_of_guessing_below_the_threshold(business, books):
    match = match_supplier(business, "Zephyr Pipes", "")
    assert match.record is None
    assert match.score < MATCH_THRESHOLD
    assert match.candidates[0].record.name == "Zephyr Plumbing Supplies Ltd"
    assert "closely enough" in match.reason


def test_it_refuses_to_choose_between_two_equally_good_names(business, books):
    match = match_supplier(business, "Twinley Bakery", "")
    assert match.record is None
    assert {c.record.name for c in match.candidates[:2]} == {
        "Twinley Bakery Ltd",
        "Twinley Bakery Limited",
    }
    assert "equally" in match.reason


def test_it_never_matches_a_supplier_gone_from_kashflow(business, books):
    Supplier.objects.filter(business=business, name="Acme Limited").update(active=False)
    match = match_supplier(business, "Acme Ltd", "GB987654321")
    assert match.record is None or match.record.name != "Acme Limited"
    assert all(c.record.name != "Acme Limited" for c in match.candidates)


def test_it_matches_customers_separately_from_suppliers(business, books):
    assert match_customer(business, "Borrowdale Hotels", "").record.name == "Borrowdale Hotels plc"
    assert match_supplier(business, "Borrowdale Hotels plc", "").record is None


def test_it_never_matches_another_businesss_supplier(business, books, personas):
    from publisher.models import Business

    other = Business.objects.get(slug="other")
    assert match_supplier(other, "Acme Limited", "GB987654321").record is None
