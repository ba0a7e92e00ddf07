import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from capture.models import Document, DocumentEvent, State
from capture.states import TransitionRefused, transition
from publisher.models import Business


@pytest.fixture
def document(db):
    business = Business.objects.create(name="Acme Ltd", slug="acme")
    doc = Document(
        business=business, original_name="r.png", content_type="image/png", size=3, sha256="ab" * 32
    )
    doc.original.save("r.png", ContentFile(b"png"), save=False)
    doc.save()
    return doc


def test_it_moves_along_a_drawn_edge_and_writes_an_audit_event(document):
    user = get_user_model().objects.create_user("sam")
    transition(document, State.PROCESSING, actor=user, reason="queued for OCR")

    document.refresh_from_db()
    assert document.state == State.PROCESSING
    event = DocumentEvent.objects.get(document=document)
    assert (event.from_state, event.to_state, event.actor, event.message) == (
        State.RECEIVED,
        State.PROCESSING,
        user,
        "queued for OCR",
    )


def test_it_refuses_an_edge_not_drawn_and_changes_nothing(document):
    with pytest.raises(TransitionRefused):
        transition(document, State.PUBLISHED)
    document.refresh_from_db()
    assert document.state == State.RECEIVED
    assert not DocumentEvent.objects.exists()


def test_it_refuses_a_stale_caller(document):
    Document.objects.filter(pk=document.pk).update(state=State.PROCESSING)
    # The instance still says "received": a second worker must not win the same move.
    with pytest.raises(TransitionRefused, match="no longer"):
        transition(document, State.PROCESSING)
    assert not DocumentEvent.objects.exists()
