"""Each error class as the stand-in produces it and the client hands it on: the message a
bookkeeper reads, whether it is retryable, and what (if anything) reached the books."""

import time
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from kashflow import errors
from kashflow.client import KashFlowClient
from kashflow.types import Invoice, InvoiceLine
from tests.kashflow_fixtures import SANDBOX_AUTOAUTH_KEY, SANDBOX_PASSWORD, SANDBOX_USERNAME


def client_for(sandbox, retry_sleeps, **options) -> KashFlowClient:
    options = {
        "endpoint": sandbox.url,
        "connect_timeout": 2,
        "read_timeout": 5,
        "sleep": retry_sleeps.append,
        **options,
    }
    return KashFlowClient(
        options.pop("username", SANDBOX_USERNAME),
        options.pop("password", SANDBOX_PASSWORD),
        **options,
    )


def a_receipt(supplier_id: int = 1001) -> Invoice:
    return Invoice(
        date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        party_id=supplier_id,
        reference="INV-88812",
        lines=[InvoiceLine(Decimal(1), "Printer paper", Decimal("20"), 0, Decimal(20), Decimal(4))],
    )


# ---------------------------------------------------------------- permanent refusals


def test_it_explains_a_wrong_password_and_points_at_the_api_password(
    kashflow_sandbox, retry_sleeps
):
    client = client_for(kashflow_sandbox, retry_sleeps, password="login-password")
    with pytest.raises(errors.AuthenticationFailed) as failed:
        client.test_connection()
    message = str(failed.value)
    assert "separate API password" in message
    assert "Apps > API Settings" in message
    assert failed.value.detail == "Incorrect username or password"
    assert failed.value.retryable is False
    assert retry_sleeps == []
    assert kashflow_sandbox.calls == ["GetCompanyDetails"]


def test_it_reports_a_wrong_password_fault_for_one_operation_only(
    kashflow_client, kashflow_sandbox
):
    kashflow_sandbox.faults.add("wrong_password", operation="GetSuppliers")
    assert kashflow_client.get_nominal_codes()
    with pytest.raises(errors.AuthenticationFailed):
        kashflow_client.get_suppliers()


def test_it_says_where_to_switch_the_api_on(kashflow_client, kashflow_sandbox, retry_sleeps):
    kashflow_sandbox.faults.add("api_disabled", text="The API has been disabled for this user.")
    with pytest.raises(errors.ApiNotEnabled) as failed:
        kashflow_client.insert_receipt(a_receipt())
    assert "Apps > API Settings > Enable SOAP API" in str(failed.value)
    assert failed.value.detail == "The API has been disabled for this user."
    assert failed.value.retryable is False
    assert retry_sleeps == []
    assert kashflow_sandbox.state.receipts == {}


def test_it_says_where_to_find_the_autoauth_key_when_none_is_stored(
    kashflow_client, kashflow_sandbox
):
    kashflow_sandbox.state.account.ip_restricted = True
    with pytest.raises(errors.IPNotAllowed) as failed:
        kashflow_client.insert_receipt(a_receipt())
    message = str(failed.value)
    assert "127.0.0.1" in message
    assert "Apps > API Settings > Enable AutoAuth" in message
    assert "paste the AutoAuth key into the KashFlow connection page" in message
    assert failed.value.retryable is False
    assert kashflow_sandbox.calls == ["InsertReceipt"]  # no AutoAuthIP without a key
    assert kashflow_sandbox.state.receipts == {}


def test_it_treats_an_insert_answering_zero_as_a_failure(kashflow_client, kashflow_sandbox):
    kashflow_sandbox.faults.add("zero_result", operation="InsertReceipt")
    with pytest.raises(errors.ValidationRefused, match="answered 0") as failed:
        kashflow_client.insert_receipt(a_receipt())
    assert failed.value.retryable is False
    assert kashflow_sandbox.state.receipts == {}


# ---------------------------------------------------------------- AutoAuth


