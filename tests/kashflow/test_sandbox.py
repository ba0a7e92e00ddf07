"""The stand-in on the wire: WSDL, raw SOAP 1.1 and 1.2 envelopes, faults, admin API, state
file, seed data and the management command."""

import json
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.conf import settings
from lxml import etree

from kashflow.client import KashFlowClient
from kashflow.errors import ApiNotEnabled, IPNotAllowed
from kashflow.sandbox import Sandbox
from kashflow.sandbox.seed import vat_check_digits, vat_number_is_valid
from kashflow.types import Invoice, InvoiceLine, Supplier
from tests.conftest import free_port
from tests.kashflow_fixtures import SANDBOX_PASSWORD

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"kf": "KashFlow", "s11": SOAP11, "s12": SOAP12}


def envelope(body: str, soap_ns: str = SOAP11) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{soap_ns}" '
        f'xmlns:xsi="{XSI}"><soap:Body>{body}</soap:Body></soap:Envelope>'
    ).encode()


def post11(sandbox, operation: str, inner: str, password=SANDBOX_PASSWORD):
    body = (
        f'<{operation} xmlns="KashFlow"><UserName>demo</UserName>'
        f"<Password>{password}</Password>{inner}</{operation}>"
    )
    return requests.post(
        sandbox.url,
        data=envelope(body),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"KashFlow/{operation}"',
        },
        timeout=5,
    )


def test_it_serves_its_wsdl_pointing_at_itself(kashflow_sandbox):
    for query in ("wsdl", "WSDL"):
        response = requests.get(f"{kashflow_sandbox.url}?{query}", timeout=5)
        assert response.status_code == 200
        root = etree.fromstring(response.content)
        locations = {a.get("location") for a in root.iter() if a.tag.endswith("}address")}
        assert locations == {kashflow_sandbox.url}
        assert root.get("targetNamespace") == "KashFlow"


def test_it_answers_a_raw_soap11_call_with_status_ok(kashflow_sandbox):
    response = post11(kashflow_sandbox, "GetVATRates", "")
    root = etree.fromstring(response.content)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    values = root.xpath("//kf:BasicDataset/kf:Value/text()", namespaces=NS)
    assert values == ["20", "5", "0", "-1"]
    assert root.xpath("string(//kf:Status)", namespaces=NS) == "OK"


def test_it_answers_soap12_with_the_action_in_the_content_type(kashflow_sandbox):
    body = (
        '<GetCurrencies xmlns="KashFlow"><UserName>demo</UserName>'
        f"<Password>{SANDBOX_PASSWORD}</Password></GetCurrencies>"
    )
    response = requests.post(
        kashflow_sandbox.url,
        data=envelope(body, SOAP12),
        headers={
            "Content-Type": 'application/soap+xml; charset=utf-8; action="KashFlow/GetCurrencies"'
        },
        timeout=5,
    )
    root = etree.fromstring(response.content)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    assert root.tag == f"{{{SOAP12}}}Envelope"
    assert root.xpath("//kf:CurrencyCode/text()", namespaces=NS) == ["GBP", "EUR", "USD"]


def test_it_answers_bad_credentials_in_band_with_a_zero_result(kashflow_sandbox):
    inner = "<Inv><InvoiceDBID>0</InvoiceDBID></Inv>"
    response = post11(kashflow_sandbox, "InsertReceipt", inner, password="guess")
    root = etree.fromstring(response.content)
    assert response.status_code == 200
    assert root.xpath("string(//kf:Status)", namespaces=NS) == "NO"
    assert (
        root.xpath("string(//kf:StatusDetail)", namespaces=NS) == "Incorrect username or password"
    )
    assert root.xpath("string(//kf:InsertReceiptResult)", namespaces=NS) == "0"
    assert kashflow_sandbox.state.receipts == {}


