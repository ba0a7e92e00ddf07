import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from capture.models import Document, State
from publisher.maintenance import fail_stuck_documents
from publisher.models import Business, PublishAttempt


def _document(business, state, age_minutes):
    doc = Document(
        business=business,
        original_name="r.png",
        content_type="image/png",
        size=1,
        sha256=f"{age_minutes:064d}",
        state=state,
    )
    doc.original.save("r.png", ContentFile(b"x"), save=False)
    doc.save()
    Document.objects.filter(pk=doc.pk).update(
        updated=timezone.now() - dt.timedelta(minutes=age_minutes)
    )
    return doc


@pytest.mark.django_db
def test_it_fails_documents_a_dead_worker_left_behind_and_leaves_live_ones():
    business = Business.objects.create(name="Acme", slug="acme")
    stuck_reading = _document(business, State.PROCESSING, 45)
    stuck_publishing = _document(business, State.PUBLISHING, 60)
    PublishAttempt.objects.create(document=stuck_publishing)
    live = _document(business, State.PROCESSING, 2)

    assert fail_stuck_documents() == 2

    assert Document.objects.get(pk=stuck_reading.pk).state == State.FAILED
    assert Document.objects.get(pk=stuck_publishing.pk).state == State.PUBLISH_FAILED
    assert PublishAttempt.objects.get().outcome == PublishAttempt.Outcome.UNKNOWN
    assert Document.objects.get(pk=live.pk).state == State.PROCESSING
