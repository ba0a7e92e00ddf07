"""Reference data copied from KashFlow: read-only here, since the next sync would undo an edit."""

from django.contrib import admin

from kashflow import models


class ReferenceAdmin(admin.ModelAdmin):
    list_display = ("name", "business", "kashflow_id", "active", "synced_at")
    list_filter = ("active", "business")
    search_fields = ("name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    models.NominalCode,
    models.VatRate,
    models.Project,
    models.Supplier,
    models.Customer,
    models.BankAccount,
    models.PaymentMethod,
    models.Currency,
):
    admin.site.register(model, ReferenceAdmin)


@admin.register(models.SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ("business", "trigger", "status", "created", "finished", "error")
    list_filter = ("status", "trigger")
    readonly_fields = (
        "business",
        "trigger",
        "status",
        "created",
        "started",
        "finished",
        "counts",
        "error",
    )

    # A sync run is a record of what happened; runs are started with "Sync now" or the schedule.
    def has_add_permission(self, request):
        return False