def test_it_reads_anytype_lines_whatever_prefix_names_the_type(kashflow_sandbox):
    line = (
        '<anyType xmlns:k="KashFlow" xsi:type="k:InvoiceLine"><Quantity>1</Quantity>'
        "<Rate>9.99</Rate><ChargeType>0</ChargeType><VatRate>20</VatRate>"
        "<VatAmount>2.00</VatAmount><ProductID>0</ProductID><Sort>1</Sort><ProjID>0</ProjID>"
        "<LineID>0</LineID></anyType>"
    )
    inner = (
        "<Inv><InvoiceDBID>0</InvoiceDBID><InvoiceNumber>0</InvoiceNumber>"
        "<InvoiceDate>2026-11-01T00:00:00</InvoiceDate><DueDate>2026-11-30T00:00:00</DueDate>"
        f"<CustomerID>1001</CustomerID><Lines>{line}{line.replace('k:', '')}</Lines></Inv>"
    )
    response = post11(kashflow_sandbox, "InsertReceipt", inner)
    assert etree.fromstring(response.content).xpath("string(//kf:Status)", namespaces=NS) == "OK"
    assert kashflow_sandbox.state.receipts[1]["NetAmount"] == Decimal("19.98")


@pytest.mark.parametrize(
    "payload",
    [
        b"<soap:Envelope><oops",
        envelope('<GetVATRates xmlns="KashFlow"><UserName>demo</UserName>'),
        envelope(
            '<GetSupplierByID xmlns="KashFlow"><SupplierID>abc</SupplierID></GetSupplierByID>'
        ),
        envelope('<Lines xmlns="KashFlow"><anyType><Quantity>1</Quantity></anyType></Lines>'),
    ],
)
def test_it_answers_unreadable_requests_with_http_500_and_a_soap_fault(kashflow_sandbox, payload):
    response = requests.post(
        kashflow_sandbox.url,
        data=payload,
        headers={"Content-Type": "text/xml; charset=utf-8"},
        timeout=5,
    )
    root = etree.fromstring(response.content)
    assert response.status_code == 500
    assert root.xpath("string(//s11:Fault/faultcode)", namespaces=NS) == "soap:Client"
    assert root.xpath("string(//s11:Fault/faultstring)", namespaces=NS)


def test_it_answers_an_unreadable_soap12_request_with_a_soap12_fault(kashflow_sandbox):
    response = requests.post(
        kashflow_sandbox.url,
        data=b"<not-closed>",
        headers={"Content-Type": 'application/soap+xml; action="KashFlow/GetVATRates"'},
        timeout=5,
    )
    root = etree.fromstring(response.content)
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    assert root.xpath("string(//s12:Code/s12:Value)", namespaces=NS) == "soap:Sender"


def test_it_refuses_an_action_that_does_not_match_the_body(kashflow_sandbox):
    body = '<GetVATRates xmlns="KashFlow"><UserName>demo</UserName></GetVATRates>'
    response = requests.post(
        kashflow_sandbox.url,
        data=envelope(body),
        headers={"Content-Type": "text/xml", "SOAPAction": '"KashFlow/DeleteSupplier"'},
        timeout=5,
    )
    assert response.status_code == 500
    assert b"did not recognize the value of HTTP Header SOAPAction" in response.content


def test_it_takes_faults_and_reports_state_through_the_admin_api(kashflow_sandbox,
                                                                  kashflow_client):  # fmt: skip
    base = kashflow_sandbox.url.rsplit("/api/", 1)[0]
    added = requests.post(
        f"{base}/_sandbox/faults",
        json={"kind": "api_disabled", "operation": "GetProjects", "text": "API is disabled"},
        timeout=5,
    )
    assert added.status_code == 201
    with pytest.raises(ApiNotEnabled):
        kashflow_client.get_projects()
    assert requests.delete(f"{base}/_sandbox/faults", timeout=5).json() == {"faults": []}
    assert len(kashflow_client.get_projects()) == 3
    state = requests.get(f"{base}/_sandbox/state", timeout=5).json()
    assert (state["suppliers"], state["customers"], state["receipts"]) == (25, 25, 0)
    bad = requests.post(f"{base}/_sandbox/faults", json={"kind": "meteor"}, timeout=5)
    assert bad.status_code == 400


def test_it_keeps_its_books_in_a_state_file_across_restarts(tmp_path):
    path = tmp_path / "var" / "kashflow.json"  # the folder is made on first save
    first = Sandbox.start(state_file=path, suppliers=3, customers=2)
    try:
        client = KashFlowClient("demo", "demo", endpoint=first.url)
        line = InvoiceLine(Decimal(2), "Paper", Decimal("4.99"), 0, Decimal(20), Decimal("2.00"))
        receipt = Invoice(date(2026, 11, 1), date(2026, 11, 30), 1001, "A1", [line])
        assert client.insert_receipt(receipt) == 1
        client.attach_file_to_receipt(1, b"image", "a.jpg")
    finally:
        first.stop()
    saved = json.loads(path.read_text())
    assert len(saved["receipts"]) == 1 and len(saved["suppliers"]) == 3
    second = Sandbox.start(state_file=path)
    try:
        client = KashFlowClient("demo", "demo", endpoint=second.url)
        again = client.get_receipt(1)
        assert again.net_amount == Decimal("9.98")
        assert again.lines[0].rate == Decimal("4.99")
        assert again.date == date(2026, 11, 1)
        assert len(client.get_suppliers()) == 3
        assert client.insert_receipt(receipt) == 2  # numbering carries on
        assert len(second.state.attachments) == 1
    finally:
        second.stop()


