"""The review screen: the document beside its fields, and every action a reviewer takes on it."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from capture.models import Document, Kind, State
from capture.states import TransitionRefused
from publisher import actions, duplicates, rules
from publisher.forms import (
    REVIEWABLE,
    LineFormSet,
    RejectForm,
    ReviewForm,
    SplitForm,
    lines_from_formset,
    normalise_lines,
    party_label,
)
from publisher.models import PublishAttempt, Role
from publisher.publishing import claimant_supplier_name
from publisher.tenancy import RoleRequired, require_role
from publisher.views.access import document_of_member, forbid_role_refusals, membership_with_role
from publisher.views.history import history
from publisher.views.links import kashflow_record_url
from publisher.views.overlay import field_boxes, field_confidence, field_sources
from publisher.views.parties import PARTY_MODELS

APPROVING_ACTIONS = {"approve", "approve_next"}
# Problems the extraction raises are matched to a field so they show next to it.
PROBLEM_FIELDS = {
    "net plus vat": "total",
    "totals": "total",
    "gross": "total",
    "supplier": "supplier",
    "customer": "customer",
    "duplicate": "document_number",
    "date": "document_date",
    "nominal": "nominal_code",
    "payment": "payment_method",
}


@login_required
@require_http_methods(["GET", "POST"])
@forbid_role_refusals
def review(request, slug, pk):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    document = document_of_member(membership, pk)
    if request.method == "GET":
        return _render_review(request, membership, document)

    action = request.POST.get("action", "save")
    remember = request.POST.get("remember") == "on"
    if action in APPROVING_ACTIONS or remember:
        # Refuse a bookkeeper before their edits are saved: a refusal changes nothing.
        require_role(membership, Role.REVIEWER)
    try:
        actions.check_edit(membership, document)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("review", slug, pk)

    # The form writes into its own copy, so the audit trail can compare against the stored values.
    form = ReviewForm(request.POST, instance=Document.objects.get(pk=document.pk))
    lines = LineFormSet(request.POST, prefix="lines")
    if not (form.is_valid() and lines.is_valid()):
        messages.error(request, "Some fields need correcting: see the notes beside them.")
        return _render_review(request, membership, document, form=form, lines=lines, status=400)

    changed = _save(document, request.user, form, lines)
    if remember:
        _remember(request, document)
    if action not in APPROVING_ACTIONS:
        messages.success(request, _saved_message(changed))
        return redirect("review", slug, pk)

    document.refresh_from_db()
    try:
        actions.check_approve(membership, document)
        actions.do_approve(document, request.user)
    except (actions.ActionRefused, TransitionRefused) as refusal:
        messages.error(request, f"Not approved: {refusal}")
        return redirect("review", slug, pk)
    messages.success(request, f"Approved: {_label(document)} is on its way to KashFlow.")
    if action == "approve_next":
        return _to_next(request, membership, document)
    return redirect("review", slug, pk)


def _save(document, user, form, lines) -> list[str]:
    changes = form.changes()
    new_lines = lines_from_formset(lines)
    if new_lines != normalise_lines(document.lines):
        changes["lines"] = new_lines
    if not changes:
        return []
    return actions.do_save_review(document, user, changes)


def _remember(request, document) -> None:
    """Make the coding just chosen the rule for this supplier or customer."""
    document.refresh_from_db()
    try:
        rule = rules.remember_rule(document, request.user)
    except ValueError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.info(request, f"Remembered: documents from {rule.party.name} will be coded so.")


def _saved_message(changed: list[str]) -> str:
    if not changed:
        return "Nothing had changed."
    names = ", ".join(name.replace("_", " ") for name in changed)
    return f"Saved: {names}."


def _label(document) -> str:
    return document.party_name or document.original_name


def _to_next(request, membership, document):
    following = (
        Document.objects.filter(business=membership.business, state__in=REVIEWABLE)
        .exclude(pk=document.pk)
        # The queue is worked oldest first, like a pile of paper.
        .order_by("created", "id")
        .values_list("pk", flat=True)
        .first()
    )
    if following is None:
        messages.info(request, "That was the last document waiting for review.")
        return redirect("inbox", membership.business.slug)
    return redirect("review", membership.business.slug, following)


def _render_review(request, membership, document, *, form=None, lines=None, status=200):
    editable = document.state in actions.EDITABLE_STATES and document.kashflow_number is None
    form = form or ReviewForm(instance=document)
    lines = lines or LineFormSet(prefix="lines", initial=normalise_lines(document.lines))
    if not editable:
        # Line items too: a published document's lines must not look as if they could change.
        for each in (form, *lines.forms):
            for field in each.fields.values():
                field.disabled = True
    problems = _problems(document)
    return render(
        request,
        "publisher/review.html",
        {
            "membership": membership,
            "business": membership.business,
            "document": document,
            "form": form,
            "lines": lines,
            "editable": editable,
            "can_approve": membership.allows(Role.REVIEWER) and document.state in REVIEWABLE,
            "can_retry": can_retry(membership, document),
            "pages": range(1, document.page_count + 1),
            "boxes": field_boxes(document),
            "f": _field_rows(form, document, problems),
            "problems": problems,
            # The problems box below says them one by one: the status card need not repeat them.
            "problems_listed": bool(problems)
            and editable
            and document.state == State.NEEDS_ATTENTION,
            "history": history(document),
            **_failure(document),
            "reject_form": RejectForm(),
            "split_form": SplitForm(page_count=document.page_count),
            "duplicate_of": document.duplicate_of,
            "suspected": duplicates.suspected_of(document),
            "suggestions": _suggestions(document) if editable else [],
            "can_remember": membership.allows(Role.REVIEWER)
            and editable
            and document.kind != Kind.EXPENSE,
            "can_create_party": membership.allows(Role.REVIEWER)
            and editable
            and _party_missing(document),
            "kashflow_url": kashflow_record_url(document),
            "is_sale": document.kind == Kind.SALE,
            # An expense claim without a supplier is paid through the claimant's own record.
            "claimant_supplier": claimant_supplier_name(document.claimant)
            if document.kind == Kind.EXPENSE and document.claimant and not document.supplier_id
            else "",
        },
        status=status,
    )


def _failure(document) -> dict:
    """Why the last publish failed, said once: the state's reason is usually the same words."""
    last = None
    if document.state == State.PUBLISH_FAILED:
        last = PublishAttempt.objects.filter(document=document).order_by("started", "pk").last()
    error = (last.error or "").strip() if last else ""
    return {
        "last_error": error,
        "failed_with_reason": bool(error) and error in document.state_reason,
    }


