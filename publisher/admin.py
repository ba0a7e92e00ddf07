from django.contrib import admin

from publisher.models import Business, Membership, PublishAttempt


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
