"""Recovery for work a crashed worker left behind, run on a schedule.

A worker that dies mid-job leaves its document in ``processing`` or ``publishing`` with nobody
to move it on. After a generous grace period these sweeps move such documents to the matching
failure state, with the reason, so a person sees them and can retry.
"""

import datetime as dt

from django.utils import timezone

from capture.models import Document, State
from capture.states import TransitionRefused, transition
from publisher.models import PublishAttempt

STUCK_AFTER = dt.timedelta(minutes=30)


def fail_stuck_documents(now=None) -> int:
    now = now or timezone.now()
    moved = 0
    for document in Document.objects.filter(state=State.PROCESSING, updated__lt=now - STUCK_AFTER):
        try:
            transition(
                document,
                State.FAILED,
                reason="Reading stopped unexpectedly (the worker was interrupted). Retry it.",
            )
            moved += 1
        except TransitionRefused:
            pass
    for document in Document.objects.filter(state=State.PUBLISHING, updated__lt=now - STUCK_AFTER):
        PublishAttempt.abandon_running(document, now)
        try:
            transition(
                document,
                State.PUBLISH_FAILED,
                reason="Publishing stopped unexpectedly. Retry it: KashFlow is checked first, so "
                "nothing is posted twice.",
            )
            moved += 1
        except TransitionRefused:
            pass
    return moved
