"""Forms for the web pages. Choices of KashFlow records come only from the document's business."""

import re
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from capture.models import Document, Kind, State
from kashflow.models import (
    BankAccount,
    Customer,
    NominalCode,
    PaymentMethod,
    Project,
    Supplier,
    VatRate,
)
from publisher.models import Role

MAX_FILES_PER_UPLOAD = 50
# A date box speaks ISO whatever the language: the browser shows it the local way.
ISO_DATE = "%Y-%m-%d"


class KindFields(forms.Form):
    """The document kind and, for an expense claim, who is claiming."""

    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.COST)
    claimant = forms.CharField(
        max_length=200,
        required=False,
        help_text="For an expense claim: the person who paid and is claiming it back.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Kind.EXPENSE and not (cleaned.get("claimant") or "").strip():
            self.add_error("claimant", "An expense claim needs the name of the person claiming.")
        return cleaned


class UploadForm(KindFields):
    """One file per request: the page sends each file in its own XHR so each has its progress."""

    file = forms.FileField(
        error_messages={
            "empty": "This file is empty (0 bytes), so there is nothing to read. Save or export "
            "it again and upload the new copy.",
            "required": "Choose a file to upload.",
        }
    )
    split_pages = forms.BooleanField(
        required=False, label="One document per page", help_text="For a scan of several receipts."
    )


# Reference fields and the model each offers, scoped per business in ReviewForm.__init__.
REFERENCE_FIELDS = {
    "supplier": Supplier,
    "customer": Customer,
    "nominal_code": NominalCode,
    "vat_rate": VatRate,
    "project": Project,
    "payment_method": PaymentMethod,
    "bank_account": BankAccount,
}

REVIEW_FIELDS = [
    "kind",
    "claimant",
    "document_type",
    "supplier_name",
    "supplier_vat_number",
    "document_number",
    "document_date",
    "due_date",
    "currency",
    "net",
    "vat",
    "total",
    "card_last_four",
    "description",
    *REFERENCE_FIELDS,
    "paid",
]


class PartyPicker(forms.Widget):
    """A search box over the business's suppliers or customers, holding the chosen id.

    A business may have thousands of parties: a <select> of them all would make every review
    page heavy, so the box asks the server for the few names that match what is typed.
    """

    # In the app folder: the form renderer looks in apps, not in the project templates folder.
    template_name = "publisher/widgets/party_picker.html"

    def __init__(self, search_url: str = "", label: str = "", attrs=None):
        super().__init__(attrs)
        self.search_url = search_url
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(search_url=self.search_url, label=self.label)
        return context


def party_label(party) -> str:
    """How a supplier or customer is named in the picker: unique even when names repeat."""
    return f"{party.name} ({party.code})" if getattr(party, "code", "") else party.name


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = REVIEW_FIELDS
        widgets = {
            "document_date": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
            "due_date": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        }
        labels = {
            "supplier_name": "Name on the document",
            "supplier_vat_number": "VAT number on the document",
            "document_number": "Number",
            "document_date": "Date",
            "net": "Net",
            "vat": "VAT",
            "total": "Gross total",
            "card_last_four": "Card (last 4)",
            "supplier": "KashFlow supplier",
            "customer": "KashFlow customer",
            "vat_rate": "VAT rate",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        document = self.instance
        for name, model in REFERENCE_FIELDS.items():
            # Only this business's live records, plus whatever is chosen now (it may have gone
            # inactive since) so saving an untouched form never clears a choice.
            current = getattr(document, f"{name}_id")
            queryset = model.objects.filter(business_id=document.business_id).filter(
                Q(active=True) | Q(pk=current)
            )
            if name == "payment_method":
                direction = (
                    PaymentMethod.Direction.SALE
                    if document.kind == Kind.SALE
                    else PaymentMethod.Direction.PURCHASE
                )
                queryset = queryset.filter(Q(direction=direction) | Q(pk=current))
            self.fields[name].queryset = queryset
        for name in ("supplier", "customer"):
            current = getattr(document, name) if getattr(document, f"{name}_id") else None
            self.fields[name].widget = PartyPicker(
                reverse("parties", args=[document.business.slug, name]),
                party_label(current) if current else "",
            )
        self.fields["claimant"].help_text = ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Kind.EXPENSE and not (cleaned.get("claimant") or "").strip():
            self.add_error("claimant", "An expense claim needs the name of the person claiming.")
        return cleaned

    def changes(self) -> dict:
        """The fields the reviewer changed, with their new values."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class LineForm(forms.Form):
    description = forms.CharField(max_length=255, required=False)
    quantity = forms.DecimalField(max_digits=12, decimal_places=4, required=False, min_value=0)
    net = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    vat = forms.DecimalField(max_digits=12, decimal_places=2, required=False)


LineFormSet = forms.formset_factory(LineForm, extra=1, can_delete=True, max_num=200)


def _plain(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        return value
    # Fixed-point text: 10, 4.5, never 1E+1.
    return format(Decimal(str(value)).normalize(), "f")


def normalise_lines(lines: list) -> list[dict]:
    """Lines as publishing reads them: description, quantity, net, vat; amounts as text."""
    out = []
    for item in lines or []:
        if not isinstance(item, dict):
            continue
        row = {
            "description": str(item.get("description") or "").strip(),
            "quantity": _plain(item.get("quantity")),
            "net": _plain(item.get("net")),
            "vat": _plain(item.get("vat")),
        }
        if any(row.values()):
            out.append(row)
    return out


def lines_from_formset(formset) -> list[dict]:
    return normalise_lines(
        [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "Why, in words the uploader will understand"}),
    )


class SplitForm(forms.Form):
    """Page groups as a bookkeeper writes them: "1-2, 3" makes two documents."""

    pages = forms.CharField(
        max_length=200,
        label="Pages for each new document",
        help_text='Separate documents with commas: "1-2, 3" makes two documents.',
    )

    def __init__(self, *args, page_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_count = page_count

    def clean_pages(self) -> list[list[int]]:
        text = self.cleaned_data["pages"]
        groups = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            match = re.fullmatch(r"(\d+)\s*(?:-\s*(\d+))?", part)
            if not match:
                raise forms.ValidationError(f'"{part}" is not a page or a range like 2-3.')
            first = int(match.group(1))
            last = int(match.group(2) or first)
            if not 1 <= first <= last <= self.page_count:
                raise forms.ValidationError(f'"{part}" is outside pages 1 to {self.page_count}.')
            groups.append(list(range(first, last + 1)))
        if len(groups) < 2:
            raise forms.ValidationError("Give at least two groups of pages to split into.")
        pages = [page for group in groups for page in group]
        if len(set(pages)) != len(pages):
            raise forms.ValidationError("Each page can go into one document only.")
        return groups


class InboxSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Supplier, number or amount"}),
    )
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    )

    def filter(self, queryset):
        """Narrow ``queryset`` by what was asked, each test off an index.

        Afterwards ``exact`` says whether the matches were found apart (few, their ids known)
        rather than left for the database to find in date order (a common name)."""
        self.exact = False
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        text = (data.get("q") or "").strip()
        amount = _amount(text)
        if amount is not None:
            queryset = self._exactly(queryset, Q(total=amount) | Q(document_number=text))
        elif any(ch.isdigit() for ch in text):
            numbers = self._exactly(queryset, Q(document_number__in={text, text.upper()}))
            # A supplier name with a digit in it is rare: look by name only if no number matches.
            queryset = numbers if numbers.exists() else self._by_name(queryset, text)
        elif text:
            queryset = self._by_name(queryset, text)
        if data.get("date_from"):
            queryset = queryset.filter(document_date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(document_date__lte=data["date_to"])
        return queryset

    def _exactly(self, queryset, condition: Q):
        """``queryset`` narrowed to the documents matching ``condition`` on its own indexes.

        Asked together with the business, SQLite (which keeps no statistics unless told to)
        walks the business's index and reads every row, OCR words and all; asked alone it can
        only use the amount, number and name indexes. The business, state and date conditions
        still apply to what comes back."""
        candidates = list(
            Document.objects.filter(condition)
            .order_by()
            .values_list("pk", flat=True)[: EXACT_MATCHES_MAX + 1]
        )
        if len(candidates) > EXACT_MATCHES_MAX:
            return queryset.filter(condition)
        self.exact = True
        return queryset.filter(pk__in=candidates)

    def _by_name(self, queryset, text: str):
        # A rare name is found by scanning the name index alone; a common one (too many to
        # list) is left to the date-ordered walk, which meets a page of them at once.
        return self._exactly(queryset, Q(supplier_name__icontains=text))


def _amount(text: str) -> Decimal | None:
    cleaned = text.replace("£", "").replace(",", "").strip()
    if re.fullmatch(r"-?\d+(\.\d{1,2})?", cleaned):
        return Decimal(cleaned)
    return None


# An amount, a number or a rare name matches few documents; past this many the search is left
# to the database's date-ordered walk.
EXACT_MATCHES_MAX = 5000


class ConnectionForm(forms.Form):
    """The KashFlow login. Secrets are write-only: a blank box keeps what is stored."""

    username = forms.CharField(max_length=200, label="KashFlow username")
    password = forms.CharField(
        required=False,
        strip=False,
        label="Password",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    autoauth_key = forms.CharField(
        required=False,
        label="AutoAuth key",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Only if your KashFlow account limits API access by IP address.",
    )
    clear_autoauth_key = forms.BooleanField(required=False, label="Remove the stored AutoAuth key")

    def __init__(self, *args, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.business = business
        if business.kashflow_password_encrypted:
            self.fields["password"].widget.attrs["placeholder"] = "stored: leave blank to keep"
        if business.kashflow_autoauth_key_encrypted:
            self.fields["autoauth_key"].widget.attrs["placeholder"] = "stored: leave blank to keep"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("password") and not self.business.kashflow_password_encrypted:
            self.add_error("password", "Enter the password for this KashFlow login.")
        return cleaned

    def save(self) -> list[str]:
        """Store what was given; returns the names of what changed, for the message."""
        business = self.business
        data = self.cleaned_data
        changed = []
        if data["username"] != business.kashflow_username:
            business.kashflow_username = data["username"]
            changed.append("username")
        if data["password"]:
            business.kashflow_password = data["password"]
            changed.append("password")
        if data["autoauth_key"]:
            business.kashflow_autoauth_key = data["autoauth_key"]
            changed.append("AutoAuth key")
        elif data["clear_autoauth_key"] and business.kashflow_autoauth_key_encrypted:
            business.kashflow_autoauth_key_encrypted = ""
            changed.append("AutoAuth key removed")
        if changed:
            # New credentials: whatever the last test said no longer applies.
            business.kashflow_company_name = ""
            business.kashflow_last_error = ""
            business.kashflow_checked_at = None
            business.save()
        return changed


class AddMemberForm(forms.Form):
    user = forms.CharField(max_length=254, label="Username or e-mail")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.BOOKKEEPER)

    def __init__(self, *args, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.business = business

    def clean_user(self):
        text = self.cleaned_data["user"].strip()
        users = get_user_model().objects.filter(is_active=True)
        found = users.filter(username__iexact=text).first() or (
            users.filter(email__iexact=text).first() if "@" in text else None
        )
        if found is None:
            raise forms.ValidationError(
                "No account has that username or e-mail. Ask them to be given an account first."
            )
        if found.memberships.filter(business=self.business).exists():
            raise forms.ValidationError(f"{found.get_username()} is already a member.")
        return found


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


# States a reviewer can still act on in review.
REVIEWABLE = {State.READY, State.NEEDS_ATTENTION}
