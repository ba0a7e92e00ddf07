"""A real Chromium (Debian's, headless) driven by Playwright against the live test server."""

import os
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django must still allow the ORM here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _file_test_database() -> None:
    """The live server answers each request in its own thread. An in-memory SQLite database
    shared between threads locks up ("database table is locked"), so when browser tests are
    collected the test database is a file, as it is in production."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        folder = tempfile.mkdtemp(prefix="tillroll-browser-db-")
        database.setdefault("TEST", {})["NAME"] = str(Path(folder) / "test.sqlite3")


_file_test_database()


@pytest.fixture
def browser_page():
    """A fresh browser profile and one page, 1440×900, that fails loudly on script errors."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed: run `make browser`.")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tillroll-chromium-") as profile:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 1440, "height": 900},
                locale="en-GB",
                timezone_id="Europe/London",
                accept_downloads=False,
            )
            context.set_default_timeout(20_000)
            page = context.pages[0] if context.pages else context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            # The bulk-publish button asks "are you sure?": a person would say yes.
            page.on("dialog", lambda dialog: dialog.accept())
            yield page
            context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def screenshot(browser_page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        browser_page.screenshot(path=str(path), full_page=False)
        return path

    return take


PASSWORD = "a-long-browser-password"


@pytest.fixture
def acme(kashflow_sandbox):
    """Acme, connected to the stand-in, with its Purchases code and 20% VAT copied locally."""
    from decimal import Decimal

    from kashflow.models import NominalCode, VatRate
    from publisher.models import Business
    from tests.kashflow_fixtures import SANDBOX_PASSWORD, SANDBOX_USERNAME

    business = Business(name="Acme Plumbing Ltd", slug="acme")
    business.kashflow_username = SANDBOX_USERNAME
    business.kashflow_password = SANDBOX_PASSWORD
    business.kashflow_endpoint = kashflow_sandbox.url
    business.save()
    state = kashflow_sandbox.state
    purchases = next(n for n in state.nominal_codes if n["Code"] == 5000)
    NominalCode.objects.create(
        business=business, kashflow_id=purchases["id"], code=5000, name=purchases["Name"]
    )
    standard = next(r for r in state.vat_rates if Decimal(r["Value"]) == 20)
    VatRate.objects.create(business=business, kashflow_id=standard["ID"], name="20%", rate=20)
    return business


def add_member(business, username: str, role: str):
    from django.contrib.auth import get_user_model

    from publisher.models import Membership

    user = get_user_model().objects.create_user(username, f"{username}@example.com", PASSWORD)
    Membership.objects.create(user=user, business=business, role=role)
    return user


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture(scope="session", autouse=True)
def _no_stray_database_sessions(django_db_setup, django_db_blocker):
    """The live server answers each browser connection in a daemon thread that keeps its database
    session between kept-alive requests and is not joined when the server stops; on PostgreSQL
    such an idle session stops the test database from being dropped. They are ended first."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
