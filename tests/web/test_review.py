"""The review screen: edit every field, save, approve, approve and next, reject, retry, split."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from capture.models import Document, DocumentEvent, Kind, State
from publisher.models import PublishAttempt
from tests.web.conftest import snapshot


def form_data(document, **changes):
    """What the browser sends back for ``document`` untouched, with ``changes`` typed in."""
    data = {
        "kind": document.kind,
        "claimant": document.claimant,
        "document_type": document.document_type,
        "supplier_name": document.supplier_name,
        "supplier_vat_number": document.supplier_vat_number,
        "document_number": document.document_number,
        "document_date": document.document_date or "",
        "due_date": document.due_date or "",
        "currency": document.currency,
        "net": document.net if document.net is not None else "",
        "vat": document.vat if document.vat is not None else "",
        "total": document.total if document.total is not None else "",
        "card_last_four": document.card_last_four,
        "description": document.description,
        "supplier": document.supplier_id or "",
        "customer": document.customer_id or "",
        "nominal_code": document.nominal_code_id or "",
        "vat_rate": document.vat_rate_id or "",
        "project": document.project_id or "",
        "payment_method": document.payment_method_id or "",
        "bank_account": document.bank_account_id or "",
        "lines-TOTAL_FORMS": str(len(document.lines)),
        "lines-INITIAL_FORMS": str(len(document.lines)),
    }
    if document.paid:
        data["paid"] = "on"
    for i, line in enumerate(document.lines):
        for key in ("description", "quantity", "net", "vat"):
            data[f"lines-{i}-{key}"] = line.get(key, "")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def url(document, name="review"):
    return reverse(name, args=[document.business.slug, document.pk])


def test_it_shows_the_image_beside_every_editable_field(client, cast, coding, publishable):
    page = cast.as_(client, cast.bookkeeper).get(url(publishable)).content.decode()
    assert reverse("page_image", args=["acme", publishable.pk, 1]) in page
    for name in [
        "supplier_name",
        "document_number",
        "document_date",
        "net",
        "vat",
        "total",
        "supplier",
        "nominal_code",
        "vat_rate",
        "project",
        "payment_method",
        "bank_account",
        "paid",
        "lines-TOTAL_FORMS",
    ]:
        assert f'name="{name}"' in page, name
    assert 'data-search-url="/b/acme/parties/supplier/"' in page


def test_it_places_field_highlights_from_extraction_boxes(client, cast, make_doc):
    document = make_doc(
        State.NEEDS_ATTENTION,
        ocr={"pages": [{"width": 400, "height": 800, "words": []}]},
        extraction={
            "fields": {
                "total": {
                    "value": "12.00",
                    "confidence": 0.6,
                    "boxes": [[0, 100, 400, 40, 20]],
                    "source": "label: TOTAL, second reading (PP-OCR)",
                }
            }
        },
    )
    page = cast.as_(client, cast.bookkeeper).get(url(document)).content.decode()
    assert '"total": [{"page": 1, "left": 25.0, "top": 50.0, "width": 10.0, "height": 2.5}]' in page
    assert "60%" in page  # the low-confidence gauge beside the field
    # Hovering the gauge says where the value was read.
    assert (
        'title="How sure the reading was. Read from: label: TOTAL, second reading (PP-OCR)"' in page
    )


def test_on_a_sale_the_name_field_points_at_the_bill_to_block(client, cast, make_doc):
    fields = {
        "supplier_name": {"value": "Our Own Ltd", "boxes": [[0, 40, 80, 120, 24]]},
        "customer_name": {"value": "Acme Hotels", "boxes": [[0, 40, 400, 80, 16]]},
    }
    pages = {"pages": [{"width": 400, "height": 800, "words": []}]}
    highlight = '"supplier_name": [{"page": 1, "left": 10.0, "top": %s'
    for kind, top in (("sale", "50.0"), ("cost", "10.0")):
        document = make_doc(
            State.NEEDS_ATTENTION, kind=kind, ocr=pages, extraction={"fields": fields}
        )
        page = cast.as_(client, cast.bookkeeper).get(url(document)).content.decode()
        assert highlight % top in page, kind


def test_it_shows_problems_in_words_next_to_their_field(client, cast, make_doc):
    document = make_doc(
        State.NEEDS_ATTENTION, net=Decimal("10"), vat=Decimal("2"), total=Decimal("13")
    )
    page = cast.as_(client, cast.bookkeeper).get(url(document)).content.decode()
    assert "Net plus VAT does not equal the gross total." in page
    assert "Choose the KashFlow supplier." in page
    total_field = page.split('data-field="total"')[1].split("</div>")[0]
    assert "Net plus VAT does not equal the gross total." in total_field


def test_it_saves_corrections_with_an_audit_event_from_and_to(client, cast, coding, make_doc):
    document = make_doc(State.NEEDS_ATTENTION, total=Decimal("13.00"))
    cast.as_(client, cast.bookkeeper)
    response = client.post(
        url(document),
        form_data(
            document,
            action="save",
            total="12.00",
            supplier=coding["supplier"].pk,
            nominal_code=coding["nominal"].pk,
            document_date="2026-11-02",
        ),
    )
    assert response.status_code == 302 and response["Location"] == url(document)
    document.refresh_from_db()
    assert document.total == Decimal("12.00")
    assert document.supplier == coding["supplier"]
    edit = DocumentEvent.objects.get(document=document, action="edit")
    assert edit.actor == cast.bookkeeper
    assert edit.data["total"] == {"from": "13.00", "to": "12.00"}
    assert set(edit.data) == {"total", "supplier", "nominal_code", "document_date"}
    # Every problem is fixed, so the document is ready now.
    assert document.state == State.READY


def test_it_edits_line_items(client, cast, make_doc):
    document = make_doc(
        State.READY, lines=[{"description": "Pipe", "quantity": "1", "net": "10", "vat": "2"}]
    )
    cast.as_(client, cast.bookkeeper)
    data = form_data(document, action="save")
    data.update(
        {
            "lines-TOTAL_FORMS": "2",
            "lines-0-description": "Copper pipe",
            "lines-1-description": "Fittings",
            "lines-1-quantity": "2",
            "lines-1-net": "4.50",
            "lines-1-vat": "0.90",
        }
    )
    client.post(url(document), data)
    document.refresh_from_db()
    assert document.lines == [
        {"description": "Copper pipe", "quantity": "1", "net": "10", "vat": "2"},
        {"description": "Fittings", "quantity": "2", "net": "4.5", "vat": "0.9"},
    ]
    data["lines-1-DELETE"] = "on"
    data["lines-INITIAL_FORMS"] = "2"
    client.post(url(document), data)
    document.refresh_from_db()
    assert [line["description"] for line in document.lines] == ["Copper pipe"]


def test_it_refuses_a_record_of_another_business(client, cast, coding, make_doc):
    document = make_doc(State.NEEDS_ATTENTION)
    before = snapshot(document)
    cast.as_(client, cast.bookkeeper)
    response = client.post(url(document), form_data(document, supplier=coding["foreign"].pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert snapshot(document) == before


def test_it_says_an_expense_claim_without_a_supplier_goes_to_the_claimant(client, cast, make_doc):
    claim = make_doc(State.NEEDS_ATTENTION, kind=Kind.EXPENSE, claimant="Jane Smith")
    page = cast.as_(client, cast.bookkeeper).get(url(claim)).content.decode()
    assert "claim it through “Jane Smith - Expense claim”" in page
    cost = make_doc(State.NEEDS_ATTENTION)
    assert 'id="claimant-supplier-help"' not in client.get(url(cost)).content.decode()


def test_it_changes_the_kind_in_review(client, cast, make_doc):
    document = make_doc(State.NEEDS_ATTENTION)
    cast.as_(client, cast.bookkeeper)
    client.post(url(document), form_data(document, kind="expense", claimant="Sam Price"))
    document.refresh_from_db()
    assert (document.kind, document.claimant) == (Kind.EXPENSE, "Sam Price")


def test_it_approves_and_queues_publishing(
    client, cast, publishable, redis_conn, django_capture_on_commit_callbacks
):
    import django_rq

    cast.as_(client, cast.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(publishable), form_data(publishable, action="approve"))
    assert response.status_code == 302
    publishable.refresh_from_db()
    assert publishable.state == State.PUBLISHING
    assert DocumentEvent.objects.filter(
        document=publishable, to_state=State.PUBLISHING, actor=cast.reviewer
    ).exists()
    assert django_rq.get_queue("publish").count == 1


def test_it_approves_and_opens_the_next_document(client, cast, coding, publishable, make_doc):
    waiting = make_doc(State.NEEDS_ATTENTION)
    make_doc(State.PUBLISHED)
    cast.as_(client, cast.reviewer)
    response = client.post(url(publishable), form_data(publishable, action="approve_next"))
    assert response["Location"] == url(waiting)


def test_it_goes_back_to_the_inbox_after_the_last_one(client, cast, publishable):
    cast.as_(client, cast.reviewer)
    response = client.post(url(publishable), form_data(publishable, action="approve_next"))
    assert response["Location"] == reverse("inbox", args=["acme"])


def test_it_keeps_edits_but_refuses_approval_while_problems_remain(client, cast, make_doc):
    document = make_doc(State.NEEDS_ATTENTION)
    cast.as_(client, cast.reviewer)
    response = client.post(
        url(document),
        form_data(document, action="approve", description="Boiler parts"),
        follow=True,
    )
    document.refresh_from_db()
    assert document.state == State.NEEDS_ATTENTION
    assert document.description == "Boiler parts"
    assert "Not approved: " in response.content.decode()


def test_it_rejects_with_a_reason(client, cast, publishable):
    cast.as_(client, cast.reviewer)
    client.post(url(publishable, "reject"), {"reason": "Personal purchase"})
    publishable.refresh_from_db()
    assert publishable.state == State.REJECTED
    assert publishable.state_reason == "Personal purchase"


def test_it_refuses_to_reject_without_a_reason(client, cast, publishable):
    before = snapshot(publishable)
    cast.as_(client, cast.reviewer)
    client.post(url(publishable, "reject"), {"reason": ""})
    assert snapshot(publishable) == before


def test_it_retries_a_failed_publish_and_shows_kashflow_s_reason(
    client, cast, publishable, redis_conn, django_capture_on_commit_callbacks
):
    import django_rq

    publishable.state = State.PUBLISH_FAILED
    publishable.save()
    PublishAttempt.objects.create(
        document=publishable,
        outcome=PublishAttempt.Outcome.FAILED,
        error="Supplier 11 does not exist",
    )
    cast.as_(client, cast.reviewer)
    page = client.get(url(publishable)).content.decode()
    assert "Not published:" in page and "Supplier 11 does not exist" in page
    assert 'id="retry"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(publishable, "retry"))
    publishable.refresh_from_db()
    assert publishable.state == State.PUBLISHING
    assert django_rq.get_queue("publish").count == 1


def test_it_says_why_a_publish_failed_once(client, cast, publishable):
    reason = (
        "The connection to KashFlow was lost after the document was sent, so it may or may not "
        "have been saved. Tillroll will look for it in KashFlow before sending it again."
    )
    publishable.state = State.PUBLISH_FAILED
    publishable.state_reason = reason
    publishable.save()
    PublishAttempt.objects.create(
        document=publishable, outcome=PublishAttempt.Outcome.UNKNOWN, error=reason
    )
    cast.as_(client, cast.reviewer)
    page = client.get(url(publishable)).content.decode()
    status = page.split('id="doc-status"')[1].split("<h2>")[0]
    assert status.count("may or may not have been saved") == 1
    assert "Not published:" in page and 'id="retry"' in page


def test_it_lets_a_bookkeeper_retry_a_failed_reading(
    client, cast, make_doc, redis_conn, django_capture_on_commit_callbacks
):
    import django_rq

    document = make_doc(State.FAILED)
    cast.as_(client, cast.bookkeeper)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(document, "retry"))
    assert django_rq.get_queue("capture").count == 1


def test_it_refuses_edits_to_a_published_document(client, cast, publishable):
    publishable.state = State.PUBLISHED
    publishable.kashflow_number = 4711
    publishable.lines = [{"description": "Copper pipe", "quantity": "2", "net": "10.00"}]
    publishable.save()
    before = snapshot(publishable)
    cast.as_(client, cast.admin)
    page = client.get(url(publishable)).content.decode()
    assert "KashFlow #4711" in page and "app.kashflow.com" in page
    assert 'value="save"' not in page
    lines = page.split('id="lines"')[1].split("</table>")[0]
    assert 'name="lines-0-description"' in lines
    assert lines.count("<input") == lines.count(" disabled")
    response = client.post(url(publishable), form_data(publishable, total="1.00"), follow=True)
    assert "cannot be edited" in response.content.decode()
    assert snapshot(publishable) == before


def test_it_shows_the_full_audit_trail(client, cast, coding, make_doc):
    document = make_doc(State.NEEDS_ATTENTION, uploaded_by=cast.bookkeeper, total=Decimal("13.00"))
    cast.as_(client, cast.reviewer)
    client.post(
        url(document),
        form_data(
            document,
            total="12.00",
            supplier=coding["supplier"].pk,
            nominal_code=coding["nominal"].pk,
            document_date="2026-11-02",
        ),
    )
    document.refresh_from_db()
    client.post(url(document), form_data(document, action="approve"))
    PublishAttempt.objects.create(
        document=document,
        outcome=PublishAttempt.Outcome.SUCCEEDED,
        steps=[{"step": "InsertReceipt", "result": 31}],
    )
    page = client.get(url(document)).content.decode()
    history = page.split('id="history"')[1]
    assert "bob</strong> uploaded" in history
    assert "rita</strong> changed" in history and "13.00" in history and "12.00" in history
    assert "to publishing" in history
    assert "publish attempt: succeeded" in history and "InsertReceipt → 31" in history


def test_it_splits_a_document_into_page_groups(client, cast, make_doc, monkeypatch):
    from publisher import actions

    document = make_doc(State.NEEDS_ATTENTION, page_count=3)
    calls = []
    monkeypatch.setattr(
        actions,
        "do_split",
        lambda doc, user, groups: calls.append(groups) or [doc, doc],
    )
    cast.as_(client, cast.bookkeeper)
    response = client.post(url(document, "split"), {"pages": "1-2, 3"})
    assert response["Location"] == reverse("inbox", args=["acme"])
    assert calls == [[[1, 2], [3]]]


@pytest.mark.parametrize("pages", ["1-3", "1, 4", "2-1, 3", "1, 1-2", "one, two"])
def test_it_refuses_a_split_that_does_not_make_sense(client, cast, make_doc, pages):
    document = make_doc(State.NEEDS_ATTENTION, page_count=3)
    before = snapshot(document)
    cast.as_(client, cast.bookkeeper)
    client.post(url(document, "split"), {"pages": pages})
    assert snapshot(document) == before


def test_it_serves_the_original_and_page_images_to_members(client, cast, make_doc):
    document = make_doc(State.READY)
    cast.as_(client, cast.bookkeeper)
    original = client.get(url(document, "original"))
    assert original.status_code == 200
    assert original["Content-Type"] == "image/png"
    assert original["X-Content-Type-Options"] == "nosniff"
    assert b"".join(original.streaming_content).startswith(b"\x89PNG")
    image = client.get(reverse("page_image", args=["acme", document.pk, 1]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert client.get(reverse("page_image", args=["acme", document.pk, 2])).status_code == 404


def test_it_polls_the_status_while_publishing_and_reloads_when_done(client, cast, publishable):
    publishable.state = State.PUBLISHING
    publishable.save()
    cast.as_(client, cast.reviewer)
    status_url = url(publishable, "document_status")
    live = client.get(status_url + "?seen=publishing")
    assert 'hx-trigger="every 2s"' in live.content.decode()
    assert "HX-Refresh" not in live
    publishable.state = State.PUBLISHED
    publishable.kashflow_number = 99
    publishable.save()
    done = client.get(status_url + "?seen=publishing")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()
    assert "KashFlow #99" in done.content.decode()


def test_it_shows_dates_it_saved(client, cast, publishable):
    page = cast.as_(client, cast.bookkeeper).get(url(publishable)).content.decode()
    assert 'value="2026-11-02"' in page
    assert publishable.document_date == dt.date(2026, 11, 2)


def test_it_shows_matching_findings_beside_the_supplier(client, cast, make_doc):
    document = make_doc(
        State.NEEDS_ATTENTION,
        state_reason="Supplier not found in KashFlow: choose one or create it. "
        "Looks like a duplicate of document 7.",
    )
    page = cast.as_(client, cast.bookkeeper).get(url(document)).content.decode()
    supplier_field = page.split('data-field="supplier"')[1].split("data-field=")[0]
    assert "Supplier not found in KashFlow: choose one or create it." in supplier_field
    number_field = page.split('data-field="document_number"')[1].split("</div>")[0]
    assert "Looks like a duplicate of document 7." in number_field


def test_it_points_to_the_side_by_side_page_for_a_suspected_duplicate(client, cast, make_doc):
    earlier = make_doc(State.PUBLISHED)
    document = make_doc(State.NEEDS_ATTENTION, extraction={"suspected_duplicate_of": earlier.pk})
    page = cast.as_(client, cast.bookkeeper).get(url(document)).content.decode()
    assert reverse("reference:duplicate", args=["acme", document.pk]) in page
    assert f"document {earlier.pk}" in page


def test_it_offers_to_create_an_unknown_supplier_to_reviewers_only(client, cast, make_doc):
    document = make_doc(State.NEEDS_ATTENTION, supplier_name="Brand New Ltd")
    create = reverse("reference:create_party", args=["acme", document.pk])
    assert create not in cast.as_(client, cast.bookkeeper).get(url(document)).content.decode()
    page = cast.as_(client, cast.reviewer).get(url(document)).content.decode()
    assert create in page and "Create “Brand New Ltd” in KashFlow" in page


def test_it_remembers_the_coding_as_the_supplier_s_rule(client, cast, coding, publishable):
    from publisher.rule_models import SupplierRule

    cast.as_(client, cast.reviewer)
    page = client.get(url(publishable)).content.decode()
    assert 'name="remember"' in page
    response = client.post(url(publishable), form_data(publishable, remember="on"), follow=True)
    rule = SupplierRule.objects.get(supplier=coding["supplier"])
    assert rule.nominal_code == coding["nominal"] and rule.vat_rate == coding["vat"]
    assert "Remembered: documents from Screwfix" in response.content.decode()


def test_it_refuses_a_bookkeeper_who_asks_to_remember_a_rule(client, cast, coding, publishable):
    from publisher.rule_models import SupplierRule

    before = snapshot(publishable)
    cast.as_(client, cast.bookkeeper)
    assert 'name="remember"' not in client.get(url(publishable)).content.decode()
    response = client.post(url(publishable), form_data(publishable, remember="on", total="99.00"))
    assert response.status_code == 403
    assert snapshot(publishable) == before
    assert not SupplierRule.objects.exists()


def test_it_offers_customers_and_sales_payment_methods_on_a_sale(client, cast, coding, make_doc):
    from kashflow.models import Customer, PaymentMethod

    Customer.objects.create(business=cast.business, kashflow_id=5, name="Northern Homes")
    PaymentMethod.objects.create(
        business=cast.business, kashflow_id=9, name="PayPal", direction=PaymentMethod.Direction.SALE
    )
    sale = make_doc(State.NEEDS_ATTENTION, kind="sale")
    page = cast.as_(client, cast.bookkeeper).get(url(sale)).content.decode()
    assert 'data-field="customer"' in page and "/parties/customer/" in page
    assert 'data-field="supplier"' not in page
    methods = page.split('name="payment_method"')[1].split("</select>")[0]
    assert "PayPal" in methods and "Card" not in methods
    cost = cast.as_(client, cast.bookkeeper).get(url(make_doc(State.READY))).content
    methods = cost.decode().split('name="payment_method"')[1].split("</select>")[0]
    assert "Card" in methods and "PayPal" not in methods


def test_it_finds_only_the_business_s_live_parties_as_the_reviewer_types(client, cast, coding):
    from kashflow.models import Supplier

    for i in range(30):
        Supplier.objects.create(business=cast.business, kashflow_id=100 + i, name=f"Screw Co {i}")
    search = reverse("parties", args=["acme", "supplier"])
    cast.as_(client, cast.bookkeeper)
    found = client.get(search + "?q=screwfix").content.decode()
    assert f'value="Screwfix" data-id="{coding["supplier"].pk}"' in found
    assert client.get(search + "?q=screw").content.decode().count("<option") == 20
    assert "Gone Ltd" not in client.get(search + "?q=gone").content.decode()
    assert "Flour Co" not in client.get(search + "?q=flour").content.decode()
    assert client.get(reverse("parties", args=["acme", "nominal"])).status_code == 404
    cast.as_(client, cast.outsider)
    assert client.get(search + "?q=screwfix").status_code == 404


def test_it_saves_the_party_picked_by_id_and_refuses_another_business_s(
    client, cast, coding, make_doc
):
    document = make_doc(State.NEEDS_ATTENTION)
    cast.as_(client, cast.bookkeeper)
    client.post(url(document), form_data(document, supplier=coding["supplier"].pk))
    document.refresh_from_db()
    assert document.supplier == coding["supplier"]
    page = client.get(url(document)).content.decode()
    assert 'value="Screwfix"' in page and f'value="{coding["supplier"].pk}"' in page


def test_it_splits_a_scanned_batch_into_new_documents(client, cast, redis_conn):
    from capture.intake import ingest_file
    from tests.web.test_upload import _pdf

    [result] = ingest_file(cast.business, _pdf(3), "batch.pdf", on_accepted=lambda d: None)
    batch = result.document
    Document.objects.filter(pk=batch.pk).update(state=State.NEEDS_ATTENTION)
    cast.as_(client, cast.bookkeeper)
    page = client.get(url(batch)).content.decode()
    assert "Split into separate documents" in page
    response = client.post(url(batch, "split"), {"pages": "1-2, 3"}, follow=True)
    assert "Split into 2 documents" in response.content.decode()
    parts = Document.objects.exclude(pk=batch.pk).order_by("pk")
    assert [p.page_count for p in parts] == [2, 1]
    assert [p.original_name for p in parts] == ["batch.pdf (pages 1-2)", "batch.pdf (pages 3)"]
    batch.refresh_from_db()
    assert batch.state == State.REJECTED


def test_it_renders_only_the_page_asked_for_and_keeps_it(client, cast, settings):
    from capture.intake import ingest_file
    from tests.web.conftest import stored_files
    from tests.web.test_upload import _pdf

    [result] = ingest_file(cast.business, _pdf(3), "batch.pdf", on_accepted=lambda d: None)
    cast.as_(client, cast.bookkeeper)
    second = client.get(reverse("page_image", args=["acme", result.document.pk, 2]))
    assert second.status_code == 200
    assert b"".join(second.streaming_content).startswith(b"\xff\xd8")  # a JPEG
    pages = [name for name in stored_files(settings) if name.startswith("pages/")]
    assert len(pages) == 1 and pages[0].endswith("-2.jpg")
    assert (
        client.get(reverse("page_image", args=["acme", result.document.pk, 4])).status_code == 404
    )


def test_it_says_why_each_coded_value_is_there(client, cast, coding, make_doc):
    document = make_doc(
        State.READY,
        nominal_code=coding["nominal"],
        extraction={"mapping": {"nominal_code": "From the rule for Screwfix."}},
    )
    page = cast.as_(client, cast.bookkeeper).get(url(document)).content.decode()
    nominal = page.split('data-field="nominal_code"')[1].split("data-field=")[0]
    assert '<span class="why">From the rule for Screwfix.</span>' in nominal


def test_it_suggests_near_matches_of_this_business_only(client, cast, coding, make_doc):
    document = make_doc(
        State.NEEDS_ATTENTION,
        supplier_name="Screwfx",
        extraction={
            "match": {
                "candidates": [
                    {"id": coding["supplier"].pk, "name": "Screwfix", "score": 91},
                    {"id": coding["foreign"].pk, "name": "Flour Co", "score": 40},
                    {"id": coding["gone"].pk, "name": "Gone Ltd", "score": 30},
                ]
            }
        },
    )
    page = cast.as_(client, cast.bookkeeper).get(url(document)).content.decode()
    suggestions = page.split('class="suggestions small"')[1].split("</div>")[0]
    assert f'data-pick-id="{coding["supplier"].pk}"' in suggestions
    assert "Flour Co" not in suggestions and "Gone Ltd" not in suggestions


def test_it_says_each_problem_once(client, cast, make_doc):
    document = make_doc(
        State.NEEDS_ATTENTION,
        state_reason="Supplier not found in KashFlow: choose one or create it.",
    )
    page = cast.as_(client, cast.bookkeeper).get(url(document)).content.decode()
    problems = page.split('aria-label="Problems"')[1].split("</ul>")[0]
    assert "Supplier not found in KashFlow" in problems
    assert "Choose the KashFlow supplier." not in problems
    assert "Choose a nominal code." in problems
    # Said in the problems box, not again in the status card above it.
    status = page.split('id="doc-status"')[1].split('aria-label="Problems"')[0]
    assert "Needs attention" in status and "Supplier not found" not in status


def test_it_shows_a_vat_number_conflict_beside_the_supplier(client, cast, coding, make_doc):
    from kashflow.sync import vat_key
    from publisher.rules import apply_mapping

    screwfix = coding["supplier"]
    screwfix.vat_number, screwfix.vat_key = "GB 111 2222 33", vat_key("GB 111 2222 33")
    screwfix.normalised_name = "SCREWFIX"
    screwfix.save()
    document = make_doc(
        State.NEEDS_ATTENTION, supplier_name="Screwfix", supplier_vat_number="GB 999 8888 77"
    )
    # As the reading job does: the mapping's problems become the state's reason.
    document.state_reason = " ".join(apply_mapping(document).problems)
    document.save()
    assert document.supplier is None
    page = cast.as_(client, cast.reviewer).get(url(document)).content.decode()
    field = page.split('data-field="supplier"')[1].split('data-field="nominal_code"')[0]
    assert "different VAT number (GB 111 2222 33 there, GB 999 8888 77 on the document)" in field
    assert "check who it is from" in field and "Choose the KashFlow supplier or create it." in field


def test_it_tells_a_reviewer_who_lost_a_race_instead_of_failing(client, cast, publishable):
    from unittest import mock

    from capture.states import TransitionRefused

    cast.as_(client, cast.reviewer)
    # Someone else moved the document between the check and the move.
    lost = TransitionRefused("The document is no longer Ready.")
    with mock.patch("publisher.actions.do_reject", side_effect=lost):
        response = client.post(url(publishable, "reject"), {"reason": "blurred"}, follow=True)
    assert response.status_code == 200
    assert "no longer Ready" in response.content.decode()
