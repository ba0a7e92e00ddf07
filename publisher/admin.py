from django.contrib import admin

from publisher.models import Business, Membership, PublishAttempt

admin.site.site_header = "Tillroll administration"
admin.site.site_title = "Tillroll administration"
admin.site.index_title = "Businesses, members and the audit trail"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kashflow_username", "kashflow_company_name", "created")
    search_fields = ("name", "slug", "kashflow_username", "kashflow_company_name")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    # Secrets are set on the business's KashFlow connection page, write-only; never shown here.
    fields = (
        "name",
        "slug",
        "kashflow_username",
        "kashflow_endpoint",
        "kashflow_company_name",
        "kashflow_last_error",
        "kashflow_checked_at",
        "sync_interval_minutes",
        "auto_publish_threshold",
    )
    readonly_fields = ("kashflow_company_name", "kashflow_last_error", "kashflow_checked_at")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "business", "role", "created")
    list_filter = ("role", "business")
    search_fields = ("user__username", "user__email", "business__name")
    raw_id_fields = ("user", "business")


@admin.register(PublishAttempt)
class PublishAttemptAdmin(admin.ModelAdmin):
    list_display = ("document", "started", "finished", "outcome", "actor", "error")
    list_filter = ("outcome",)
    raw_id_fields = ("document", "actor")
    readonly_fields = ("document", "started", "finished", "actor", "outcome", "steps", "error")

    # The audit trail of what was sent to KashFlow: written by publishing only, never by hand
    # (an empty "add" form would not even have a document to save).
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