def _party_missing(document) -> bool:
    """No KashFlow supplier (or customer) chosen, but a name read that one could be made from."""
    if document.kind == Kind.EXPENSE or not document.supplier_name.strip():
        return False
    chosen = document.customer_id if document.kind == Kind.SALE else document.supplier_id
    return chosen is None


def _suggestions(document) -> list[dict]:
    """Near matches for an unmatched supplier or customer, to pick with one key press."""
    party = "customer" if document.kind == Kind.SALE else "supplier"
    if getattr(document, f"{party}_id") is not None:
        return []
    found = ((document.extraction or {}).get("match") or {}).get("candidates") or []
    ids = [c.get("id") for c in found if isinstance(c, dict)][:5]
    model = PARTY_MODELS[party]
    # Only the business's live records, whatever the stored suggestion says.
    records = model.objects.active().filter(business=document.business, pk__in=ids).in_bulk()
    return [{"id": pk, "label": party_label(records[pk])} for pk in ids if pk in records]


def can_retry(membership, document) -> bool:
    try:
        actions.check_retry(membership, document)
    except (actions.ActionRefused, RoleRequired):
        return False
    return True


def _problems(document) -> list[str]:
    """What stands between the document and publishing, each once, in words."""
    found = list((document.extraction or {}).get("problems") or [])
    if document.state == State.NEEDS_ATTENTION:
        # Matching's findings (unknown supplier, suspected duplicate) live in the reason.
        found += re.split(r"(?<=[.!?])\s+", document.state_reason.strip())
    problems = []
    for problem in found:
        text = problem if isinstance(problem, str) else problem.get("message", str(problem))
        if text and text not in problems:
            problems.append(text)
    if document.state in REVIEWABLE:
        # The model's own checks, unless matching already said the same of that field.
        covered = {_field_of(p) for p in problems} - {None}
        problems += [
            p
            for p in document.publish_problems()
            if p not in problems and _field_of(p) not in covered
        ]
    return problems


