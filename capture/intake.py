"""Intake: from uploaded bytes to a stored Document, or a clear refusal that stores nothing.

Every way in (web upload, the ``ingest`` command) goes through ``ingest_file``.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.module_loading import import_string

from capture.files import RejectedFile, sniff
from capture.files import split_pages as split_file_pages
from capture.models import Document, Kind, State
from capture.states import transition

log = logging.getLogger(__name__)


@dataclass
class IntakeResult:
    name: str
    document: Document | None = None
    duplicate_of: Document | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error:
            return "refused"
        return "duplicate" if self.duplicate_of else "accepted"

    @property
    def message(self) -> str:
        if self.error:
            return self.error
        if self.duplicate_of:
            return (
                f"Already uploaded as document {self.duplicate_of.pk} "
                f"on {self.duplicate_of.created:%d %b %Y}: not read again."
            )
        return "Accepted: reading it now."


def ingest_file(
    business,
    data: bytes,
    name: str,
    *,
    kind: str = Kind.COST,
    claimant: str = "",
    user=None,
    split_pages: bool = False,
    on_accepted: Callable[[Document], None] | None = None,
) -> list[IntakeResult]:
    """Check, store and queue one uploaded file; one result per document it becomes.

    ``on_accepted`` is called after commit for each new document that should be read. It defaults
    to ``settings.CAPTURE_ON_ACCEPTED`` (the site queues the OCR job there), so capture itself
    knows nothing of the job system.
    """
    if on_accepted is None:
        on_accepted = import_string(settings.CAPTURE_ON_ACCEPTED)
    name = (name or "upload").rsplit("/", 1)[-1][:255]
    if kind not in Kind.values:
        return [IntakeResult(name, error=f"Unknown document kind {kind!r}.")]
    if kind == Kind.EXPENSE and not claimant.strip():
        return [IntakeResult(name, error="An expense claim needs the name of the person claiming.")]
    try:
        info = sniff(data)
        parts = split_file_pages(data, info.mime) if split_pages and info.pages > 1 else [data]
    except RejectedFile as exc:
        return [IntakeResult(name, error=str(exc))]

    results = []
    for index, part in enumerate(parts, start=1):
        part_name = name if len(parts) == 1 else f"{name} (page {index})"
        part_info = info if len(parts) == 1 else sniff(part)
        results.append(
            _store(business, part, part_name, part_info, kind, claimant.strip(), user, on_accepted)
        )
    return results


def _store(business, data, name, info, kind, claimant, user, on_accepted) -> IntakeResult:
    sha256 = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        first = (
            Document.objects.filter(business=business, sha256=sha256, duplicate_of__isnull=True)
            .order_by("pk")
            .first()
        )
        document = Document(
            business=business,
            kind=kind,
            claimant=claimant,
            original_name=name,
            content_type=info.mime,
            size=len(data),
            sha256=sha256,
            page_count=info.pages,
            uploaded_by=user,
            duplicate_of=first,
        )
        if first is not None:
            # The bytes are already stored under their hash: point at them, store nothing twice.
            document.original.name = first.original.name
            document.save()
            transition(
                document,
                State.REJECTED,
                actor=user,
                reason=f"Exact copy of document {first.pk}, uploaded {first.created:%d %b %Y}.",
                data={"duplicate_of": first.pk},
            )
            return IntakeResult(name, document=document, duplicate_of=first)
        document.original.save(name, ContentFile(data), save=False)
        document.save()
        transaction.on_commit(lambda: on_accepted(document))
    log.info("document %s stored (%s, %d bytes)", document.pk, info.mime, len(data))
    return IntakeResult(name, document=document)


def pages_as_file(data: bytes, mime: str, pages: list[int]) -> tuple[bytes, str]:
    """A new file holding only ``pages`` (1-based) of a multi-page PDF or TIFF."""
    import io

    if mime == "application/pdf":
        import pypdfium2

        source = pypdfium2.PdfDocument(data)
        part = pypdfium2.PdfDocument.new()
        try:
            part.import_pages(source, [page - 1 for page in pages])
            buffer = io.BytesIO()
            part.save(buffer)
            return buffer.getvalue(), mime
        finally:
            part.close()
            source.close()
    if mime == "image/tiff":
        from PIL import Image, ImageSequence

        with Image.open(io.BytesIO(data)) as image:
            frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
        chosen = [frames[page - 1] for page in pages]
        buffer = io.BytesIO()
        chosen[0].save(buffer, format="TIFF", save_all=True, append_images=chosen[1:])
        return buffer.getvalue(), mime
    raise RejectedFile("Only PDF and TIFF files have pages to split.")
