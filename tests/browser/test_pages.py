"""In Chromium: bulk publish with live progress, the image viewer's keys and highlights, and a
screenshot of every other page."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw

from capture.models import Document, State
from kashflow.models import NominalCode, Supplier, VatRate
from publisher.models import Business, Membership, PublishAttempt, Role
from tests.browser.conftest import add_member, sign_in
from tests.web.conftest import make_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _two_page_pdf() -> bytes:
    pages = []
    for n in (1, 2):
        page = Image.new("RGB", (600, 850), "white")
        ImageDraw.Draw(page).text((40, 40), f"INVOICE PAGE {n}", fill="black")
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


@pytest.fixture
def office(acme, kashflow_sandbox):
    """Acme with coded documents in every state, an admin, a bookkeeper and other clients."""
    business = acme
    business.kashflow_company_name = "Acme Plumbing Ltd (KashFlow)"
    business.save()
    state = kashflow_sandbox.state
    kf_supplier = next(iter(state.suppliers.values()))
    supplier = Supplier.objects.create(
        business=business, kashflow_id=kf_supplier["SupplierID"], name=kf_supplier["Name"]
    )
    coded = {
        "supplier": supplier,
        "nominal_code": NominalCode.objects.get(business=business),
        "vat_rate": VatRate.objects.get(business=business),
    }
    for day in (3, 4, 5):
        make_document(business, State.READY, document_date=dt.date(2026, 11, day), **coded)
    make_document(
        business,
        State.NEEDS_ATTENTION,
        supplier_name="Mystery Supplies",
        total=Decimal("13.00"),
        state_reason="Supplier not found in KashFlow: choose one or create it.",
        ocr={"pages": [{"width": 600, "height": 850, "words": []}] * 2},
        extraction={
            "fields": {
                "total": {"value": "13.00", "confidence": 0.55, "boxes": [[0, 40, 40, 200, 20]]},
                "document_number": {"confidence": 0.9, "boxes": [[1, 40, 40, 200, 20]]},
            },
            "match": {"candidates": [{"id": supplier.pk, "name": supplier.name, "score": 80}]},
        },
    )
    pdf = Document.objects.get(state=State.NEEDS_ATTENTION)
    from django.core.files.base import ContentFile

    data = _two_page_pdf()
    pdf.content_type, pdf.page_count, pdf.original_name = "application/pdf", 2, "invoice.pdf"
    pdf.original.save("invoice.pdf", ContentFile(data), save=False)
    pdf.sha256 = "f" * 64
    pdf.save()
    failed = make_document(
        business, State.PUBLISH_FAILED, document_date=dt.date(2026, 11, 1), **coded
    )
    PublishAttempt.objects.create(
        document=failed,
        outcome=PublishAttempt.Outcome.FAILED,
        error="KashFlow refused the receipt: the supplier is archived.",
    )
    make_document(business, State.PROCESSING, supplier_name="", total=None)
    # Manages Acme's connection and members; approves and publishes.
    admin = add_member(business, "ada", Role.ADMIN)
    # Uploads and corrects only.
    add_member(business, "bob", Role.BOOKKEEPER)
    for n, name in enumerate(["Bramley Bakery", "Castle Dental", "Dale Farm Shop"]):
        other = Business.objects.create(name=name, slug=f"client-{n}")
        Membership.objects.create(user=admin, business=other, role=Role.REVIEWER)
    return business


def test_it_publishes_the_selected_documents_and_shows_progress_live(
    live_server, browser_page, screenshot, office, run_jobs, kashflow_sandbox
):
    page, base = browser_page, live_server.url
    sign_in(page, base, "ada")
    page.goto(base + "/b/acme/?state=ready")
    page.check("#select-all")
    assert page.inner_text("#publish-selected") == "Approve & publish 3 selected"
    page.click("#publish-selected")
    page.wait_for_url("**/b/acme/?state=publishing")
    assert "3 documents sent to KashFlow." in page.inner_text(".messages")
    assert page.locator("table.docs .badge.live").count() == 3
    screenshot("inbox-publishing")

    run_jobs("publish")
    page.wait_for_function("document.querySelectorAll('table.docs .badge.live').length === 0")
    assert page.locator("table.docs .badge.published").count() == 3
    numbers = page.locator("table.docs td .small.muted").all_inner_texts()
    assert sorted(numbers) == sorted(
        f"#{n}"
        for n in Document.objects.filter(state=State.PUBLISHED).values_list(
            "kashflow_number", flat=True
        )
    )
    # The tab counts follow without a reload too.
    assert page.inner_text('#inbox-tabs [data-state="published"]') == "3"


def test_it_zooms_rotates_pages_and_lights_up_fields_from_the_keyboard(
    live_server, browser_page, screenshot, office
):
    page, base = browser_page, live_server.url
    sign_in(page, base, "ada")
    document = Document.objects.get(state=State.NEEDS_ATTENTION)
    page.goto(base + f"/b/acme/d/{document.pk}/")
    page.wait_for_selector(".page.current img")
    assert "Supplier not found in KashFlow" in page.inner_text(".problems")
    assert "Net plus VAT does not equal the gross total." in page.inner_text(
        '.field[data-field="total"]'
    )

    page.keyboard.press("+")
    assert page.inner_text("#zoom-label") == "125%"
    page.keyboard.press("r")
    assert "rotate(90deg)" in page.get_attribute(".page.current", "style")
    page.keyboard.press("0")
    page.keyboard.press("]")
    assert page.inner_text("#page-label") == "Page 2 of 2"
    assert page.get_attribute(".page.current", "data-page") == "2"

    # Focusing a field read on page 1 turns back to page 1 and lights its words.
    page.focus("#id_total")
    assert page.get_attribute(".page.current", "data-page") == "1"
    assert page.locator('.hl.on[data-field="total"]').count() == 1
    page.hover('.field[data-field="document_number"]')
    assert page.get_attribute(".page.current", "data-page") == "2"
    page.mouse.move(5, 5)
    page.focus("#id_net")
    page.focus("#id_total")
    assert page.get_attribute(".page.current", "data-page") == "1"
    screenshot("review-needs-attention")

    # "Did you mean" fills the supplier picker.
    page.click("[data-pick-id]")
    assert page.input_value("input[name=supplier]") == str(
        Supplier.objects.get(business=document.business).pk
    )
    assert page.input_value("#id_supplier") == Supplier.objects.get().name

    # Alt+L adds a line and puts the cursor in it; Alt+R opens the reject reason.
    page.keyboard.press("Alt+l")
    # One blank line is always offered; the new one comes after it.
    assert page.evaluate("document.activeElement.name") == "lines-1-description"
    page.keyboard.press("Escape")
    page.keyboard.press("Alt+r")
    assert page.evaluate("document.activeElement.name") == "reason"
    page.keyboard.type("Personal purchase")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages .success")
    assert Document.objects.get(pk=document.pk).state == State.REJECTED


def test_it_shows_a_failure_with_kashflow_s_reason_and_retries(
    live_server, browser_page, screenshot, office
):
    page, base = browser_page, live_server.url
    sign_in(page, base, "ada")
    failed = Document.objects.get(state=State.PUBLISH_FAILED)
    page.goto(base + f"/b/acme/d/{failed.pk}/")
    assert "the supplier is archived" in page.inner_text("#doc-status")
    screenshot("review-publish-failed")
    page.click("#retry")
    page.wait_for_selector(".messages .success")
    assert Document.objects.get(pk=failed.pk).state == State.PUBLISHING


def test_it_renders_the_other_pages(live_server, browser_page, screenshot, office):
    page, base = browser_page, live_server.url
    page.goto(base + "/login/")
    screenshot("login")
    sign_in(page, base, "ada")
    page.goto(base + "/businesses/")
    assert page.locator(".card").count() == 4
    screenshot("businesses")
    page.goto(base + "/b/acme/")
    page.click(".switcher summary")
    assert page.locator(".switcher-menu a").count() == 5
    screenshot("inbox-all")
    page.goto(base + "/b/acme/settings/kashflow/")
    assert page.locator(".stored").count() == 1
    assert page.input_value("#id_password") == ""
    screenshot("connection")
    page.goto(base + "/b/acme/settings/members/")
    assert page.locator("#members tbody tr").count() == 2
    screenshot("members")
    page.goto(base + "/b/acme/rules/")
    screenshot("rules")
    page.goto(base + "/b/acme/kashflow/sync/")
    screenshot("sync")
    page.goto(base + "/b/acme/upload/")
    page.select_option("#id_kind", "expense")
    assert page.is_visible("#id_claimant")
    screenshot("upload-expense")


def test_it_works_the_inbox_from_the_keyboard(live_server, browser_page, office):
    page, base = browser_page, live_server.url
    sign_in(page, base, "ada")
    page.goto(base + "/b/acme/?state=ready")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.inner_text("#publish-selected") == "Approve & publish 1 selected"
    second = page.locator("table.docs tbody tr").nth(1)
    href = second.locator("td.party a").get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(base + href)
    page.go_back()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "id_q"


def test_it_takes_files_dropped_on_the_page_and_says_what_became_of_each(
    live_server, browser_page, screenshot, office
):
    from tests.web.conftest import receipt_png

    page, base = browser_page, live_server.url
    sign_in(page, base, "bob")
    page.goto(base + "/b/acme/upload/")
    fresh = list(receipt_png("DROPPED RECEIPT 1"))
    files = [
        ("one.png", "image/png", fresh),
        ("again.png", "image/png", fresh),
        ("notes.txt", "text/plain", list(b"not a receipt")),
    ]
    # Drop one file first so the second copy arrives after it and is seen as a duplicate.
    for batch in (files[:1], files[1:]):
        page.evaluate(
            """files => {
                const data = new DataTransfer();
                for (const [name, type, bytes] of files) {
                    data.items.add(new File([new Uint8Array(bytes)], name, { type }));
                }
                const zone = document.getElementById("dropzone");
                const init = { dataTransfer: data, bubbles: true };
                zone.dispatchEvent(new DragEvent("dragover", init));
                zone.dispatchEvent(new DragEvent("drop", init));
            }""",
            batch,
        )
        page.wait_for_function(
            f"document.querySelectorAll('#file-list li:not(.refused):not(.accepted)"
            f":not(.duplicate)').length === 0 && "
            f"document.querySelectorAll('#file-list li').length === {1 if len(batch) == 1 else 3}"
        )
    outcomes = page.locator("#file-list .outcome").all_inner_texts()
    assert outcomes[0] == "Accepted: reading it now."
    assert outcomes[1].startswith("Already uploaded as document")
    assert outcomes[2].startswith("This is not a file we can read")
    assert "1 accepted · 1 duplicate · 1 refused." in page.inner_text("#upload-summary")
    page.wait_for_timeout(300)  # let the bars finish their last stretch
    screenshot("upload-results")
    assert Document.objects.filter(original_name="one.png", uploaded_by__username="bob").exists()
    assert not Document.objects.filter(original_name="notes.txt").exists()


def test_it_keeps_a_rule_s_edit_and_delete_buttons_on_its_row(
    live_server, browser_page, screenshot, office
):
    from publisher.rule_models import SupplierRule

    SupplierRule.objects.create(
        business=office,
        supplier=Supplier.objects.get(business=office),
        nominal_code=NominalCode.objects.get(business=office),
    )
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, base, "ada")
    page.goto(base + "/b/acme/rules/")
    screenshot("rules-with-a-rule")
    row = page.locator("table.rules tbody tr").first
    edit = row.get_by_role("link", name="Edit").bounding_box()
    delete = row.get_by_role("button", name="Delete").bounding_box()
    # Side by side, in one short row, and the table stays inside the page.
    assert abs(edit["y"] - delete["y"]) < 2 and delete["x"] > edit["x"] + edit["width"]
    assert row.bounding_box()["height"] < 70
    table = page.locator("table.rules").first.bounding_box()
    main = page.locator("main").bounding_box()
    assert table["x"] + table["width"] <= main["x"] + main["width"]


def test_it_keeps_the_coding_columns_even_when_many_names_are_suggested(
    live_server, browser_page, screenshot, office
):
    document = Document.objects.get(state=State.NEEDS_ATTENTION)
    long_names = [
        Supplier.objects.create(
            business=office, kashflow_id=900 + n, name=f"Northgate Heritage Print Services {n} LLP"
        )
        for n in range(5)
    ]
    document.extraction["match"]["candidates"] = [
        {"id": s.pk, "name": s.name, "score": 60} for s in long_names
    ]
    document.save()
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "ada")
    page.goto(base + f"/b/acme/d/{document.pk}/")
    assert page.locator("[data-pick-id]").count() == 5
    party = page.locator('.field[data-field="supplier"]').bounding_box()
    nominal = page.locator('.field[data-field="nominal_code"]').bounding_box()
    screenshot("review-many-suggestions")
    # Two equal columns: the suggestions wrap instead of pushing the nominal code aside.
    assert abs(party["width"] - nominal["width"]) < 2
    form = page.locator("#review-form").bounding_box()
    assert nominal["x"] + nominal["width"] <= form["x"] + form["width"]


def test_it_starts_the_page_on_the_first_screen_of_a_phone(
    live_server, browser_page, screenshot, office
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 400, "height": 800})
    sign_in(page, base, "ada")
    page.goto(base + "/b/acme/")
    screenshot("inbox-phone")
    # The navigation is a compact bar, not seven stacked links above the page.
    assert page.locator("main h1").bounding_box()["y"] < 300
    for name in ("Inbox", "Upload", "Supplier rules", "Members"):
        assert page.locator(".nav a", has_text=name).count() == 1
    page.locator(".nav a", has_text="Upload").click()
    page.wait_for_url("**/b/acme/upload/")