def _field_of(problem: str) -> str | None:
    text = problem.lower()
    return next((field for word, field in PROBLEM_FIELDS.items() if word in text), None)


def _field_rows(form, document, problems: list[str]) -> dict[str, dict]:
    """Per form field: the bound field, how sure extraction was, and the problems about it."""
    confidence = field_confidence(document)
    confidence.setdefault("document_date", confidence.get("date"))
    sources = field_sources(document)
    sources.setdefault("document_date", sources.get("date", ""))
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        field = _field_of(problem)
        if field:
            by_field.setdefault(field, []).append(problem)
    if document.kind == Kind.SALE and "supplier" in by_field:
        by_field.setdefault("customer", []).extend(by_field.pop("supplier"))
    # Why matching and the rules chose each value ("VAT number matched", "Screwfix rule").
    reasons = (document.extraction or {}).get("mapping") or {}
    return {
        name: {
            "field": form[name],
            "confidence": confidence.get(name),
            "source": sources.get(name, ""),
            "problems": by_field.get(name, []),
            "why": reasons.get(name, "") if isinstance(reasons, dict) else "",
        }
        for name in form.fields
    }


@login_required
@require_POST
@forbid_role_refusals
def reject(request, slug, pk):
    membership = membership_with_role(request, slug, Role.REVIEWER)
    document = document_of_member(membership, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the document is rejected.")
        return redirect("review", slug, pk)
    try:
        actions.check_reject(membership, document)
        actions.do_reject(document, request.user, form.cleaned_data["reason"])
    except (actions.ActionRefused, TransitionRefused) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Rejected: {_label(document)}.")
    return redirect("review", slug, pk)


@login_required
@require_POST
@forbid_role_refusals
def retry(request, slug, pk):
    # Retrying a reading is a bookkeeper's job, retrying a publish a reviewer's: check_retry knows.
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    document = document_of_member(membership, pk)
    try:
        actions.check_retry(membership, document)
        actions.do_retry(document, request.user)
    except (actions.ActionRefused, TransitionRefused) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Trying again.")
    return redirect("review", slug, pk)


@login_required
@require_POST
@forbid_role_refusals
def split(request, slug, pk):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    document = document_of_member(membership, pk)
    form = SplitForm(request.POST, page_count=document.page_count)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("pages", ["Check the pages."])))
        return redirect("review", slug, pk)
    try:
        parts = actions.do_split(document, request.user, form.cleaned_data["pages"])
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("review", slug, pk)
    messages.success(request, f"Split into {len(parts)} documents: they are being read now.")
    return redirect("inbox", slug)


@login_required
@require_GET
def document_status(request, slug, pk):
    """The state badge and publish outcome, polled by the review page while work runs."""
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    document = document_of_member(membership, pk)
    response = render(
        request,
        "publisher/_document_status.html",
        {
            "business": membership.business,
            "document": document,
            "kashflow_url": kashflow_record_url(document),
            **_failure(document),
            "can_retry": can_retry(membership, document),
        },
    )
    if request.GET.get("seen", document.state) != document.state:
        # The work finished: reload the page so the fields and actions match the new state.
        response["HX-Refresh"] = "true"
    return response
