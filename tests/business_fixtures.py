"""Fixtures for a business connected to the KashFlow stand-in, and coded documents in it."""

import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from capture.models import Document, Kind, State
from kashflow.models import BankAccount, Customer, NominalCode, PaymentMethod, Supplier, VatRate
from publisher.models import Business
from tests.kashflow_fixtures import SANDBOX_PASSWORD, SANDBOX_USERNAME


def receipt_png(text: str = "CORNER CAFE\nTOTAL 12.00") -> bytes:
    image = Image.new("RGB", (300, 200), "white")
    ImageDraw.Draw(image).multiline_text((10, 10), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def connected_business(db, kashflow_sandbox):
    """A business connected to the stand-in, with the stand-in's records copied locally."""
    business = Business(name="Northern Lights Trading Ltd", slug="northern")
    business.kashflow_username = SANDBOX_USERNAME
    business.kashflow_password = SANDBOX_PASSWORD
    business.kashflow_endpoint = kashflow_sandbox.url
    business.save()
    state = kashflow_sandbox.state
    supplier = next(iter(state.suppliers.values()))
    customer = next(iter(state.customers.values()))
    Supplier.objects.create(
        business=business, kashflow_id=supplier["SupplierID"], name=supplier["Name"]
    )
    Customer.objects.create(
        business=business, kashflow_id=customer["CustomerID"], name=customer["Name"]
    )
    purchases = next(n for n in state.nominal_codes if n["Code"] == 5000)
    NominalCode.objects.create(
        business=business, kashflow_id=purchases["id"], code=5000, name=purchases["Name"]
    )
    sales = next(n for n in state.nominal_codes if n["Code"] == 4000)
    NominalCode.objects.create(
        business=business, kashflow_id=sales["id"], code=4000, name=sales["Name"]
    )
    standard = next(r for r in state.vat_rates if Decimal(r["Value"]) == 20)
    VatRate.objects.create(
        business=business, kashflow_id=standard["ID"], name="Standard", rate=Decimal(20)
    )
    method = state.rec_pay_methods[0]
    PaymentMethod.objects.create(
        business=business,
        kashflow_id=method["MethodID"],
        name=method["MethodName"],
        direction="purchase",
    )
    sale_method = state.inv_pay_methods[0]
    PaymentMethod.objects.create(
        business=business,
        kashflow_id=sale_method["MethodID"],
        name=sale_method["MethodName"],
        direction="sale",
    )
    bank = state.bank_accounts[0]
    BankAccount.objects.create(
        business=business, kashflow_id=bank["AccountID"], name=bank["AccountName"]
    )
    return business


@pytest.fixture
def make_document(connected_business):
    """A coded document in the given state, with a real PNG as its original."""
    counter = iter(range(1, 1000))

    def make(state=State.PUBLISHING, kind=Kind.COST, **fields):
        n = next(counter)
        business = connected_business
        data = receipt_png(f"CORNER CAFE {n}\nTOTAL 12.00")
        defaults = dict(
            business=business,
            kind=kind,
            state=state,
            original_name=f"receipt-{n}.png",
            content_type="image/png",
            size=len(data),
            sha256=f"{n:064x}",
            supplier_name="Corner Cafe",
            document_number=f"INV-{n}",
            net=Decimal("10.00"),
            vat=Decimal("2.00"),
            total=Decimal("12.00"),
            supplier=Supplier.objects.get(business=business) if kind != Kind.SALE else None,
            customer=Customer.objects.get(business=business) if kind == Kind.SALE else None,
            nominal_code=NominalCode.objects.get(
                business=business, code=4000 if kind == Kind.SALE else 5000
            ),
            vat_rate=VatRate.objects.get(business=business),
        )
        defaults.update(fields)
        import datetime as dt

        defaults.setdefault("document_date", dt.date(2026, 11, 2))
        document = Document(**defaults)
        document.original.save(document.original_name, ContentFile(data), save=False)
        document.save()
        return document

    return make
