"""Pages for KashFlow reference data: the sync page, supplier and customer rules, creating a
party in KashFlow from a document, and the side-by-side duplicate view.

Every view reaches its business through ``get_membership`` (outsiders get 404) and checks the
role before changing anything (a lower role gets 403 and nothing changes).
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from capture.models import Document, Kind, State
from capture.states import TransitionRefused, record_event
from kashflow.models import (
    BankAccount,
    Currency,
    Customer,
    NominalCode,
    PaymentMethod,
    Project,
    Supplier,
    SyncRun,
    VatRate,
)
from kashflow.sync import KINDS, enqueue_sync, normalise_name, sync_in_progress, vat_key
from publisher import duplicates
from publisher.models import Role
from publisher.rule_models import CustomerRule, SupplierRule
from publisher.rules import apply_mapping, remember_rule
from publisher.tenancy import RoleRequired
from publisher.views.access import membership_with_role

PARTIES = {
    "supplier": (SupplierRule, Supplier, PaymentMethod.Direction.PURCHASE),
    "customer": (CustomerRule, Customer, PaymentMethod.Direction.SALE),
}


# --- sync --------------------------------------------------------------------------------------


class SyncIntervalForm(forms.Form):
    sync_interval_minutes = forms.IntegerField(
        min_value=5, max_value=24 * 60, label="Sync every (minutes)"
    )


def sync_page(request, slug):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    business = membership.business
    counts = [
        (label, model.objects.active().filter(business=business).count())
        for label, model in (
            ("Nominal codes", NominalCode),
            ("VAT rates", VatRate),
            ("Projects", Project),
            ("Suppliers", Supplier),
            ("Customers", Customer),
            ("Bank accounts", BankAccount),
            ("Payment methods", PaymentMethod),
            ("Currencies", Currency),
        )
    ]
    return render(
        request,
        "publisher/reference/sync.html",
        {
            "business": business,
            "membership": membership,
            "can_sync": membership.allows(Role.REVIEWER),
            "can_configure": membership.allows(Role.ADMIN),
            "in_progress": sync_in_progress(business),
            "runs": [_with_changes(run) for run in SyncRun.objects.filter(business=business)[:25]],
            "counts": counts,
            "interval_form": SyncIntervalForm(
                initial={"sync_interval_minutes": business.sync_interval_minutes}
            ),
        },
    )


KIND_LABELS = {kind.name: kind.label for kind in KINDS}


def _with_changes(run: SyncRun) -> SyncRun:
    # Only the kinds that changed, by their names in words; an unchanged run says so.
    run.changes = [
        (KIND_LABELS.get(kind, kind), c)
        for kind, c in run.counts.items()
        if c.get("added") or c.get("changed") or c.get("deactivated")
    ]
    return run


@require_POST
def sync_now(request, slug):
    business = membership_with_role(request, slug, Role.REVIEWER).business
    if not business.is_connected():
        messages.error(request, "Connect this business to KashFlow first.")
    elif sync_in_progress(business):
        messages.info(request, "A sync is already under way.")
    else:
        with transaction.atomic():
            enqueue_sync(business, trigger="manual")
        messages.success(request, "Sync queued. This page shows the result when it finishes.")
    return redirect("reference:sync", slug=slug)


@require_POST
def sync_interval(request, slug):
    business = membership_with_role(request, slug, Role.ADMIN).business
    form = SyncIntervalForm(request.POST)
    if form.is_valid():
        business.sync_interval_minutes = form.cleaned_data["sync_interval_minutes"]
        business.save(update_fields=["sync_interval_minutes"])
        messages.success(request, "Sync interval saved.")
    else:
        messages.error(request, "Give the interval in minutes, between 5 and 1440.")
    return redirect("reference:sync", slug=slug)


# --- rules ---------------------------------------------------------------------------------------


def rule_form_class(party: str):
    rule_model = PARTIES[party][0]

    class RuleForm(forms.ModelForm):
        class Meta:
            model = rule_model
            fields = [
                party,
                "nominal_code",
                "vat_rate",
                "project",
                "description",
                "payment_method",
                "bank_account",
                "paid",
                "due_days",
                "currency",
                "capture_lines",
                "auto_publish",
            ]
            labels = {
                "vat_rate": "VAT rate",
                # Nothing reads "paid" off a document: "Unknown" leaves it to the reviewer.
                "paid": "Paid (Unknown: the reviewer decides on each document)",
                "due_days": "Due after (days)",
                "capture_lines": "Capture line items",
                "auto_publish": "Auto-publish",
            }

        def __init__(self, *args, business, **kwargs):
            super().__init__(*args, **kwargs)
            _, party_model, direction = PARTIES[party]
            # Only this business's records, and only those still in KashFlow.
            scoped = {
                party: party_model,
                "nominal_code": NominalCode,
                "vat_rate": VatRate,
                "project": Project,
                "payment_method": PaymentMethod,
                "bank_account": BankAccount,
                "currency": Currency,
            }
            for name, model in scoped.items():
                queryset = model.objects.active().filter(business=business)
                if model is PaymentMethod:
                    queryset = queryset.filter(direction=direction)
                self.fields[name].queryset = queryset
            if self.instance.pk:
                # The party is what the rule is for; moving it would be a different rule.
                self.fields[party].disabled = True

    return RuleForm


def rules_page(request, slug):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    business = membership.business
    related = ["nominal_code", "vat_rate", "project", "payment_method", "bank_account", "currency"]
    return render(
        request,
        "publisher/reference/rules.html",
        {
            "business": business,
            "membership": membership,
            "can_edit": membership.allows(Role.REVIEWER),
            "supplier_rules": SupplierRule.objects.filter(business=business).select_related(
                "supplier", *related
            ),
            "customer_rules": CustomerRule.objects.filter(business=business).select_related(
                "customer", *related
            ),
        },
    )


def _party_or_404(party: str):
    if party not in PARTIES:
        raise Http404
    return PARTIES[party][0]


def rule_edit(request, slug, party, pk=None):
    rule_model = _party_or_404(party)
    membership = membership_with_role(request, slug, Role.REVIEWER)
    business = membership.business
    rule = get_object_or_404(rule_model, pk=pk, business=business) if pk else None
    form_class = rule_form_class(party)
    form = form_class(request.POST or None, instance=rule, business=business)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.business = business
        saved.updated_by = request.user
        saved.save()
        messages.success(request, f"Rule for {saved.party.name} saved.")
        return redirect("reference:rules", slug=slug)
    return render(
        request,
        "publisher/reference/rule_form.html",
        {
            "business": business,
            "membership": membership,
            "form": form,
            "rule": rule,
            "party": party,
        },
    )


@require_POST
def rule_delete(request, slug, party, pk):
    rule_model = _party_or_404(party)
    business = membership_with_role(request, slug, Role.REVIEWER).business
    rule = get_object_or_404(rule_model, pk=pk, business=business)
    name = rule.party.name
    rule.delete()
    messages.success(request, f"Rule for {name} deleted.")
    return redirect("reference:rules", slug=slug)


# --- creating the party in KashFlow --------------------------------------------------------------

_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b")


def _address_from(document: Document) -> tuple[list[str], str]:
    fields = document.extraction.get("fields", {})
    raw = ""
    for name in ("supplier_address", "address"):
        value = fields.get(name, {})
        raw = value.get("value", "") if isinstance(value, dict) else str(value or "")
        if raw:
            break
    lines = [line.strip() for line in re.split(r"[\n,]", raw) if line.strip()]
    postcode = ""
    for line in reversed(lines):
        found = _POSTCODE.search(line.upper())
        if found:
            postcode = found.group(1)
            rest = line.upper().replace(postcode, "").strip()
            lines.remove(line)
            if rest:
                lines.append(rest.title())
            break
    return lines[:4], postcode


def _new_code(model, business, name: str) -> str:
    stem = re.sub(r"[^A-Z0-9]", "", normalise_name(name))[:8] or "NEW"
    taken = set(
        model.objects.filter(business=business, code__startswith=stem).values_list(
            "code", flat=True
        )
    )
    code, n = stem, 1
    while code in taken:
        n += 1
        code = f"{stem[:6]}{n:02d}"
    return code


def do_create_party(document: Document, user):
    """InsertSupplier (InsertCustomer on sales) from the document, then the local row.

    The local row is made only once KashFlow has answered with its id, so a refusal leaves
    nothing behind on either side.
    """
    from kashflow import types

    is_sale = document.kind == Kind.SALE
    model = Customer if is_sale else Supplier
    business = document.business
    name = document.supplier_name.strip()
    lines, postcode = _address_from(document)
    code = _new_code(model, business, name)
    record = (types.Customer if is_sale else types.Supplier)(
        name=name,
        code=code,
        vat_number=document.supplier_vat_number,
        postcode=postcode,
        **{f"address{i + 1}": line for i, line in enumerate(lines)},
    )
    client = business.kashflow_client()
    kashflow_id = client.insert_customer(record) if is_sale else client.insert_supplier(record)
    with transaction.atomic():
        party = model.objects.create(
            business=business,
            kashflow_id=kashflow_id,
            name=name,
            code=code,
            vat_number=document.supplier_vat_number,
            vat_key=vat_key(document.supplier_vat_number),
            normalised_name=normalise_name(name),
            address="\n".join(lines),
            postcode=postcode,
        )
        setattr(document, "customer" if is_sale else "supplier", party)
        document.save(update_fields=["customer" if is_sale else "supplier", "updated"])
        record_event(
            document,
            "edit",
            actor=user,
            message=f"Created {name} in KashFlow (id {kashflow_id}) from this document.",
            data={"kashflow_id": kashflow_id},
        )
    return party


def _back_to(request, document: Document):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    try:
        return redirect(document.get_absolute_url())
    except NoReverseMatch:
        return redirect("reference:rules", slug=document.business.slug)


@require_POST
def create_party(request, slug, pk):
    from kashflow.errors import KashFlowError

    business = membership_with_role(request, slug, Role.REVIEWER).business
    document = get_object_or_404(Document, pk=pk, business=business)
    is_sale = document.kind == Kind.SALE
    noun = "customer" if is_sale else "supplier"
    model = Customer if is_sale else Supplier
    existing = (
        model.objects.active()
        .filter(business=business, normalised_name=normalise_name(document.supplier_name))
        .first()
    )
    if getattr(document, f"{noun}_id") is not None:
        messages.error(request, f"This document already has a KashFlow {noun}.")
    elif not document.supplier_name.strip():
        messages.error(request, f"Enter the {noun}'s name on the document first.")
    elif existing is not None:
        messages.error(request, f"{existing.name} is already in KashFlow: choose it instead.")
    else:
        try:
            party = do_create_party(document, request.user)
        except KashFlowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{party.name} created in KashFlow.")
    return _back_to(request, document)


EDITABLE = (State.READY, State.NEEDS_ATTENTION)


class PartyChoiceForm(forms.Form):
    party = forms.ModelChoiceField(queryset=Supplier.objects.none())

    def __init__(self, *args, model, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = model.objects.active().filter(business=business)


@require_POST
def choose_party(request, slug, pk):
    """Set the document's supplier (customer on sales) to one the reviewer picked, then let the
    party's rule and history fill the coding that is still empty."""
    business = membership_with_role(request, slug, Role.BOOKKEEPER).business
    document = get_object_or_404(Document, pk=pk, business=business)
    is_sale = document.kind == Kind.SALE
    noun = "customer" if is_sale else "supplier"
    form = PartyChoiceForm(request.POST, model=Customer if is_sale else Supplier, business=business)
    if document.state not in EDITABLE:
        messages.error(request, f"A {document.get_state_display().lower()} document cannot change.")
    elif not form.is_valid():
        messages.error(request, f"Choose a {noun} that is in KashFlow.")
    else:
        party = form.cleaned_data["party"]
        before = getattr(document, noun)
        with transaction.atomic():
            setattr(document, noun, party)
            document.save(update_fields=[noun, "updated"])
            record_event(
                document,
                "edit",
                actor=request.user,
                message=f"Chose {party.name} as the {noun}.",
                data={noun: {"from": before.pk if before else None, "to": party.pk}},
            )
        apply_mapping(document)
        messages.success(request, f"{party.name} chosen.")
    return _back_to(request, document)


