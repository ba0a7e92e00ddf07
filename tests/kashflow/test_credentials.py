"""The password and the AutoAuth key never show up in errors, reprs, logs or request dumps."""

import logging

import pytest

from kashflow import errors
from kashflow.client import KashFlowClient
from tests.kashflow.test_errors import a_receipt
from tests.kashflow_fixtures import SANDBOX_AUTOAUTH_KEY, SANDBOX_PASSWORD, SANDBOX_USERNAME

WRONG_KEY = "FEEDFACE-1111-2222-3333-444455556666"


def provoke_every_failure(sandbox, retry_sleeps) -> tuple[list[BaseException], KashFlowClient]:
    """Run the client into each kind of error once and return what it raised."""
    raised = []
    client = KashFlowClient(
        SANDBOX_USERNAME,
        SANDBOX_PASSWORD,
        autoauth_key=SANDBOX_AUTOAUTH_KEY,
        endpoint=sandbox.url,
        read_timeout=1.0,
        max_retries=1,
        sleep=retry_sleeps.append,
    )
    wrong_key_client = KashFlowClient(
        SANDBOX_USERNAME, SANDBOX_PASSWORD, autoauth_key=WRONG_KEY, endpoint=sandbox.url
    )

    def write():
        client.insert_receipt(a_receipt())

    faults = [
        ("wrong_password", {}, write),
        ("api_disabled", {}, write),
        ("http_500", {}, client.get_suppliers),
        ("soap_fault", {}, write),
        ("drop_after_write", {"operation": "InsertReceipt"}, write),
        ("latency", {"operation": "InsertReceipt", "seconds": 2.0}, write),
    ]
    for kind, options, call in faults:
        sandbox.faults.clear()
        sandbox.faults.add(kind, **options)
        with pytest.raises(errors.KashFlowError) as failure:
            call()
        raised.append(failure.value)
    sandbox.faults.clear()
    with pytest.raises(errors.ValidationRefused) as failure:
        client.insert_receipt(a_receipt(supplier_id=5))
    raised.append(failure.value)
    sandbox.state.account.ip_restricted = True
    with pytest.raises(errors.IPNotAllowed) as failure:
        wrong_key_client.get_suppliers()
    raised.append(failure.value)
    return raised, client


def test_it_keeps_the_password_and_key_out_of_errors_logs_and_dumps(
    kashflow_sandbox, retry_sleeps, caplog
):
    caplog.set_level(logging.DEBUG)
    raised, client = provoke_every_failure(kashflow_sandbox, retry_sleeps)
    assert len({type(e) for e in raised}) == 6
    secrets = [SANDBOX_PASSWORD, SANDBOX_AUTOAUTH_KEY, WRONG_KEY]
    shown = [str(e) for e in raised] + [repr(e) for e in raised]
    shown += [repr(client), repr(client._transport), caplog.text]
    shown += [client.last_request.decode()]
    for secret in secrets:
        for text in shown:
            assert secret not in text
    assert b"<ns0:Password>***</ns0:Password>" in client.last_request
    assert "kashflow InsertReceipt" in caplog.text  # the calls were logged, just not secrets


def test_it_masks_the_autoauth_key_in_the_request_dump(kashflow_sandbox, retry_sleeps):
    client = KashFlowClient(
        SANDBOX_USERNAME, SANDBOX_PASSWORD, autoauth_key=SANDBOX_AUTOAUTH_KEY,
        endpoint=kashflow_sandbox.url,
    )  # fmt: skip
    client.auto_auth_ip()
    assert b"<ns0:AutoAuthKey>***</ns0:AutoAuthKey>" in client.last_request
    assert SANDBOX_AUTOAUTH_KEY.encode() not in client.last_request
    assert SANDBOX_PASSWORD.encode() not in client.last_request
