"""Supplier and customer rules: how a business codes everything from one party.

A rule is filled from a reviewer's choices ("remember for this supplier") or on the rules page,
and applied as soon as extraction ends. Every coding field may be left empty, meaning "no rule
for this field": suggestions fill it instead.
"""

from django.conf import settings
from django.db import models

__all__ = ["CustomerRule", "SupplierRule"]

# A document's foreign keys into the reference data a rule can set, and with the party, all of them.
RULE_CODING = ("nominal_code", "vat_rate", "project", "payment_method", "bank_account")
DOCUMENT_CODING = ("supplier", "customer", *RULE_CODING)


def _reference(model: str) -> models.ForeignKey:
    # PROTECT: reference rows are never deleted (they go inactive), and a rule must not silently
    # lose its coding if someone tries.
    return models.ForeignKey(
        f"kashflow.{model}", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class PartyRule(models.Model):
    business = models.ForeignKey("publisher.Business", on_delete=models.CASCADE, related_name="+")
    nominal_code = _reference("NominalCode")
    vat_rate = _reference("VatRate")
    project = _reference("Project")
    description = models.CharField(max_length=255, blank=True)
    payment_method = _reference("PaymentMethod")
    bank_account = _reference("BankAccount")
    # None: leave as extracted. True/False: always mark paid / unpaid.
    paid = models.BooleanField(null=True, blank=True)
    due_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Due date = document date + this many days."
    )
    currency = _reference("Currency")
    capture_lines = models.BooleanField(
        default=True, help_text="Publish the line items read from the document, not one line."
    )
    auto_publish = models.BooleanField(
        default=False, help_text="Publish without review when every check passes."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def party(self):
        raise NotImplementedError


class SupplierRule(PartyRule):
    supplier = models.OneToOneField(
        "kashflow.Supplier", on_delete=models.CASCADE, related_name="rule"
    )

    class Meta:
        ordering = ["supplier__name"]

    def __str__(self) -> str:
        return f"Rule for {self.supplier}"

    @property
    def party(self):
        return self.supplier


class CustomerRule(PartyRule):
    customer = models.OneToOneField(
        "kashflow.Customer", on_delete=models.CASCADE, related_name="rule"
    )

    class Meta:
        ordering = ["customer__name"]

    def __str__(self) -> str:
        return f"Rule for {self.customer}"

    @property
    def party(self):
        return self.customer
