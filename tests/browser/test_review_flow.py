"""End to end in Chromium: upload three receipts, watch them being read, correct and approve each
from the keyboard, publish to the KashFlow stand-in and see the KashFlow numbers."""

from decimal import Decimal

import pytest

from capture.models import Document, State
from kashflow.models import Supplier
from kashflow.sync import normalise_name
from publisher.models import Role
from tests.browser.conftest import add_member, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receipts():
    generator = pytest.importorskip("capture.fixtures.generator")
    pytest.importorskip("capture.extraction")
    return [generator.receipt_sample(seed) for seed in (3, 11, 27)]


@pytest.fixture
def reviewer_business(acme, kashflow_sandbox, receipts):
    """Acme knowing the three receipts' suppliers (but not how to code them), and Rita."""
    records = list(kashflow_sandbox.state.suppliers.values())[:3]
    for sample, record in zip(receipts, records, strict=True):
        name = sample.truth["supplier_name"]
        Supplier.objects.create(
            business=acme,
            kashflow_id=record["SupplierID"],
            name=name,
            normalised_name=normalise_name(name),
            vat_number=sample.truth["supplier_vat_number"] or "",
        )
    # Reviews, approves and publishes Acme's documents.
    add_member(acme, "rita", Role.REVIEWER)
    return acme


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def test_it_uploads_reads_corrects_approves_and_publishes(
    live_server, browser_page, screenshot, reviewer_business, receipts, run_jobs, kashflow_sandbox
):
    page, base = browser_page, live_server.url
    sign_in(page, base, "rita")
    page.wait_for_url(base + "/b/acme/")

    # Upload: three files in one pick, each with its own progress bar and result.
    page.goto(base + "/b/acme/upload/")
    page.set_input_files(
        "#id_file",
        [{"name": f"{s.name}.png", "mimeType": s.mime, "buffer": s.data} for s in receipts],
    )
    page.wait_for_function("document.querySelectorAll('#file-list li.accepted').length === 3")
    assert page.locator("#file-list .outcome.accepted").first.inner_text().startswith("Accepted")
    screenshot("upload")

    # The inbox shows them waiting and polls while they are being read.
    page.goto(base + "/b/acme/")
    assert page.locator("table.docs .badge.live").count() == 3
    assert page.locator("#inbox-live[hx-get]").count() == 1
    run_jobs("capture")
    # No reload: the polled partial swaps the rows in place.
    page.wait_for_function("document.querySelectorAll('table.docs .badge.live').length === 0")
    assert page.locator("#inbox-live[hx-get]").count() == 0
    states = set(Document.objects.values_list("state", flat=True))
    assert states <= {State.READY, State.NEEDS_ATTENTION}, states
    badges = page.locator("table.docs .badge").all_inner_texts()
    assert set(badges) <= {"Ready", "Needs attention"}
    screenshot("inbox")

    truth = {f"{s.name}.png": s.truth for s in receipts}
    order = list(Document.objects.filter(state__in=[State.READY, State.NEEDS_ATTENTION]))
    first = min(order, key=lambda d: (d.state != State.NEEDS_ATTENTION, d.created, d.id))
    page.goto(base + f"/b/acme/d/{first.pk}/")

    for step in range(3):
        document = Document.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
        facts = truth[document.original_name]
        # Hovering a field lights up where it was read on the image.
        page.focus("#id_total")
        if step == 0:
            page.wait_for_timeout(300)
            screenshot("review")
        # Correct what reading could not know, from the keyboard.
        # The supplier picker: type part of the name, take the suggestion.
        supplier = Supplier.objects.get(business=reviewer_business, name=facts["supplier_name"])
        page.fill("#id_supplier", "")
        page.type("#id_supplier", facts["supplier_name"][:6])
        page.wait_for_function(
            "n => Array.from(document.querySelectorAll('#id_supplier-options option'))"
            ".some(o => o.value === n)",
            arg=facts["supplier_name"],
        )
        page.fill("#id_supplier", facts["supplier_name"])
        page.wait_for_function(
            "id => document.querySelector('input[name=supplier]').value === String(id)",
            arg=supplier.pk,
        )
        page.select_option("#id_nominal_code", label="5000 Purchases")
        page.select_option("#id_vat_rate", label="20%")
        page.fill("#id_document_date", facts["date"].isoformat())
        page.fill("#id_net", _money(facts["net"]))
        page.fill("#id_vat", _money(facts["vat"]))
        page.fill("#id_total", _money(facts["total"]))
        page.keyboard.press("Control+s")
        page.wait_for_selector(".messages .success")
        assert Document.objects.get(pk=document.pk).nominal_code.code == 5000
        # Approve and move to the next document in one keystroke.
        page.focus("#id_description")
        page.keyboard.press("Control+Enter")
        page.wait_for_load_state()
        page.wait_for_selector(".messages .success")
        assert Document.objects.get(pk=document.pk).state == State.PUBLISHING
        assert "Approved" in page.locator(".messages .success").inner_text()

    assert page.url == base + "/b/acme/"
    assert Document.objects.filter(state=State.PUBLISHING).count() == 3

    page.goto(base + f"/b/acme/d/{first.pk}/")
    assert page.locator("#doc-status[hx-get]").count() == 1
    run_jobs("publish")
    # The status card polls, sees the document published, and reloads the page.
    link = page.wait_for_selector("#kashflow-link")
    first.refresh_from_db()
    assert first.state == State.PUBLISHED, first.state_reason
    assert f"KashFlow #{first.kashflow_number}" in link.inner_text()
    assert first.kashflow_number in kashflow_sandbox.state.receipts
    history = page.locator("#history").inner_text()
    assert "rita changed" in history and "publish attempt: succeeded" in history
    screenshot("published")

    page.goto(base + "/b/acme/?state=published")
    numbers = page.locator("table.docs td .small.muted").all_inner_texts()
    assert len(numbers) == 3 and all(n.startswith("#") for n in numbers)
    assert Document.objects.filter(state=State.PUBLISHED).count() == 3
