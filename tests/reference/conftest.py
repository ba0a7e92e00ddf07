"""Fixtures for reference data, matching, rules and duplicates.

Reference data comes from the KashFlow stand-in over real HTTP, synced with ``sync_business``,
exactly as a business gets it in production.
"""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from capture.models import Document, State
from publisher.models import Business, Membership, Role

_serial = itertools.count(1)


@pytest.fixture
def business(db, kashflow_sandbox):
    business = Business(name="Acme Trading Ltd", slug="acme")
    business.kashflow_username = kashflow_sandbox.state.account.username
    business.kashflow_password = kashflow_sandbox.state.account.password
    business.kashflow_endpoint = kashflow_sandbox.url
    business.save()
    return business


@pytest.fixture
def personas(business):
    """owner: admin, may change the sync interval; reviewer: may sync, edit rules and decide
    duplicates; bookkeeper: may look only; outsider: belongs to another business."""
    users = get_user_model().objects
    people = {}
    for name, role in (
        ("owner", Role.ADMIN),
        ("reviewer", Role.REVIEWER),
        ("bookkeeper", Role.BOOKKEEPER),
    ):
        people[name] = users.create_user(name)
        Membership.objects.create(user=people[name], business=business, role=role)
    people["outsider"] = users.create_user("outsider")
    other = Business.objects.create(name="Other Ltd", slug="other")
    Membership.objects.create(user=people["outsider"], business=other, role=Role.ADMIN)
    return people


def make_document(business, **fields) -> Document:
    serial = next(_serial)
    values = {
        "original_name": f"receipt-{serial}.png",
        "content_type": "image/png",
        "size": 3,
        "sha256": f"{serial:064x}",
        "state": State.PROCESSING,
        "document_date": date(2026, 11, 2),
        "net": Decimal("10.00"),
        "vat": Decimal("2.00"),
        "total": Decimal("12.00"),
    }
    values.update(fields)
    document = Document(business=business, **values)
    document.original.save(values["original_name"], ContentFile(b"png"), save=False)
    document.save()
    return document


@pytest.fixture
def new_document(business):
    return lambda **fields: make_document(business, **fields)


def add_party(sandbox, kind: str, name: str, vat_number: str = "", **fields) -> int:
    """Put a supplier or customer into the stand-in's books, as if typed into KashFlow."""
    from datetime import datetime

    record = {
        "Name": name,
        "Code": "",
        "VATNumber": vat_number,
        "Address1": "",
        "Address2": "",
        "Address3": "",
        "Address4": "",
        "CurrencyID": 1,
        "PaymentTerms": 0,
        "EC": 0,
        "Created": datetime(2025, 4, 6, 9, 0),
        "Updated": datetime(2025, 4, 6, 9, 0),
        "PostCode" if kind == "supplier" else "Postcode": "",
    }
    record.update(fields)
    with sandbox.state.lock:
        return sandbox.state.add_party(kind, record)


@pytest.fixture
def sync(business, redis_conn):
    """Sync ``business`` from the stand-in now; fails the test if the sync did not succeed."""
    from kashflow.sync import sync_business

    def run():
        result = sync_business(business)
        assert result.status == "succeeded", result.error
        return result

    return run