def test_it_seeds_the_number_of_parties_asked_for_with_valid_vat_numbers():
    sandbox = Sandbox.start(suppliers=300, customers=40)
    try:
        suppliers = KashFlowClient("demo", "demo", endpoint=sandbox.url).get_suppliers()
    finally:
        sandbox.stop()
    assert len(suppliers) == 300 and len(sandbox.state.customers) == 40
    assert len({s.code for s in suppliers}) == 300
    assert len({s.name for s in suppliers}) == 300
    assert all(vat_number_is_valid(s.vat_number) for s in suppliers)


def test_it_checks_vat_numbers_with_hmrcs_mod_97_rule():
    assert vat_check_digits("1234567") == "82"
    assert vat_number_is_valid("GB123456782")
    assert vat_number_is_valid("GB 123 4567 82")
    assert not vat_number_is_valid("GB123456783")
    assert vat_number_is_valid("GB123456727")  # the post-2010 "9755" variant of the rule
    assert not vat_number_is_valid("GB12345678")


@contextmanager
def sandbox_command(*options: str):
    """``manage.py kashflow_sandbox`` on a free port, stopped afterwards; yields its URL."""
    port = free_port()
    command = [sys.executable, "manage.py", "kashflow_sandbox", "--port", str(port), *options]
    process = subprocess.Popen(
        command, cwd=Path(settings.BASE_DIR), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        url = f"http://127.0.0.1:{port}/api/service.asmx"
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(url + "?wsdl", timeout=1).raise_for_status()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, process.stdout.read1().decode()
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_it_runs_from_the_management_command():
    options = ["--username", "ops", "--password", "pw-1", "--seed-suppliers", "4",
               "--fault", "http_500:GetCustomers:1"]  # fmt: skip
    with sandbox_command(*options) as url:
        client = KashFlowClient("ops", "pw-1", endpoint=url, sleep=lambda s: None)
        assert len(client.get_suppliers()) == 4
        assert len(client.get_customers()) == 25  # after one HTTP 500 and a retry


def test_it_restricts_ips_and_keeps_a_state_file_from_the_command_line(tmp_path):
    state_file = tmp_path / "books.json"
    options = ["--restrict-ips", "--autoauth-key", "ABCD-1234", "--state", str(state_file)]
    with sandbox_command(*options) as url:
        keyless = KashFlowClient("demo", "demo", endpoint=url)
        with pytest.raises(IPNotAllowed):
            keyless.get_suppliers()
        client = KashFlowClient("demo", "demo", autoauth_key="ABCD-1234", endpoint=url)
        assert client.test_connection().name == "Northern Lights Trading Ltd"
        assert json.loads(state_file.read_text())["account"]["allowed_ips"] == ["127.0.0.1"]
        supplier_id = client.insert_supplier(Supplier(name="Kendal Mint Co"))
        assert keyless.get_supplier_by_id(supplier_id).name == "Kendal Mint Co"  # now listed
    assert json.loads(state_file.read_text())["suppliers"][-1]["Name"] == "Kendal Mint Co"


def test_it_answers_from_records_changed_in_place(kashflow_sandbox, kashflow_client):
    # Tests elsewhere edit the books directly, as a user would in KashFlow's own screens.
    state = kashflow_sandbox.state
    with state.lock:
        state.suppliers[1001]["Code"] = "RENAMED1"
        del state.suppliers[1002]
    assert kashflow_client.get_supplier("RENAMED1").id == 1001
    assert kashflow_client.get_supplier_by_id(1002) is None
    assert len(kashflow_client.get_suppliers()) == 24


def test_it_has_an_answer_for_every_operation_in_our_wsdl():
    from kashflow.sandbox.operations import HANDLERS
    from kashflow.wsdl import OPERATIONS

    assert set(HANDLERS) == set(OPERATIONS)
