"""The foundation path through the site's own HTTP views: sign in, upload a receipt image, a real
capture worker runs Tesseract, the document reaches the review queue, a reviewer corrects and
approves it, a real publish worker sends it to the KashFlow stand-in over HTTP, and the page shows
KashFlow's receipt number."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from capture.fixtures.generator import receipt_sample
from capture.models import Document, State
from kashflow.models import NominalCode
from kashflow.sync import sync_business
from kashflow.types import Supplier as KashFlowSupplier
from publisher.models import Membership, Role
from tests.web.test_review import form_data

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"


def test_it_takes_a_receipt_from_upload_to_a_kashflow_number_through_the_site(
    client, connected_business, kashflow_sandbox, run_jobs, settings, redis_url
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    reviewer = get_user_model().objects.create_user("rita", "rita@example.com", PASSWORD)
    Membership.objects.create(user=reviewer, business=connected_business, role=Role.REVIEWER)
    sample = receipt_sample(41)
    connected_business.kashflow_client().insert_supplier(
        KashFlowSupplier(name=sample.truth["supplier_name"])
    )
    sync_business(connected_business)
    slug = connected_business.slug

    response = client.post(reverse("login"), {"username": "rita", "password": PASSWORD})
    assert response.status_code == 302

    upload = SimpleUploadedFile("till-receipt.png", sample.data, content_type="image/png")
    response = client.post(reverse("upload", args=[slug]), {"file": [upload], "kind": "cost"})
    assert response.status_code in (200, 302)
    document = Document.objects.get()
    assert document.state == State.RECEIVED

    run_jobs("capture")
    document.refresh_from_db()
    assert document.state in (State.READY, State.NEEDS_ATTENTION), document.state_reason
    assert document.total == sample.truth["total"]
    assert document.document_date == sample.truth["date"]
    assert document.supplier.name == sample.truth["supplier_name"]
    inbox = client.get(reverse("inbox", args=[slug]))
    assert sample.truth["supplier_name"] in inbox.content.decode()

    review_url = reverse("review", args=[slug, document.pk])
    assert client.get(review_url).status_code == 200
    purchases = NominalCode.objects.get(business=connected_business, code=5000)
    response = client.post(
        review_url,
        form_data(
            document, nominal_code=purchases.pk, description="Shop supplies", action="approve"
        ),
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.state == State.PUBLISHING

    run_jobs("publish")
    document.refresh_from_db()
    assert document.state == State.PUBLISHED
    receipt = kashflow_sandbox.state.receipts[document.kashflow_number]
    assert receipt["CustomerID"] == document.supplier.kashflow_id
    assert receipt["NetAmount"] + receipt["VATAmount"] == sample.truth["total"]
    page = client.get(review_url).content.decode()
    assert str(document.kashflow_number) in page
