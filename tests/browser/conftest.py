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
