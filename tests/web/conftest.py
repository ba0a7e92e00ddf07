"""Personas and documents for the web tests."""

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from capture.models import Document, DocumentEvent, State
from kashflow.models import BankAccount, NominalCode, PaymentMethod, Supplier, VatRate
from publisher.models import Business, Membership, Role

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _cache_on_test_redis(settings, redis_url):
    # Login rate limits live in the cache; point it at the private Redis and start clean.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "tillroll-test",
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@dataclass
class Cast:
    business: Business
    other: Business
    admin: object
    reviewer: object
    bookkeeper: object
    outsider: object

    def as_(self, client, user):
        client.force_login(user)
        return client


@pytest.fixture
def cast(db):
    User = get_user_model()
    business = Business.objects.create(name="Acme Plumbing Ltd", slug="acme")
    business.kashflow_username = "acme-books"
    business.kashflow_password = "kf-secret"
    business.save()
    other = Business.objects.create(name="Other Bakery Ltd", slug="other")

    def person(name, email=""):
        return User.objects.create_user(name, email or f"{name}@example.com", PASSWORD)

    # Manages Acme's KashFlow connection and its members; may do everything.
    admin = person("ada")
    # Approves, rejects and publishes Acme's documents.
    reviewer = person("rita")
    # Uploads and corrects Acme's documents; cannot approve or publish.
    bookkeeper = person("bob")
    # Admin of another business only: must never see or touch Acme.
    outsider = person("olga")
    Membership.objects.create(user=admin, business=business, role=Role.ADMIN)
    Membership.objects.create(user=reviewer, business=business, role=Role.REVIEWER)
    Membership.objects.create(user=bookkeeper, business=business, role=Role.BOOKKEEPER)
    Membership.objects.create(user=outsider, business=other, role=Role.ADMIN)
    return Cast(business, other, admin, reviewer, bookkeeper, outsider)


@pytest.fixture
def coding(cast):
    """Acme's KashFlow reference data, and one record of the other business's."""
    b = cast.business
    return {
        "supplier": Supplier.objects.create(business=b, kashflow_id=11, name="Screwfix"),
        "gone": Supplier.objects.create(business=b, kashflow_id=12, name="Gone Ltd", active=False),
        "foreign": Supplier.objects.create(business=cast.other, kashflow_id=11, name="Flour Co"),
        "nominal": NominalCode.objects.create(
            business=b, kashflow_id=7, code=5000, name="Materials"
        ),
        "vat": VatRate.objects.create(business=b, kashflow_id=1, name="Standard", rate=Decimal(20)),
        "method": PaymentMethod.objects.create(
            business=b, kashflow_id=2, name="Card", direction=PaymentMethod.Direction.PURCHASE
        ),
        "bank": BankAccount.objects.create(business=b, kashflow_id=3, name="Current", code=1200),
    }


def receipt_png(text: str = "SCREWFIX  TOTAL 12.00", size=(400, 600)) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(text.split("\n")):
        draw.text((20, 20 + 24 * i), line, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


_counter = {"n": 0}


def make_document(business, state=State.READY, **fields) -> Document:
    """A stored document with a real PNG original, put straight into ``state``."""
    _counter["n"] += 1
    data = receipt_png(f"RECEIPT {_counter['n']}")
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    values = {
        "original_name": f"receipt-{_counter['n']}.png",
        "content_type": "image/png",
        "size": len(data),
        "sha256": sha,
        "supplier_name": "Screwfix",
        "document_number": f"INV-{_counter['n']}",
        "total": Decimal("12.00"),
        "net": Decimal("10.00"),
        "vat": Decimal("2.00"),
        "state": state,
    }
    values.update(fields)
    document = Document(business=business, **values)
    document.original.save(values["original_name"], ContentFile(data), save=False)
    document.save()
    return document


@pytest.fixture
def make_doc(cast):
    def make(state=State.READY, business=None, **fields):
        return make_document(business or cast.business, state, **fields)

    return make


@pytest.fixture
def publishable(cast, coding, make_doc):
    """A ready document that passes every check."""
    import datetime as dt

    return make_doc(
        State.READY,
        supplier=coding["supplier"],
        nominal_code=coding["nominal"],
        vat_rate=coding["vat"],
        document_date=dt.date(2026, 11, 2),
    )


def snapshot(document) -> dict:
    """Everything a refused request must leave as it was."""
    document.refresh_from_db()
    return {
        "fields": {
            f.attname: getattr(document, f.attname)
            for f in Document._meta.concrete_fields
            if f.attname != "updated"
        },
        "events": list(DocumentEvent.objects.filter(document=document).values_list("pk", "action")),
        "documents": Document.objects.count(),
    }


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The real hasher is slow on purpose; these tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