@require_POST
def remember(request, slug, pk):
    business = membership_with_role(request, slug, Role.REVIEWER).business
    document = get_object_or_404(Document, pk=pk, business=business)
    try:
        rule = remember_rule(document, request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Remembered as the rule for {rule.party.name}.")
    return _back_to(request, document)


# --- duplicates ----------------------------------------------------------------------------------

COMPARED = [
    ("Supplier or customer", "party_name"),
    ("Number", "document_number"),
    ("Date", "document_date"),
    ("Net", "net"),
    ("VAT", "vat"),
    ("Gross", "total"),
    ("Currency", "currency"),
    ("Description", "description"),
    ("Nominal code", "nominal_code"),
    ("State", "get_state_display"),
    ("File", "original_name"),
]


def duplicate_page(request, slug, pk):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    business = membership.business
    document = get_object_or_404(Document, pk=pk, business=business)
    earlier = duplicates.suspected_of(document)
    if request.method == "POST":
        return _decide_duplicate(request, membership, document, earlier)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    rows = []
    for label, attr in COMPARED:
        values = []
        for doc in (document, earlier):
            value = getattr(doc, attr, "") if doc is not None else ""
            values.append(value() if callable(value) else value)
        rows.append((label, values[0], values[1], values[0] != values[1]))
    return render(
        request,
        "publisher/reference/duplicate.html",
        {
            "business": business,
            "membership": membership,
            "document": document,
            "earlier": earlier,
            "rows": rows,
            "pictures": [(document, "This document"), (earlier, "Earlier document")]
            if earlier
            else [],
            "can_decide": membership.allows(Role.REVIEWER),
        },
    )


def _decide_duplicate(request, membership, document, earlier):
    require = Role.REVIEWER
    if not membership.allows(require):
        raise PermissionDenied(str(RoleRequired(require)))
    action = request.POST.get("action")
    slug = membership.business.slug
    if earlier is None or action not in {"keep", "reject", "merge"}:
        messages.error(request, "This document is not flagged as a duplicate.")
        return redirect("reference:duplicate", slug=slug, pk=document.pk)
    try:
        if action == "keep":
            duplicates.do_keep(document, request.user)
            messages.success(request, "Kept: it is no longer flagged as a duplicate.")
        elif action == "reject":
            duplicates.do_reject(document, earlier, request.user)
            messages.success(request, f"Rejected as a duplicate of document #{earlier.pk}.")
        else:
            copied = duplicates.do_merge(document, earlier, request.user)
            extra = f" Copied: {', '.join(copied)}." if copied else ""
            messages.success(request, f"Merged into document #{earlier.pk}.{extra}")
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect("reference:duplicate", slug=slug, pk=document.pk)
    try:
        return redirect(
            reverse("review", args=[slug, earlier.pk if action != "keep" else document.pk])
        )
    except NoReverseMatch:
        return redirect("reference:duplicate", slug=slug, pk=document.pk)
