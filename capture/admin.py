"""Documents in the Django admin: filter and search the queue, publish from it.

Originals are linked through the members-only view, never through a storage URL.
"""

from collections import defaultdict

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from capture.models import Document, DocumentEvent


class DocumentEventInline(admin.TabularInline):
    model = DocumentEvent
    extra = 0
    can_delete = False
    fields = ("created", "actor", "action", "from_state", "to_state", "message", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "business",
        "party",
        "kind",
        "document_date",
        "document_number",
        "total",
        "state",
        "kashflow_number",
        "created",
    )
    list_filter = ("state", "kind", "document_type", "business", "paid", "created")
    search_fields = ("supplier_name", "document_number", "original_name", "sha256")
    list_select_related = ("business", "supplier", "customer")
    date_hierarchy = "created"
    ordering = ("-created", "-id")
    show_full_result_count = False
    actions = ["publish_selected"]
    inlines = [DocumentEventInline]
    exclude = ("original", "ocr", "extraction")
    readonly_fields = ("original_link",)

    @admin.display(description="Supplier / customer")
    def party(self, document):
        return document.party_name or document.original_name

    @admin.display(description="Original")
    def original_link(self, document):
        if not document.pk:
            return "-"
        url = reverse("original", args=[document.business.slug, document.pk])
        return format_html('<a href="{}">{}</a>', url, document.original_name)

    def get_queryset(self, request):
        # The list never shows what OCR read; leave the big JSON columns in the database.
        return super().get_queryset(request).defer("ocr", "extraction")

    # Documents change only through the product's actions, which write the audit trail: the
    # admin shows them and publishes them, never edits or deletes them behind the trail's back.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description="Approve and publish the selected ready documents", permissions=["view"]
    )
    def publish_selected(self, request, queryset):
        from publisher.actions import approve_many
        from publisher.models import Membership, Role

        by_business = defaultdict(list)
        for document in queryset.select_related("business").order_by("created", "id"):
            by_business[document.business].append(document)
        sent = 0
        for business, documents in by_business.items():
            membership = Membership.objects.filter(user=request.user, business=business).first()
            if membership is None and request.user.is_superuser:
                # A superuser acts with an admin's rights in every business.
                membership = Membership(user=request.user, business=business, role=Role.ADMIN)
            if membership is None or not membership.allows(Role.REVIEWER):
                self.message_user(
                    request,
                    f"{business}: you are not a reviewer of this business; nothing sent.",
                    messages.ERROR,
                )
                continue
            approved, refused = approve_many(membership, documents, request.user)
            sent += len(approved)
            for document, reason in refused:
                self.message_user(request, f"{document}: {reason}", messages.WARNING)
        if sent:
            self.message_user(request, f"{sent} document(s) sent to KashFlow.", messages.SUCCESS)


@admin.register(DocumentEvent)
class DocumentEventAdmin(admin.ModelAdmin):
    list_display = ("created", "document", "actor", "action", "from_state", "to_state", "message")
    list_filter = ("action", "to_state")
    search_fields = ("message",)
    raw_id_fields = ("document", "actor")
    list_select_related = ("document", "actor")

    def has_change_permission(self, request, obj=None):
        # The audit trail is written by the product, never edited by hand.
        return False

    def has_add_permission(self, request):
        return False
