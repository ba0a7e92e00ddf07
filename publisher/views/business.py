"""The business switcher, the KashFlow connection and the members of a business."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from capture.models import Document, State
from kashflow.errors import KashFlowError
from publisher.forms import AddMemberForm, ConnectionForm, RoleForm
from publisher.models import Membership, Role
from publisher.tenancy import businesses_for
from publisher.views.access import membership_with_role

log = logging.getLogger(__name__)


@login_required
@require_GET
def home(request):
    """Back to the business the user last worked in, or the list to choose one."""
    mine = businesses_for(request.user)
    last = request.session.get("business_slug")
    if last and mine.filter(slug=last).exists():
        return redirect("inbox", last)
    if mine.count() == 1:
        return redirect("inbox", mine.get().slug)
    return redirect("businesses")


WAITING = {State.READY, State.NEEDS_ATTENTION}
FAILED = {State.FAILED, State.PUBLISH_FAILED}


@login_required
@require_GET
def businesses(request):
    """Every business the user belongs to, with what waits for them in each."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("business")
        .order_by("business__name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        memberships = memberships.filter(business__name__icontains=query)
    memberships = list(memberships)
    # Only the waiting and failed rows are counted, straight off the (business, state) index;
    # a client's years of published documents cost nothing here.
    counts = (
        Document.objects.filter(
            business_id__in=[m.business_id for m in memberships], state__in=WAITING | FAILED
        )
        .order_by()
        .values_list("business_id", "state")
        .annotate(n=Count("id"))
    )
    per_business: dict[int, dict[str, int]] = {}
    for business_id, state, n in counts:
        key = "waiting" if state in WAITING else "failed"
        tally = per_business.setdefault(business_id, {"waiting": 0, "failed": 0})
        tally[key] += n
    for membership in memberships:
        tally = per_business.get(membership.business_id, {})
        membership.waiting = tally.get("waiting", 0)
        membership.failed = tally.get("failed", 0)
    return render(
        request, "publisher/businesses.html", {"memberships": memberships, "query": query}
    )


@login_required
@require_http_methods(["GET", "POST"])
def connection(request, slug):
    membership = membership_with_role(request, slug, Role.ADMIN)
    business = membership.business
    form = ConnectionForm(
        request.POST or None,
        business=business,
        initial={"username": business.kashflow_username},
    )
    if request.method == "POST" and form.is_valid():
        changed = form.save()
        if changed:
            messages.success(request, f"Saved: {', '.join(changed)}. Test the connection now.")
        else:
            messages.info(request, "Nothing had changed.")
        return redirect("connection", slug)
    return render(
        request,
        "publisher/connection.html",
        {"membership": membership, "business": business, "form": form},
    )


@login_required
@require_POST
def connection_test(request, slug):
    """Ask KashFlow who we are talking to and keep the answer, or its precise error."""
    membership = membership_with_role(request, slug, Role.ADMIN)
    business = membership.business
    if not business.is_connected():
        messages.error(request, "Enter the KashFlow username and password first.")
        return redirect("connection", slug)
    try:
        company = business.kashflow_client().test_connection()
    except KashFlowError as error:
        business.kashflow_last_error = str(error)
        business.kashflow_company_name = ""
        # The error already names KashFlow and says what to do; the status box repeats it.
        messages.error(request, f"Not connected. {error}")
    else:
        business.kashflow_company_name = company.name
        business.kashflow_last_error = ""
        messages.success(request, f"Connected to {company.name}.")
    business.kashflow_checked_at = timezone.now()
    business.save(
        update_fields=["kashflow_company_name", "kashflow_last_error", "kashflow_checked_at"]
    )
    return redirect("connection", slug)


@login_required
@require_GET
def members(request, slug):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    business = membership.business
    return render(
        request,
        "publisher/members.html",
        {
            "membership": membership,
            "business": business,
            "members": business.memberships.select_related("user").order_by("user__username"),
            "is_admin": membership.allows(Role.ADMIN),
            "add_form": AddMemberForm(business=business),
            "roles": Role.choices,
        },
    )


@login_required
@require_POST
def member_add(request, slug):
    membership = membership_with_role(request, slug, Role.ADMIN)
    business = membership.business
    form = AddMemberForm(request.POST, business=business)
    if form.is_valid():
        user = form.cleaned_data["user"]
        Membership.objects.create(user=user, business=business, role=form.cleaned_data["role"])
        log.info("%s added %s to %s", request.user, user, business.slug)
        messages.success(request, f"{user.get_username()} can now work on {business.name}.")
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return redirect("members", slug)


def _other_member(membership, member_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, business=membership.business
    )


def _would_leave_no_admin(target: Membership, new_role: str | None) -> bool:
    if target.role != Role.ADMIN or new_role == Role.ADMIN:
        return False
    admins = Membership.objects.filter(business=target.business, role=Role.ADMIN)
    return not admins.exclude(pk=target.pk).exists()


@login_required
@require_POST
def member_role(request, slug, member_id):
    membership = membership_with_role(request, slug, Role.ADMIN)
    target = _other_member(membership, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
    elif _would_leave_no_admin(target, form.cleaned_data["role"]):
        messages.error(request, "A business needs at least one admin.")
    else:
        target.role = form.cleaned_data["role"]
        target.save(update_fields=["role"])
        messages.success(
            request, f"{target.user.get_username()} is now {Role(target.role).label.lower()}."
        )
    return redirect("members", slug)


@login_required
@require_POST
def member_remove(request, slug, member_id):
    membership = membership_with_role(request, slug, Role.ADMIN)
    target = _other_member(membership, member_id)
    if _would_leave_no_admin(target, None):
        messages.error(request, "A business needs at least one admin.")
        return redirect("members", slug)
    target.delete()
    messages.success(request, f"{target.user.get_username()} no longer has access.")
    if target.user_id == request.user.id:
        return redirect("home")
    return redirect("members", slug)
