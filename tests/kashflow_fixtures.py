"""Fixtures for anything that talks to KashFlow: a real stand-in over HTTP and a client for it.

Registered in tests/conftest.py with ``pytest_plugins``. Each test gets fresh seeded books on a
free port, so tests never see each other's receipts.
"""

import pytest

from kashflow.client import KashFlowClient
from kashflow.sandbox import Sandbox

SANDBOX_USERNAME = "demo"
SANDBOX_PASSWORD = "s3cret-Pa55word"
SANDBOX_AUTOAUTH_KEY = "1234ABCD-5678-EF90-1234-ABCDEF567890"


@pytest.fixture
def kashflow_sandbox():
    """A running stand-in KashFlow: 25 suppliers, 25 customers, AutoAuth enabled."""
    sandbox = Sandbox.start(
        port=0,
        username=SANDBOX_USERNAME,
        password=SANDBOX_PASSWORD,
        autoauth_key=SANDBOX_AUTOAUTH_KEY,
    )
    yield sandbox
    sandbox.stop()


@pytest.fixture
def retry_sleeps():
    """The back-off delays the client asked for, recorded instead of slept."""
    return []


@pytest.fixture
def kashflow_client(kashflow_sandbox, retry_sleeps):
    """A client with the sandbox's login and no AutoAuth key; it records its back-off sleeps."""
    return KashFlowClient(
        SANDBOX_USERNAME,
        SANDBOX_PASSWORD,
        endpoint=kashflow_sandbox.url,
        connect_timeout=2,
        read_timeout=5,
        sleep=retry_sleeps.append,
    )
