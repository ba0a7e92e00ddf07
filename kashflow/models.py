"""Reference data copied from each business's KashFlow account, keyed by KashFlow's own ids.

Rows are never deleted: a record gone from KashFlow is marked inactive so nothing is published to
it, while documents that already point at it keep their history.
"""

from django.db import models


class ReferenceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class ReferenceRecord(models.Model):
    business = models.ForeignKey("publisher.Business", on_delete=models.CASCADE, related_name="+")
    kashflow_id = models.IntegerField()
    name = models.CharField(max_length=255)
    active = models.BooleanField(default=True)
    synced_at = models.DateTimeField(auto_now=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _unique_per_business(model: str) -> list[models.UniqueConstraint]:
    return [
        models.UniqueConstraint(
            fields=["business", "kashflow_id"], name=f"unique_{model}_per_business"
        )
    ]


class NominalCode(ReferenceRecord):
    code = models.IntegerField()

    class Meta(ReferenceRecord.Meta):
        ordering = ["code"]
        constraints = _unique_per_business("nominalcode")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class VatRate(ReferenceRecord):
    # Percent, as KashFlow sends it (20, not 0.2); -1 stands for exempt / not applicable.
    rate = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta(ReferenceRecord.Meta):
        ordering = ["-rate"]
        constraints = _unique_per_business("vatrate")


class Project(ReferenceRecord):
    reference = models.CharField(max_length=100, blank=True)

    class Meta(ReferenceRecord.Meta):
        constraints = _unique_per_business("project")


class Supplier(ReferenceRecord):
    code = models.CharField(max_length=50, blank=True)
    vat_number = models.CharField(max_length=30, blank=True, db_index=True)
    # The VAT number as matching compares it ("GB 123 4567 89" -> "123456789"), so a number
    # printed on a receipt in any spacing finds its supplier with an indexed lookup.
    vat_key = models.CharField(max_length=30, blank=True, db_index=True)
    # Upper-cased, legal suffixes and punctuation dropped: what name matching compares.
    normalised_name = models.CharField(max_length=255, blank=True, db_index=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    currency_id = models.IntegerField(default=0)
    payment_terms = models.IntegerField(default=0)

    class Meta(ReferenceRecord.Meta):
        constraints = _unique_per_business("supplier")


class Customer(ReferenceRecord):
    code = models.CharField(max_length=50, blank=True)
    vat_number = models.CharField(max_length=30, blank=True, db_index=True)
    vat_key = models.CharField(max_length=30, blank=True, db_index=True)
    normalised_name = models.CharField(max_length=255, blank=True, db_index=True)
    email = models.CharField(max_length=255, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    currency_id = models.IntegerField(default=0)
    payment_terms = models.IntegerField(default=0)

    class Meta(ReferenceRecord.Meta):
        constraints = _unique_per_business("customer")


class BankAccount(ReferenceRecord):
    code = models.IntegerField(default=0)

    class Meta(ReferenceRecord.Meta):
        constraints = _unique_per_business("bankaccount")


class PaymentMethod(ReferenceRecord):
    class Direction(models.TextChoices):
        PURCHASE = "purchase", "Purchases (GetRecPayMethods)"
        SALE = "sale", "Sales (GetInvPayMethods)"

    direction = models.CharField(max_length=10, choices=Direction.choices)

    class Meta(ReferenceRecord.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["business", "direction", "kashflow_id"],
                name="unique_paymentmethod_per_business",
            )
        ]


class Currency(ReferenceRecord):
    code = models.CharField(max_length=3)
    exchange_rate = models.DecimalField(max_digits=14, decimal_places=6, default=1)
    is_default = models.BooleanField(default=False)

    class Meta(ReferenceRecord.Meta):
        ordering = ["code"]
        verbose_name_plural = "currencies"
        constraints = _unique_per_business("currency")


class SyncRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        # Another sync of the same business held the lock; this one did nothing.
        SKIPPED = "skipped"

    business = models.ForeignKey(
        "publisher.Business", on_delete=models.CASCADE, related_name="sync_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=20, default="schedule")
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # {"suppliers": {"added": 3, "changed": 1, "deactivated": 0}, ...}
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"sync {self.pk} of {self.business_id}: {self.status}"
