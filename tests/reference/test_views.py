from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from capture.models import Document, DocumentEvent, DocumentType, Kind, State
from kashflow.models import NominalCode, Supplier, SyncRun
from publisher.rule_models import SupplierRule
from tests.reference.conftest import add_party


@pytest.fixture
def login(client, personas):
    def as_(name):
        client.force_login(personas[name])
        return client

    return as_


# --- sync page -------------------------------------------------------------------------------


def test_it_shows_the_sync_history_with_counts_and_errors(business, login, sync):
    sync()
    SyncRun.objects.create(
        business=business, status=SyncRun.Status.FAILED, error="Suppliers: KashFlow is down"
    )
    page = login("bookkeeper").get(reverse("reference:sync", args=["acme"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Suppliers: KashFlow is down" in body
    assert "Suppliers: 25 added, 0 changed, 0 gone" in body
    assert "Sync now" not in body  # a bookkeeper may look but not sync


def test_it_looks_again_while_a_sync_is_under_way(business, login):
    url = reverse("reference:sync", args=["acme"])
    assert 'http-equiv="refresh"' not in login("reviewer").get(url).content.decode()
    SyncRun.objects.create(business=business)
    assert 'http-equiv="refresh"' in login("reviewer").get(url).content.decode()


def test_it_hides_the_sync_page_from_outsiders(business, login):
    assert login("outsider").get(reverse("reference:sync", args=["acme"])).status_code == 404


def test_it_queues_a_sync_when_a_reviewer_asks(
    business, login, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login("reviewer").post(reverse("reference:sync_now", args=["acme"]))
    assert response.status_code == 302
    run = SyncRun.objects.get(business=business)
    assert (run.trigger, run.status) == ("manual", SyncRun.Status.QUEUED)

    again = login("reviewer").post(reverse("reference:sync_now", args=["acme"]), follow=True)
    assert "already under way" in again.content.decode()
    assert SyncRun.objects.filter(business=business).count() == 1

    run_jobs("sync")
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED


@pytest.mark.parametrize("who, status", [("bookkeeper", 403), ("outsider", 404)])
def test_it_refuses_sync_now_to_lower_roles(business, login, redis_conn, who, status):
    response = login(who).post(reverse("reference:sync_now", args=["acme"]))
    assert response.status_code == status
    assert not SyncRun.objects.exists()


def test_it_lets_only_an_admin_change_the_sync_interval(business, login):
    url = reverse("reference:sync_interval", args=["acme"])
    assert login("reviewer").post(url, {"sync_interval_minutes": 15}).status_code == 403
    business.refresh_from_db()
    assert business.sync_interval_minutes == 60

    assert login("owner").post(url, {"sync_interval_minutes": 15}).status_code == 302
    business.refresh_from_db()
    assert business.sync_interval_minutes == 15


# --- rules -------------------------------------------------------------------------------------


@pytest.fixture
def harrow(business, kashflow_sandbox, sync):
    add_party(kashflow_sandbox, "supplier", "Harrow Fuels Ltd")
    sync()
    return Supplier.objects.get(business=business, name="Harrow Fuels Ltd")


def test_it_creates_and_edits_a_supplier_rule(business, login, harrow):
    fuel = NominalCode.objects.get(business=business, code=7300)
    client = login("reviewer")
    response = client.post(
        reverse("reference:rule_new", args=["acme", "supplier"]),
        {
            "supplier": harrow.pk,
            "nominal_code": fuel.pk,
            "paid": "unknown",
            "due_days": "30",
            "capture_lines": "on",
            "auto_publish": "on",
        },
    )
    assert response.status_code == 302, response.content
    rule = SupplierRule.objects.get()
    assert (rule.supplier, rule.nominal_code, rule.due_days, rule.auto_publish) == (
        harrow,
        fuel,
        30,
        True,
    )

    edit = reverse("reference:rule_edit", args=["acme", "supplier", rule.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"supplier": harrow.pk, "nominal_code": fuel.pk, "paid": "false"})
    rule.refresh_from_db()
    assert (rule.paid, rule.auto_publish, rule.updated_by.username) == (False, False, "reviewer")

    listing = client.get(reverse("reference:rules", args=["acme"])).content.decode()
    assert "Harrow Fuels Ltd" in listing and "7300 Fuel and Oil" in listing


def test_it_shows_rules_to_a_bookkeeper_without_edit_links(business, login, harrow):
    rule = SupplierRule.objects.create(business=business, supplier=harrow)
    body = login("bookkeeper").get(reverse("reference:rules", args=["acme"])).content.decode()
    assert "Harrow Fuels Ltd" in body
    assert reverse("reference:rule_edit", args=["acme", "supplier", rule.pk]) not in body
    # A rule that does not set "paid" says so, not "as read": nothing reads it off the page.
    assert "reviewer decides" in body and "as read" not in body
    assert login("outsider").get(reverse("reference:rules", args=["acme"])).status_code == 404


def test_it_offers_only_this_businesss_active_records_in_a_rule(business, login, harrow):
    NominalCode.objects.filter(business=business, code=7300).update(active=False)
    form = login("reviewer").get(reverse("reference:rule_new", args=["acme", "supplier"]))
    body = form.content.decode()
    assert "Fuel and Oil" not in body
    assert "Harrow Fuels Ltd" in body


@pytest.mark.parametrize("who, status", [("bookkeeper", 403), ("outsider", 404)])
def test_it_refuses_rule_changes_to_lower_roles(business, login, harrow, who, status):
    rule = SupplierRule.objects.create(business=business, supplier=harrow, auto_publish=False)
    client = login(who)
    edit = reverse("reference:rule_edit", args=["acme", "supplier", rule.pk])
    assert client.post(edit, {"supplier": harrow.pk, "auto_publish": "on"}).status_code == status
    delete = reverse("reference:rule_delete", args=["acme", "supplier", rule.pk])
    assert client.post(delete).status_code == status
    rule.refresh_from_db()
    assert rule.auto_publish is False


def test_it_deletes_a_rule(business, login, harrow):
    rule = SupplierRule.objects.create(business=business, supplier=harrow)
    client = login("reviewer")
    assert (
        client.get(reverse("reference:rule_delete", args=["acme", "supplier", rule.pk])).status_code
        == 405
    )
    client.post(reverse("reference:rule_delete", args=["acme", "supplier", rule.pk]))
    assert not SupplierRule.objects.exists()


# --- creating the supplier in KashFlow ----------------------------------------------------------


def unmatched(new_document, **fields):
    values = {
        "supplier_name": "Fresh Fields Farm Ltd",
        "supplier_vat_number": "GB 246 8135 79",
        "state": State.NEEDS_ATTENTION,
        "extraction": {
            "fields": {
                "supplier_address": {"value": "Home Farm\nLower Slaughter\nCheltenham GL54 2HP"}
            }
        },
    }
    values.update(fields)
    return new_document(**values)


def test_it_creates_the_supplier_in_kashflow_from_the_document(
    business, login, new_document, kashflow_sandbox, redis_conn
):
    document = unmatched(new_document)

    response = login("reviewer").post(
        reverse("reference:create_party", args=["acme", document.pk]), {"next": "/somewhere/"}
    )

    assert response.status_code == 302 and response.url == "/somewhere/"
    document.refresh_from_db()
    supplier = document.supplier
    remote = kashflow_sandbox.state.suppliers[supplier.kashflow_id]
    assert remote["Name"] == "Fresh Fields Farm Ltd"
    assert remote["VATNumber"] == "GB 246 8135 79"
    assert remote["Address1"] == "Home Farm"
    assert remote["PostCode"] == "GL54 2HP"
    assert (supplier.vat_key, supplier.normalised_name) == ("246813579", "FRESH FIELDS FARM")
    assert DocumentEvent.objects.filter(document=document, message__contains="Created").exists()
    from publisher.views.history import history

    texts = [item["text"] for item in history(document, uploaded=False)]
    assert any(t.startswith("Created Fresh Fields Farm Ltd in KashFlow (id ") for t in texts)
    assert not any("kashflow id" in t for t in texts)


def test_it_creates_the_customer_for_a_sale(business, login, new_document, kashflow_sandbox):
    document = unmatched(new_document, kind=Kind.SALE, supplier_name="Borrowdale Walks Ltd")
    login("reviewer").post(reverse("reference:create_party", args=["acme", document.pk]))
    document.refresh_from_db()
    assert document.customer.name == "Borrowdale Walks Ltd"
    assert kashflow_sandbox.state.customers[document.customer.kashflow_id]["Name"] == (
        "Borrowdale Walks Ltd"
    )


def test_it_leaves_no_trace_when_kashflow_refuses_the_new_supplier(
    business, login, new_document, kashflow_sandbox
):
    document = unmatched(new_document)
    before = len(kashflow_sandbox.state.suppliers)
    kashflow_sandbox.faults.add("http_500", "InsertSupplier")

    response = login("reviewer").post(
        reverse("reference:create_party", args=["acme", document.pk]), follow=True
    )

    assert "KashFlow" in response.content.decode()
    document.refresh_from_db()
    assert document.supplier is None
    assert not Supplier.objects.filter(name="Fresh Fields Farm Ltd").exists()
    assert len(kashflow_sandbox.state.suppliers) == before


@pytest.mark.parametrize("who, status", [("bookkeeper", 403), ("outsider", 404)])
def test_it_refuses_creating_a_supplier_to_lower_roles(
    business, login, new_document, kashflow_sandbox, who, status
):
    document = unmatched(new_document)
    before = len(kashflow_sandbox.state.suppliers)
    response = login(who).post(reverse("reference:create_party", args=["acme", document.pk]))
    assert response.status_code == status
    assert len(kashflow_sandbox.state.suppliers) == before
    assert not Supplier.objects.exists()


def test_it_refuses_to_create_a_supplier_that_already_exists(
    business, login, new_document, harrow, kashflow_sandbox
):
    document = unmatched(new_document, supplier_name="HARROW FUELS LIMITED")
    before = len(kashflow_sandbox.state.suppliers)
    local = Supplier.objects.count()
    response = login("reviewer").post(
        reverse("reference:create_party", args=["acme", document.pk]), follow=True
    )
    assert "already in KashFlow" in response.content.decode()
    assert len(kashflow_sandbox.state.suppliers) == before
    assert Supplier.objects.count() == local
    document.refresh_from_db()
    assert document.supplier is None


# --- the duplicate view -------------------------------------------------------------------------


@pytest.fixture
def pair(business, harrow, new_document):
    values = {
        "supplier": harrow,
        "supplier_name": "Harrow Fuels Ltd",
        "document_type": DocumentType.INVOICE,
        "document_number": "INV-7",
        "document_date": date(2026, 11, 2),
        "total": Decimal("60.00"),
        "state": State.READY,
    }
    earlier = new_document(**values, due_date=None, project=None)
    later = new_document(
        **{**values, "state": State.NEEDS_ATTENTION},
        due_date=date(2026, 12, 2),
        description="Fuel card",
    )
    later.extraction = {"suspected_duplicate_of": earlier.pk}
    later.save()
    return earlier, later


def test_it_shows_a_suspected_duplicate_beside_the_earlier_one(login, pair):
    earlier, later = pair
    page = login("bookkeeper").get(reverse("reference:duplicate", args=["acme", later.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert f"#{earlier.pk}" in body and "Fuel card" in body and "INV-7" in body
    assert 'value="merge"' not in body  # only reviewers decide
    # Both pictures, each linking to its document, and a way back.
    for doc in (later, earlier):
        assert reverse("page_image", args=["acme", doc.pk, 1]) in body
        assert f'href="{reverse("review", args=["acme", doc.pk])}"' in body
    assert "← Back to document" in body


def test_it_keeps_a_document_that_is_not_a_duplicate(login, pair):
    earlier, later = pair
    login("reviewer").post(
        reverse("reference:duplicate", args=["acme", later.pk]), {"action": "keep"}
    )
    later.refresh_from_db()
    assert "suspected_duplicate_of" not in later.extraction
    assert later.state == State.NEEDS_ATTENTION
    from publisher.duplicates import find_suspected_duplicate

    assert find_suspected_duplicate(later) is None  # kept once, not flagged again


def test_it_rejects_a_duplicate(login, pair):
    earlier, later = pair
    login("reviewer").post(
        reverse("reference:duplicate", args=["acme", later.pk]), {"action": "reject"}
    )
    later.refresh_from_db()
    assert later.state == State.REJECTED
    assert f"Duplicate of document #{earlier.pk}" in later.state_reason


def test_it_merges_a_duplicate_into_the_earlier_one(login, pair):
    earlier, later = pair
    login("reviewer").post(
        reverse("reference:duplicate", args=["acme", later.pk]), {"action": "merge"}
    )
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert later.state == State.REJECTED
    assert later.duplicate_of == earlier
    assert earlier.due_date == date(2026, 12, 2)
    assert earlier.description == "Fuel card"
    assert earlier.state == State.READY


@pytest.mark.parametrize("who, status", [("bookkeeper", 403), ("outsider", 404)])
def test_it_refuses_duplicate_decisions_to_lower_roles(login, pair, who, status):
    earlier, later = pair
    response = login(who).post(
        reverse("reference:duplicate", args=["acme", later.pk]), {"action": "merge"}
    )
    assert response.status_code == status
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert (later.state, later.duplicate_of, earlier.description) == (
        State.NEEDS_ATTENTION,
        None,
        "",
    )
    assert Document.objects.filter(state=State.REJECTED).count() == 0


# --- choosing the party, remembering the rule ------------------------------------------------


def test_it_sets_the_chosen_supplier_and_applies_its_rule(business, login, harrow, new_document):
    fuel = NominalCode.objects.get(business=business, code=7300)
    SupplierRule.objects.create(business=business, supplier=harrow, nominal_code=fuel)
    document = new_document(supplier_name="H. Fuels", state=State.NEEDS_ATTENTION)

    response = login("bookkeeper").post(
        reverse("reference:choose_party", args=["acme", document.pk]), {"party": harrow.pk}
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.supplier, document.nominal_code) == (harrow, fuel)
    assert DocumentEvent.objects.filter(document=document, message__startswith="Chose").exists()


def test_it_refuses_a_supplier_from_another_business_or_gone(business, login, harrow, new_document):
    harrow.active = False
    harrow.save()
    document = new_document(state=State.NEEDS_ATTENTION)
    login("bookkeeper").post(
        reverse("reference:choose_party", args=["acme", document.pk]), {"party": harrow.pk}
    )
    document.refresh_from_db()
    assert document.supplier is None
    outsider = login("outsider").post(
        reverse("reference:choose_party", args=["acme", document.pk]), {"party": harrow.pk}
    )
    assert outsider.status_code == 404


def test_it_remembers_the_coding_for_a_reviewer_only(business, login, harrow, new_document):
    fuel = NominalCode.objects.get(business=business, code=7300)
    document = new_document(supplier=harrow, nominal_code=fuel, state=State.READY)
    url = reverse("reference:remember_rule", args=["acme", document.pk])

    assert login("bookkeeper").post(url).status_code == 403
    assert not SupplierRule.objects.exists()

    login("reviewer").post(url)
    assert SupplierRule.objects.get().nominal_code == fuel


def test_it_renders_the_candidates_for_the_review_page(
    business, personas, harrow, new_document, rf
):
    from django.template.loader import render_to_string

    from publisher.models import Membership
    from publisher.rules import apply_mapping

    document = new_document(supplier_name="Harrow Fool", state=State.NEEDS_ATTENTION)
    apply_mapping(document)
    request = rf.get("/")
    request.user = personas["reviewer"]
    html = render_to_string(
        "publisher/reference/_party_choice.html",
        {
            "business": business,
            "document": document,
            "membership": Membership.objects.get(user=personas["reviewer"]),
        },
        request=request,
    )
    assert f'name="party" value="{harrow.pk}"' in html
    assert "Create “Harrow Fool” in KashFlow" in html


def test_it_summarises_the_latest_syncs_for_the_settings_page(business):
    from django.template.loader import render_to_string

    SyncRun.objects.create(
        business=business, status=SyncRun.Status.FAILED, error="Suppliers: refused"
    )
    html = render_to_string("publisher/reference/_sync_summary.html", {"business": business})
    assert "Failed" in html and "Suppliers: refused" in html
    assert reverse("reference:sync", args=["acme"]) in html


def test_it_creates_a_customer_rule_with_sales_payment_methods_only(
    business, login, kashflow_sandbox, sync
):
    from kashflow.models import Customer, PaymentMethod
    from publisher.rule_models import CustomerRule

    add_party(kashflow_sandbox, "customer", "Borrowdale Walks Ltd")
    sync()
    customer = Customer.objects.get(business=business, name="Borrowdale Walks Ltd")
    purchase = PaymentMethod.objects.get(business=business, direction="purchase", name="BACS")
    sale = PaymentMethod.objects.get(business=business, direction="sale", name="PayPal")
    url = reverse("reference:rule_new", args=["acme", "customer"])
    client = login("reviewer")

    refused = client.post(url, {"customer": customer.pk, "payment_method": purchase.pk})
    assert refused.status_code == 200  # the form again, with the error
    assert not CustomerRule.objects.exists()

    client.post(url, {"customer": customer.pk, "payment_method": sale.pk, "paid": "true"})
    rule = CustomerRule.objects.get()
    assert (rule.customer, rule.payment_method, rule.paid) == (customer, sale, True)
