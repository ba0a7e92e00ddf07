"""The inbox: tabs by state with counts, search, paging, live rows, bulk approve and publish."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capture.models import Document, State
from tests.web.conftest import make_document, snapshot

INBOX = reverse("inbox", args=["acme"])


def _bulk(business, n, state=State.READY, **fields):
    template = make_document(business, state, **fields)
    rows = []
    for i in range(n):
        row = Document.objects.get(pk=template.pk)
        row.pk = None
        row.document_number = f"B-{i}"
        rows.append(row)
    Document.objects.bulk_create(rows)


def test_it_counts_documents_by_state_in_tabs(client, cast, make_doc):
    for state in [
        State.PROCESSING,
        State.RECEIVED,
        State.READY,
        State.NEEDS_ATTENTION,
        State.FAILED,
        State.PUBLISH_FAILED,
        State.PUBLISHED,
    ]:
        make_doc(state)
    make_doc(State.READY, business=cast.other)
    response = cast.as_(client, cast.bookkeeper).get(INBOX)
    counts = {t["key"]: t["count"] for t in response.context["tabs"]}
    assert counts == {
        "processing": 2,
        "needs_attention": 1,
        "ready": 1,
        "publishing": 0,
        "published": 1,
        "failed": 2,
        "rejected": 0,
    }
    assert len(response.context["documents"]) == 7


def test_it_shows_an_empty_inbox_without_a_bulk_bar_and_points_to_upload(client, cast, make_doc):
    inbox = reverse("inbox", args=["acme"])
    page = cast.as_(client, cast.reviewer).get(inbox).content.decode()
    assert "Upload the first receipts" in page
    # Nothing to select or move through: no "select all", no disabled button, no key hints.
    assert 'id="select-all"' not in page and 'id="publish-selected"' not in page
    assert "<kbd>j</kbd>" not in page
    make_doc(State.READY)
    page = client.get(inbox).content.decode()
    assert 'id="select-all"' in page and "<kbd>j</kbd>" in page


def test_it_filters_by_tab(client, cast, make_doc):
    failed = make_doc(State.PUBLISH_FAILED)
    make_doc(State.READY)
    response = cast.as_(client, cast.bookkeeper).get(INBOX + "?state=failed")
    assert response.context["documents"] == [failed]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("q=screw", {"a", "b"}),
        ("q=INV-77", {"b"}),
        ("q=%C2%A345.10", {"b"}),
        ("q=45.10", {"b"}),
        ("date_from=2026-10-01&date_to=2026-10-31", {"a"}),
        ("q=screwfix&date_from=2026-11-01", {"b"}),
        ("q=nobody", set()),
    ],
)
def test_it_searches_by_supplier_number_amount_and_dates(client, cast, make_doc, query, expected):
    make_doc(
        State.READY,
        supplier_name="Screwfix Direct",
        document_number="A-1",
        total=Decimal("12.00"),
        document_date=dt.date(2026, 10, 5),
        original_name="a",
    )
    make_doc(
        State.READY,
        supplier_name="Screwfix",
        document_number="INV-77",
        total=Decimal("45.10"),
        document_date=dt.date(2026, 11, 5),
        original_name="b",
    )
    make_doc(
        State.READY,
        supplier_name="Other",
        document_number="X",
        business=cast.other,
        original_name="c",
    )
    response = cast.as_(client, cast.bookkeeper).get(f"{INBOX}?{query}")
    assert {d.original_name for d in response.context["documents"]} == expected


def test_it_pages_fifty_at_a_time(client, cast):
    _bulk(cast.business, 120)
    cast.as_(client, cast.bookkeeper)
    first = client.get(INBOX)
    last = client.get(INBOX + "?page=3")
    assert len(first.context["documents"]) == 50
    assert len(last.context["documents"]) == 21
    assert "Page 1 of 3" in first.content.decode()
    assert 'rel="next"' in first.content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [INBOX, INBOX + "?state=ready", INBOX + "?q=screwfix&page=2"])
def test_it_costs_the_same_queries_whatever_the_number_of_documents(client, cast, url):
    cast.as_(client, cast.bookkeeper)
    _bulk(cast.business, 60)
    _queries(client, url)  # the first visit also saves the session's last-business memory
    few = _queries(client, url)
    _bulk(cast.business, 600, state=State.PUBLISHING)
    _bulk(cast.business, 600)
    assert _queries(client, url) == few
    # Session, user, membership, counts, page ids, rows, switcher (+1 for a search's matches).
    assert few <= 8


def test_it_polls_only_while_rows_are_live(client, cast, make_doc):
    cast.as_(client, cast.bookkeeper)
    make_doc(State.READY)
    assert "hx-trigger" not in client.get(INBOX).content.decode()
    working = make_doc(State.PROCESSING)
    page = client.get(INBOX).content.decode()
    live_url = reverse("inbox_live", args=["acme"]) + f"?ids={working.pk}"
    assert 'hx-trigger="every 2s"' in page and live_url in page


def test_it_sends_live_rows_as_small_out_of_band_swaps(client, cast, make_doc):
    cast.as_(client, cast.bookkeeper)
    working = make_doc(State.PROCESSING)
    still = make_doc(State.PUBLISHING)
    stranger = make_doc(State.PROCESSING, business=cast.other)
    live = reverse("inbox_live", args=["acme"]) + f"?ids={working.pk},{still.pk},{stranger.pk}"
    Document.objects.filter(pk=working.pk).update(state=State.READY)
    body = client.get(live).content.decode()
    assert f'<tr id="doc-{working.pk}" hx-swap-oob="true">' in body
    assert f'id="doc-{stranger.pk}"' not in body
    assert "Ready" in body
    # Only the publishing row is still live, so the poller asks about it alone.
    assert f"ids={still.pk}&amp;" in body
    assert 'id="inbox-tabs"' in body
    Document.objects.filter(pk=still.pk).update(state=State.PUBLISHED)
    done = client.get(live).content.decode()
    assert "hx-trigger" not in done


def test_it_approves_and_publishes_the_selected_documents(
    client, cast, publishable, make_doc, redis_conn, django_capture_on_commit_callbacks
):
    import django_rq

    blocked = make_doc(State.NEEDS_ATTENTION, supplier_name="Mystery Ltd")
    untouched = make_doc(State.READY)
    cast.as_(client, cast.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("publish_selected", args=["acme"]),
            {"ids": [publishable.pk, blocked.pk]},
            follow=True,
        )
    publishable.refresh_from_db()
    blocked.refresh_from_db()
    untouched.refresh_from_db()
    assert publishable.state == State.PUBLISHING
    assert blocked.state == State.NEEDS_ATTENTION
    assert untouched.state == State.READY
    page = response.content.decode()
    assert "1 document sent to KashFlow." in page
    assert "Mystery Ltd: " in page and "Choose the KashFlow supplier." in page
    assert response.request["QUERY_STRING"] == "state=publishing"
    assert django_rq.get_queue("publish").count == 1


def test_it_publishes_every_ready_document_at_once(client, cast, coding, publishable, make_doc):
    second = make_doc(
        State.READY,
        supplier=coding["supplier"],
        nominal_code=coding["nominal"],
        document_date=dt.date(2026, 11, 3),
    )
    waiting = make_doc(State.NEEDS_ATTENTION)
    foreign = make_doc(State.READY, business=cast.other)
    cast.as_(client, cast.reviewer)
    client.post(reverse("publish_selected", args=["acme"]), {"all_ready": "1"})
    states = dict(Document.objects.values_list("pk", "state"))
    assert states[publishable.pk] == states[second.pk] == State.PUBLISHING
    assert states[waiting.pk] == State.NEEDS_ATTENTION
    assert states[foreign.pk] == State.READY


def test_it_ignores_ids_of_another_business(client, cast, make_doc):
    foreign = make_doc(State.READY, business=cast.other)
    before = snapshot(foreign)
    cast.as_(client, cast.reviewer)
    client.post(reverse("publish_selected", args=["acme"]), {"ids": [foreign.pk]})
    assert snapshot(foreign) == before


def test_it_offers_bulk_publish_only_to_reviewers(client, cast, publishable):
    assert (
        "Approve &amp; publish selected"
        not in cast.as_(client, cast.bookkeeper).get(INBOX).content.decode()
    )
    assert (
        "Approve &amp; publish selected"
        in cast.as_(client, cast.reviewer).get(INBOX).content.decode()
    )


def test_it_finds_a_rare_name_and_pages_a_common_one(client, cast, make_doc):
    _bulk(cast.business, 60, supplier_name="Screwfix")
    rare = make_doc(State.READY, supplier_name="Zebra Paints")
    make_doc(State.READY, supplier_name="Zebra Paints", business=cast.other)
    cast.as_(client, cast.bookkeeper)
    found = client.get(INBOX + "?q=zebra")
    assert found.context["documents"] == [rare]
    first = client.get(INBOX + "?q=screwfix").context
    second = client.get(INBOX + "?q=screwfix&page=2").context
    assert len(first["documents"]) == 50 and first["page"].has_next
    # 61: the bulk copies and the row they were copied from.
    assert len(second["documents"]) == 11 and not second["page"].has_next
    ids = [d.pk for d in first["documents"] + second["documents"]]
    assert ids == sorted(ids, reverse=True)


def test_it_links_published_rows_to_their_kashflow_record(client, cast, make_doc):
    make_doc(State.PUBLISHED, kashflow_number=4711)
    page = cast.as_(client, cast.bookkeeper).get(INBOX).content.decode()
    assert 'href="https://app.kashflow.com/#purchases/4711"' in page
