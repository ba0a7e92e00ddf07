from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse


class State(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    REJECTED = "rejected", "Rejected"
    PUBLISH_FAILED = "publish_failed", "Publish failed"


class Kind(models.TextChoices):
    COST = "cost", "Cost (purchase)"
    SALE = "sale", "Sale (sales invoice)"
    EXPENSE = "expense", "Expense claim"


class DocumentType(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


# The KashFlow records a document is coded with, as Document foreign keys.
CODING_FIELDS = (
    "supplier",
    "customer",
    "nominal_code",
    "vat_rate",
    "project",
    "payment_method",
    "bank_account",
)


def original_upload_to(document: "Document", filename: str) -> str:
    # Named by content hash so nothing in the path comes from the uploader.
    return f"originals/{document.business_id}/{document.sha256[:2]}/{document.sha256}"


class DocumentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(business__memberships__user=user)


class Document(models.Model):
    business = models.ForeignKey(
        "publisher.Business", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COST)
    claimant = models.CharField(max_length=200, blank=True)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    # Why the document is in its state, in words a bookkeeper can act on.
    state_reason = models.TextField(blank=True)

    original = models.FileField(upload_to=original_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    page_count = models.PositiveIntegerField(default=1)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    # What OCR read ({"pages": [{"width", "height", "words": [...]}]}) and what extraction made
    # of it ({"fields": {name: {"value", "confidence", "boxes"}}, "lines": [...], "checks": [...]}).
    ocr = models.JSONField(default=dict, blank=True)
    extraction = models.JSONField(default=dict, blank=True)

    # The values that will be published: filled by extraction, corrected by reviewers.
    document_type = models.CharField(
        max_length=20, choices=DocumentType.choices, default=DocumentType.RECEIPT
    )
    supplier_name = models.CharField(max_length=255, blank=True, db_index=True)
    supplier_vat_number = models.CharField(max_length=30, blank=True)
    document_number = models.CharField(max_length=100, blank=True, db_index=True)
    document_date = models.DateField(null=True, blank=True, db_index=True)
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    net = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    vat = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, db_index=True
    )
    card_last_four = models.CharField(max_length=4, blank=True)
    description = models.CharField(max_length=255, blank=True)
    lines = models.JSONField(default=list, blank=True)

    # KashFlow coding, chosen by matching and rules, confirmed by reviewers.
    supplier = models.ForeignKey(
        "kashflow.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "kashflow.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nominal_code = models.ForeignKey(
        "kashflow.NominalCode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vat_rate = models.ForeignKey(
        "kashflow.VatRate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "kashflow.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_method = models.ForeignKey(
        "kashflow.PaymentMethod", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bank_account = models.ForeignKey(
        "kashflow.BankAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid = models.BooleanField(default=False)

    # What publishing produced. A number here means KashFlow holds the document: never post again.
    kashflow_number = models.IntegerField(null=True, blank=True)
    kashflow_attachment_id = models.IntegerField(null=True, blank=True)
    kashflow_payment_id = models.IntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(
                fields=["business", "state", "-created"], name="doc_business_state_created"
            ),
            models.Index(fields=["business", "sha256"], name="doc_business_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_name or self.original_name} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("review", args=[self.business.slug, self.pk])

    @property
    def party_name(self) -> str:
        party = self.customer if self.kind == Kind.SALE else self.supplier
        return party.name if party else self.supplier_name

    def totals_agree(self) -> bool:
        """Net + VAT = gross, to the penny, when all three are known."""
        if self.net is None or self.vat is None or self.total is None:
            return True
        return abs(self.net + self.vat - self.total) <= Decimal("0.01")

    def is_publishable(self) -> bool:
        return not self.publish_problems()

    def publish_problems(self) -> list[str]:
        """What stops this document being published, in words; empty when nothing does."""
        problems = []
        if self.total is None:
            problems.append("The gross total is missing.")
        if self.document_date is None:
            problems.append("The date is missing.")
        if self.kind == Kind.SALE:
            if self.customer_id is None:
                problems.append("Choose the KashFlow customer.")
        elif self.supplier_id is None and not (self.kind == Kind.EXPENSE and self.claimant):
            problems.append("Choose the KashFlow supplier.")
        if self.nominal_code_id is None:
            problems.append("Choose a nominal code.")
        if not self.totals_agree():
            problems.append("Net plus VAT does not equal the gross total.")
        if (
            self.document_type == DocumentType.CREDIT_NOTE
            and self.total is not None
            and self.total > 0
        ):
            # KashFlow has no credit-note call: a credit is an invoice with negative amounts, so a
            # positive one would post the refund as a new cost.
            problems.append("This is a credit note: enter its amounts as negative numbers.")
        if self.paid and (self.payment_method_id is None or self.bank_account_id is None):
            problems.append("A paid document needs a payment method and a bank account.")
        return problems


class DocumentEvent(models.Model):
    """The audit trail: every state change, field correction and publish attempt."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    created = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "transition", "edit", "publish_attempt", "note"
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    # For edits: {"field": {"from": ..., "to": ...}}; for attempts: what was sent and received.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"

    @property
    def actor_name(self) -> str:
        return self.actor.get_username() if self.actor else "system"


class SupplierLayout(models.Model):
    """How one supplier lays out its documents, learnt from a reviewer's corrections.

    ``hints`` holds what extraction should try first for this supplier: the label printed before
    the total, net and VAT, the order of a date's numbers, the document number's pattern.
    """

    business = models.ForeignKey(
        "publisher.Business", on_delete=models.CASCADE, related_name="supplier_layouts"
    )
    # The supplier's name normalised (see capture.learning.supplier_key).
    supplier_key = models.CharField(max_length=200)
    hints = models.JSONField(default=dict, blank=True)
    corrections = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "supplier_key"], name="supplier_layout_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier_key} layout"
