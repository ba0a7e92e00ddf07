"""The inbox: a business's documents by state, searchable, paged, with live rows while work runs.

A page costs a fixed number of queries whatever the number of documents: one for the counts per
state, one for the rows (with their KashFlow party joined), one more to count a search.
"""

from dataclasses import dataclass
from math import ceil

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from capture.models import Document, State
from publisher import actions
from publisher.forms import EXACT_MATCHES_MAX, InboxSearchForm
from publisher.models import Role
from publisher.views.access import forbid_role_refusals, membership_with_role
from publisher.views.links import kashflow_record_url

PAGE_SIZE = 50
# How many live rows one poll may ask about: a page never shows more than PAGE_SIZE.
MAX_LIVE_IDS = PAGE_SIZE
LIVE_STATES = {State.RECEIVED, State.PROCESSING, State.PUBLISHING}

# The tabs of the inbox, in the order work moves through them.
TABS = [
    ("processing", "Processing", [State.RECEIVED, State.PROCESSING]),
    ("needs_attention", "Needs attention", [State.NEEDS_ATTENTION]),
    ("ready", "Ready", [State.READY]),
    ("publishing", "Publishing", [State.PUBLISHING]),
    ("published", "Published", [State.PUBLISHED]),
    ("failed", "Failed", [State.FAILED, State.PUBLISH_FAILED]),
    ("rejected", "Rejected", [State.REJECTED]),
]
TAB_STATES = {key: states for key, _, states in TABS}

# The rows never show what OCR read; leaving it out keeps a page light with big documents.
ROW_DEFERRED = ("ocr", "extraction", "lines")


def inbox_rows(business):
    return (
        Document.objects.filter(business=business)
        .select_related("supplier", "customer")
        .defer(*ROW_DEFERRED)
    )


def state_counts(business) -> dict[str, int]:
    per_state = dict(
        Document.objects.filter(business=business)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return {key: sum(per_state.get(s, 0) for s in states) for key, states in TAB_STATES.items()}


def tab_list(counts: dict[str, int]) -> list[dict]:
    return [{"key": key, "label": label, "count": counts[key]} for key, label, _ in TABS]


@login_required
@require_GET
def inbox(request, slug):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    business = membership.business
    counts = state_counts(business)
    tab = request.GET.get("state", "")
    if tab not in TAB_STATES:
        tab = ""
    search = InboxSearchForm(request.GET or None)
    rows = inbox_rows(business)
    if tab:
        rows = rows.filter(state__in=TAB_STATES[tab])
    searching = search.is_bound and search.is_valid() and any(search.cleaned_data.values())
    rows = search.filter(rows) if searching else rows

    if tab and not searching:
        # (business, state, -created) is indexed: newest first straight off the index.
        rows = rows.order_by("-created", "-id")
    else:
        # Across states, or narrowed by a search, id order is creation order and needs no sort.
        rows = rows.order_by("-id")
    page = Window.of(
        rows,
        request.GET.get("page"),
        total=None if searching else tab_total(counts, tab),
        exact=searching and search.exact,
    )
    documents = with_links(page.documents)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "publisher/inbox.html",
        {
            "membership": membership,
            "business": business,
            "tabs": tab_list(counts),
            "total": sum(counts.values()),
            "tab": tab,
            "search": search,
            "searching": searching,
            "page": page,
            "documents": documents,
            "live_ids": live_ids(documents),
            "query": query.urlencode(),
            "can_approve": membership.allows(Role.REVIEWER),
            "ready_count": counts["ready"],
        },
    )


def tab_total(counts: dict[str, int], tab: str) -> int:
    return counts[tab] if tab else sum(counts.values())


@dataclass
class Window:
    """One page of rows, found in two steps: the ids of the page, then those rows.

    The ids come off an index alone (no table row is read to skip the pages before), so a deep
    page costs little more than the first. A search is paged by peeking one id past the page
    instead of counting every match. An exact search (amount, number) takes its few matches
    straight from their own indexes and sorts them here, so the database never walks the
    whole business in date order looking for them."""

    number: int
    documents: list
    has_next: bool
    total: int | None

    @classmethod
    def of(cls, rows, number, *, total: int | None, exact: bool = False) -> "Window":
        try:
            number = max(1, int(number or 1))
        except ValueError:
            number = 1
        if total is not None:
            number = min(number, max(1, ceil(total / PAGE_SIZE)))
        start = (number - 1) * PAGE_SIZE
        if exact:
            matches = rows.order_by().values_list("pk", flat=True)[:EXACT_MATCHES_MAX]
            ids = sorted(matches, reverse=True)[start : start + PAGE_SIZE + 1]
        else:
            ids = list(rows.values_list("pk", flat=True)[start : start + PAGE_SIZE + 1])
        shown = ids[:PAGE_SIZE]
        found = rows.order_by().in_bulk(shown) if shown else {}
        documents = [found[pk] for pk in shown if pk in found]
        return cls(number, documents, len(ids) > PAGE_SIZE, total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def num_pages(self) -> int | None:
        return None if self.total is None else max(1, ceil(self.total / PAGE_SIZE))

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def with_links(documents: list) -> list:
    for document in documents:
        document.kashflow_url = kashflow_record_url(document)
    return documents


def live_ids(documents) -> str:
    return ",".join(str(d.pk) for d in documents if d.state in LIVE_STATES)


@login_required
@require_GET
def inbox_live(request, slug):
    """The rows still being worked on, re-rendered; polling stops once none is left."""
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    business = membership.business
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()][:MAX_LIVE_IDS]
    documents = with_links(list(inbox_rows(business).filter(pk__in=ids))) if ids else []
    return render(
        request,
        "publisher/_inbox_live.html",
        {
            "business": business,
            "documents": documents,
            "live_ids": live_ids(documents),
            "tabs": tab_list(state_counts(business)),
            "tab": request.GET.get("state", "") if request.GET.get("state") in TAB_STATES else "",
            "can_approve": membership.allows(Role.REVIEWER),
        },
    )


@login_required
@require_POST
@forbid_role_refusals
def publish_selected(request, slug):
    """Approve and publish the chosen documents, or every ready one, then watch them go."""
    membership = membership_with_role(request, slug, Role.REVIEWER)
    business = membership.business
    documents = Document.objects.filter(business=business).select_related("business")
    if request.POST.get("all_ready"):
        documents = documents.filter(state=State.READY)
    else:
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        documents = documents.filter(pk__in=ids)
    documents = list(documents.order_by("created", "id"))
    if not documents:
        messages.info(request, "Nothing was selected.")
        return redirect("inbox", slug)
    approved, refused = actions.approve_many(membership, documents, request.user)
    if approved:
        messages.success(
            request,
            f"{len(approved)} document{'s' if len(approved) != 1 else ''} sent to KashFlow.",
        )
    for document, reason in refused[:10]:
        messages.warning(request, f"{document.party_name or document.original_name}: {reason}")
    if len(refused) > 10:
        messages.warning(request, f"…and {len(refused) - 10} more were not sent.")
    return redirect(reverse("inbox", args=[slug]) + "?state=publishing")
