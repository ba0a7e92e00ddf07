from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from publisher import crypto


class Role(models.TextChoices):
    # Uploads documents and edits their fields.
    BOOKKEEPER = "bookkeeper", "Bookkeeper"
    # Also approves, rejects and publishes to KashFlow.
    REVIEWER = "reviewer", "Reviewer"
    # Also manages the KashFlow connection and the members.
    ADMIN = "admin", "Admin"


ROLE_RANK = {Role.BOOKKEEPER: 1, Role.REVIEWER: 2, Role.ADMIN: 3}


class BusinessQuerySet(models.QuerySet):
    def connected(self):
        """Businesses with a KashFlow username and password: the ones that can be synced."""
        return self.exclude(kashflow_username="").exclude(kashflow_password_encrypted="")


class Business(models.Model):
    """One bookkeeping client: one KashFlow account."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    kashflow_username = models.CharField(max_length=200, blank=True)
    # Encrypted with publisher.crypto; read and written through the properties below only.
    kashflow_password_encrypted = models.TextField(blank=True, editable=False)
    kashflow_autoauth_key_encrypted = models.TextField(blank=True, editable=False)
    # Blank means settings.KASHFLOW_ENDPOINT (KashFlow itself); the demo points at the stand-in.
    kashflow_endpoint = models.URLField(blank=True)
    kashflow_company_name = models.CharField(max_length=200, blank=True)
    kashflow_last_error = models.TextField(blank=True)
    kashflow_checked_at = models.DateTimeField(null=True, blank=True)

    sync_interval_minutes = models.PositiveIntegerField(default=60)
    auto_publish_threshold = models.DecimalField(max_digits=4, decimal_places=2, default=0.90)

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="businesses"
    )

    objects = BusinessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "businesses"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inbox", args=[self.slug])

    @property
    def kashflow_password(self) -> str:
        return crypto.decrypt(self.kashflow_password_encrypted)

    @kashflow_password.setter
    def kashflow_password(self, value: str) -> None:
        self.kashflow_password_encrypted = crypto.encrypt(value)

    @property
    def kashflow_autoauth_key(self) -> str:
        return crypto.decrypt(self.kashflow_autoauth_key_encrypted)

    @kashflow_autoauth_key.setter
    def kashflow_autoauth_key(self, value: str) -> None:
        self.kashflow_autoauth_key_encrypted = crypto.encrypt(value)

    def is_connected(self) -> bool:
        return bool(self.kashflow_username and self.kashflow_password_encrypted)

    def kashflow_client(self):
        """A client for this business's KashFlow account."""
        from kashflow.client import KashFlowClient

        return KashFlowClient(
            username=self.kashflow_username,
            password=self.kashflow_password,
            autoauth_key=self.kashflow_autoauth_key or None,
            endpoint=self.kashflow_endpoint or settings.KASHFLOW_ENDPOINT,
        )


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.BOOKKEEPER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "business"], name="one_membership_per_user")
        ]
        ordering = ["business__name"]

    def __str__(self) -> str:
        return f"{self.user} · {self.business} · {self.role}"

    def allows(self, role: str) -> bool:
        """True when this member's role is ``role`` or above it."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class PublishAttempt(models.Model):
    """One try at sending a document to KashFlow, and what came of each step."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        # KashFlow may or may not have stored the write: look in the ledger before writing again.
        UNKNOWN = "unknown", "Outcome unknown"

    document = models.ForeignKey(
        "capture.Document", on_delete=models.CASCADE, related_name="publish_attempts"
    )
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    # Each call made, in order: [{"step": "InsertReceipt", "result": 1234}, ...]
    steps = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    retryable = models.BooleanField(default=False)

    class Meta:
        ordering = ["started", "id"]
        constraints = [
            # At most one attempt at a time per document, across every worker on every machine.
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(outcome="running"),
                name="one_running_publish_attempt",
            )
        ]

    def __str__(self) -> str:
        return f"publish attempt {self.pk} for document {self.document_id}: {self.outcome}"

    @classmethod
    def abandon_running(cls, document, now=None) -> int:
        """Close the attempt a dead worker left running. What it did is unknown, so the next
        attempt looks in the ledger before posting."""
        return cls.objects.filter(document=document, outcome=cls.Outcome.RUNNING).update(
            outcome=cls.Outcome.UNKNOWN,
            error="Abandoned: the worker stopped.",
            finished=now or timezone.now(),
        )


from publisher.rule_models import *  # noqa: E402,F401,F403