def test_it_adds_its_address_with_autoauth_when_testing_the_connection(
    kashflow_sandbox, retry_sleeps
):
    kashflow_sandbox.state.account.ip_restricted = True
    client = client_for(kashflow_sandbox, retry_sleeps, autoauth_key=SANDBOX_AUTOAUTH_KEY)
    details = client.test_connection()
    assert details.name == "Northern Lights Trading Ltd"
    assert kashflow_sandbox.calls == ["AutoAuthIP", "GetCompanyDetails"]
    assert kashflow_sandbox.state.account.allowed_ips == ["127.0.0.1"]


def test_it_uses_autoauth_once_when_its_address_is_refused_then_repeats_the_call(
    kashflow_sandbox, retry_sleeps
):
    kashflow_sandbox.faults.add("ip_not_allowed")
    client = client_for(kashflow_sandbox, retry_sleeps, autoauth_key=SANDBOX_AUTOAUTH_KEY)
    number = client.insert_receipt(a_receipt())
    assert number == 1
    assert kashflow_sandbox.calls == ["InsertReceipt", "AutoAuthIP", "InsertReceipt"]
    assert len(kashflow_sandbox.state.receipts) == 1
    assert client.get_suppliers()  # the address stays listed
    assert kashflow_sandbox.calls.count("AutoAuthIP") == 1


def test_it_gives_up_after_one_autoauth_when_the_key_is_wrong(kashflow_sandbox, retry_sleeps):
    kashflow_sandbox.state.account.ip_restricted = True
    client = client_for(kashflow_sandbox, retry_sleeps, autoauth_key="DEADBEEF-0000")
    with pytest.raises(errors.IPNotAllowed) as failed:
        client.get_suppliers()
    assert "even after Tillroll used the AutoAuth key" in str(failed.value)
    assert kashflow_sandbox.calls == ["GetSuppliers", "AutoAuthIP"]
    assert kashflow_sandbox.state.account.allowed_ips == []


def test_it_reports_a_wrong_autoauth_key_when_testing_the_connection(
    kashflow_sandbox, retry_sleeps
):
    client = client_for(kashflow_sandbox, retry_sleeps, autoauth_key="DEADBEEF-0000")
    with pytest.raises(errors.ValidationRefused, match="AutoAuth key supplied is not valid"):
        client.test_connection()
    assert kashflow_sandbox.calls == ["AutoAuthIP"]


# ---------------------------------------------------------------- retryable failures


def test_it_retries_a_read_after_http_500_with_growing_jittered_back_off(
    kashflow_client, kashflow_sandbox, retry_sleeps
):
    kashflow_sandbox.faults.add("http_500", operation="GetSuppliers", times=3)
    assert len(kashflow_client.get_suppliers()) == 25
    assert kashflow_sandbox.calls == ["GetSuppliers"] * 4
    assert len(retry_sleeps) == 3
    for attempt, delay in enumerate(retry_sleeps, 1):
        ceiling = 0.5 * 2 ** (attempt - 1)
        assert ceiling / 2 <= delay <= ceiling


def test_it_stops_retrying_a_read_after_max_retries(kashflow_client, kashflow_sandbox,
                                                     retry_sleeps):  # fmt: skip
    kashflow_sandbox.faults.add("soap_fault", operation="GetNominalCodes")
    with pytest.raises(errors.KashFlowUnavailable) as failed:
        kashflow_client.get_nominal_codes()
    assert failed.value.retryable is True
    assert "try again" in str(failed.value)
    assert kashflow_sandbox.calls == ["GetNominalCodes"] * 4
    assert len(retry_sleeps) == 3


def test_it_retries_a_read_whose_connection_dropped(kashflow_client, kashflow_sandbox):
    kashflow_sandbox.faults.add("drop_after_write", operation="GetSuppliers", times=1)
    assert len(kashflow_client.get_suppliers()) == 25
    assert kashflow_sandbox.calls == ["GetSuppliers", "GetSuppliers"]


def test_it_retries_a_write_that_never_reached_kashflow(kashflow_sandbox, retry_sleeps):
    kashflow_sandbox.stop()  # nothing listens: the connection is refused before sending
    client = client_for(kashflow_sandbox, retry_sleeps, max_retries=2)
    with pytest.raises(errors.KashFlowUnavailable):
        client.insert_receipt(a_receipt())
    assert len(retry_sleeps) == 2


