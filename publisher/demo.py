"""The demo business: created once, reused on every later run."""

from django.contrib.auth import get_user_model
from django.db import transaction

from publisher.models import Business, Membership, Role

DEMO_SLUG = "demo"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "receipts-demo"  # noqa: S105 - a published demo login, never a real secret
DEMO_BOOKKEEPER = "bookkeeper"


@transaction.atomic
def seed_demo(sandbox_url: str):
    """Returns (business, reviewer user, created)."""
    users = get_user_model()
    business, created = Business.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": "Demo Café Ltd"}
    )
    # The stand-in's port may differ between runs, so the endpoint is refreshed every time.
    business.kashflow_endpoint = sandbox_url
    if created or not business.kashflow_username:
        business.kashflow_username = "demo"
        business.kashflow_password = "demo"
    business.save()

    user, user_created = users.objects.get_or_create(
        username=DEMO_USERNAME, defaults={"email": "demo@example.com", "first_name": "Demo"}
    )
    if user_created:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = True
        user.is_superuser = True
        user.save()
    Membership.objects.get_or_create(user=user, business=business, defaults={"role": Role.ADMIN})

    bookkeeper, bk_created = users.objects.get_or_create(
        username=DEMO_BOOKKEEPER, defaults={"email": "bookkeeper@example.com"}
    )
    if bk_created:
        bookkeeper.set_password(DEMO_PASSWORD)
        bookkeeper.save()
    Membership.objects.get_or_create(
        user=bookkeeper, business=business, defaults={"role": Role.BOOKKEEPER}
    )
    return business, user, created
