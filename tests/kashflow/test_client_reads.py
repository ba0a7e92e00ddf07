"""Reference data and look-ups, through the real client and the stand-in over HTTP."""

from datetime import datetime
from decimal import Decimal

from kashflow.client import KashFlowClient
from kashflow.sandbox.seed import vat_number_is_valid
from kashflow.types import (
    BankAccount,
    CompanyDetails,
    Currency,
    NominalCode,
    PaymentMethod,
    Project,
    VatRate,
)
from tests.kashflow_fixtures import SANDBOX_PASSWORD


def test_it_builds_a_client_from_the_kashflow_settings(settings, kashflow_sandbox):
    settings.KASHFLOW_ENDPOINT = kashflow_sandbox.url
    settings.KASHFLOW_APP_NAME = "Tillroll test"
    settings.KASHFLOW_READ_TIMEOUT = 7
    client = KashFlowClient.from_settings("demo", SANDBOX_PASSWORD, max_retries=1)
    assert client.endpoint == kashflow_sandbox.url
    assert client.app_name == "Tillroll test"
    assert client._transport.timeout == (5, 7)
    assert client._transport.max_retries == 1
    assert client.get_company_details().name == "Northern Lights Trading Ltd"


def test_it_tests_the_connection_by_reading_company_details(kashflow_client):
    details = kashflow_client.test_connection()
    assert isinstance(details, CompanyDetails)
    assert details.name == "Northern Lights Trading Ltd"
    assert details.postcode == "M1 3HE"
    assert details.vat_registered is True
    assert vat_number_is_valid(details.vat_number)


def test_it_reads_whether_the_business_is_vat_registered(kashflow_client, kashflow_sandbox):
    assert kashflow_client.is_user_vat_registered() is True
    kashflow_sandbox.state.vat_registered = False
    assert kashflow_client.is_user_vat_registered() is False


def test_it_reads_the_chart_of_accounts_with_ids_apart_from_codes(kashflow_client):
    nominals = kashflow_client.get_nominal_codes()
    by_code = {n.code: n for n in nominals}
    assert by_code[4000] == NominalCode(id=by_code[4000].id, code=4000, name="Sales")
    assert by_code[5000].name == "Purchases"
    assert by_code[7502].name == "Telephone"
    assert all(n.id != n.code for n in nominals)
    assert len({n.id for n in nominals}) == len(nominals)
    assert sum(1 for n in nominals if 7000 <= n.code < 8000) >= 20


def test_it_reads_vat_rates_as_decimal_percentages(kashflow_client):
    rates = kashflow_client.get_vat_rates()
    assert [r.value for r in rates] == [Decimal(20), Decimal(5), Decimal(0), Decimal(-1)]
    assert rates[0] == VatRate(1, "20%", "Standard rate", Decimal(20))
    assert all(isinstance(r.value, Decimal) for r in rates)


def test_it_reads_projects_banks_and_payment_methods(kashflow_client):
    assert kashflow_client.get_projects()[1] == Project(2, "Website Rebuild", "New online shop")
    assert kashflow_client.get_bank_accounts()[0] == BankAccount(1, "Current Account", 1200)
    assert PaymentMethod(1, "BACS") in kashflow_client.get_rec_pay_methods()
    assert PaymentMethod(15, "PayPal") in kashflow_client.get_inv_pay_methods()
    assert PaymentMethod(15, "PayPal") not in kashflow_client.get_rec_pay_methods()


def test_it_reads_currencies_with_gbp_as_default(kashflow_client):
    currencies = kashflow_client.get_currencies()
    assert currencies[0] == Currency(1, "GBP", Decimal(1), True)
    assert [(c.code, c.is_default) for c in currencies[1:]] == [("EUR", False), ("USD", False)]
    assert currencies[1].exchange_rate == Decimal("1.1650")


def test_it_reads_every_supplier_with_uk_details(kashflow_client):
    suppliers = kashflow_client.get_suppliers()
    assert len(suppliers) == 25
    first = suppliers[0]
    assert first.id == 1001
    assert first.code and first.code == first.code.upper()
    assert first.name and first.address1 and first.postcode
    assert isinstance(first.created, datetime)
    assert all(vat_number_is_valid(s.vat_number) for s in suppliers)
    assert len({s.code for s in suppliers}) == 25


def test_it_finds_a_supplier_by_code_and_by_id(kashflow_client):
    wanted = kashflow_client.get_suppliers()[3]
    assert kashflow_client.get_supplier(wanted.code) == wanted
    assert kashflow_client.get_supplier(wanted.code.lower()) == wanted
    assert kashflow_client.get_supplier_by_id(wanted.id) == wanted


def test_it_answers_none_for_a_supplier_kashflow_does_not_have(kashflow_client):
    assert kashflow_client.get_supplier("NOSUCH99") is None
    assert kashflow_client.get_supplier_by_id(999_999) is None


def test_it_reads_customers_and_finds_them_by_code_and_id(kashflow_client):
    customers = kashflow_client.get_customers()
    assert len(customers) == 25
    wanted = customers[7]
    assert wanted.country_code == "GB"
    assert kashflow_client.get_customer(wanted.code) == wanted
    assert kashflow_client.get_customer_by_id(wanted.id) == wanted
    assert kashflow_client.get_customer_by_id(1) is None
    assert kashflow_client.get_customer("NOBODY01") is None


def test_it_reads_nothing_when_a_lookup_finds_no_document(kashflow_client):
    assert kashflow_client.get_receipt(1) is None
    assert kashflow_client.get_invoice(1) is None
    assert kashflow_client.get_receipts_for_supplier(1001) == []
    assert kashflow_client.get_invoices_for_customer(1001) == []
    assert kashflow_client.get_receipts_with_paging(1, 50) == ([], 0, 0)