# ---------------------------------------------------------------- unknown outcomes


def test_it_never_resends_a_receipt_after_the_connection_dropped(
    kashflow_client, kashflow_sandbox, retry_sleeps
):
    kashflow_sandbox.faults.add("drop_after_write", operation="InsertReceipt")
    with pytest.raises(errors.OutcomeUnknown) as unknown:
        kashflow_client.insert_receipt(a_receipt())
    assert unknown.value.check_before_retry is True
    assert "look for it in KashFlow before sending it again" in str(unknown.value)
    assert kashflow_sandbox.calls == ["InsertReceipt"]
    assert retry_sleeps == []
    # The server did commit it: looking first is what stops a double posting.
    found = kashflow_client.find_receipt(a_receipt())
    assert found is not None and found.number == 1
    # Only the same receipt: another reference, supplier, date or amount is another purchase.
    receipt = a_receipt()
    assert kashflow_client.find_receipt(replace(receipt, reference=" inv-88812")).number == 1
    for change in ({"reference": "INV-00000"}, {"party_id": 1002},
                   {"date": date(2026, 11, 3)}, {"lines": receipt.lines * 2}):  # fmt: skip
        assert kashflow_client.find_receipt(replace(receipt, **change)) is None


def test_it_never_resends_a_receipt_after_a_read_timeout(kashflow_sandbox, retry_sleeps):
    kashflow_sandbox.faults.add("latency", operation="InsertReceipt", seconds=2.0)
    client = client_for(kashflow_sandbox, retry_sleeps, read_timeout=0.8)
    with pytest.raises(errors.OutcomeUnknown):
        client.insert_receipt(a_receipt())
    assert kashflow_sandbox.calls == ["InsertReceipt"]
    deadline = time.monotonic() + 5
    while not kashflow_sandbox.state.receipts and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(kashflow_sandbox.state.receipts) == [1]  # it landed after we gave up


def test_it_treats_a_server_fault_on_a_write_as_an_unknown_outcome(
    kashflow_client, kashflow_sandbox, retry_sleeps
):
    kashflow_sandbox.faults.add("soap_fault", operation="AttachFileToReceipt")
    with pytest.raises(errors.OutcomeUnknown):
        kashflow_client.attach_file_to_receipt(1, b"data", "a.png")
    assert kashflow_sandbox.calls == ["AttachFileToReceipt"]
    assert retry_sleeps == []


def test_it_retries_a_read_that_timed_out(kashflow_sandbox, retry_sleeps):
    kashflow_sandbox.faults.add("latency", operation="GetVATRates", seconds=2.0, times=1)
    client = client_for(kashflow_sandbox, retry_sleeps, read_timeout=0.8)
    assert len(client.get_vat_rates()) == 4
    assert kashflow_sandbox.calls == ["GetVATRates", "GetVATRates"]
    assert len(retry_sleeps) == 1


def test_it_reports_a_wrong_api_address_as_a_permanent_refusal(kashflow_sandbox, retry_sleeps):
    wrong = kashflow_sandbox.url.replace("/api/service.asmx", "/api/services.asmx")
    client = client_for(kashflow_sandbox, retry_sleeps, endpoint=wrong)
    with pytest.raises(errors.RequestRejected) as failed:
        client.get_company_details()
    assert f"The KashFlow address {wrong} answered HTTP 404" in str(failed.value)
    assert failed.value.retryable is False
    assert retry_sleeps == []


def test_it_marks_every_error_class_retryable_or_permanent():
    assert errors.KashFlowUnavailable.retryable is True
    assert errors.OutcomeUnknown.retryable is True
    assert errors.OutcomeUnknown.check_before_retry is True
    for permanent in (
        errors.AuthenticationFailed,
        errors.ApiNotEnabled,
        errors.IPNotAllowed,
        errors.ValidationRefused,
        errors.RequestRejected,
    ):
        assert permanent.retryable is False
        assert permanent.check_before_retry is False
