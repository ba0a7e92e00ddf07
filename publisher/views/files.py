"""Originals and page images, streamed to the business's members only (MEDIA_URL is not mounted)."""

import io

from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from publisher.models import Role
from publisher.views.access import document_of_member, membership_with_role

PAGE_MAX_SIDE = 2000


def _private(response):
    # A member's browser may keep it; no shared cache may, and nothing may sniff it into HTML.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@login_required
@require_GET
def original(request, slug, pk):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    document = document_of_member(membership, pk)
    try:
        handle = document.original.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The original file is missing.") from missing
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=document.original_name,
    )
    return _private(response)


def page_image_name(document, page: int) -> str:
    # Keyed by content hash: every copy of the same file shares its rendered pages.
    return f"pages/{document.business_id}/{document.sha256}/{PAGE_MAX_SIDE}-{page}.jpg"


def render_page(document, number: int):
    """One upright page as an RGB image. A PDF renders just that page, so opening page 1 of a
    fifty-page scan does not wait for the other forty-nine."""
    from capture.ocr import PDF, render_pages

    with document.original.open("rb") as handle:
        data = handle.read()
    if document.content_type == PDF:
        from capture.ocr.pdf import open_pdf, render

        pdf = open_pdf(data)
        try:
            return render(pdf[number - 1], max_side=PAGE_MAX_SIDE).convert("RGB")
        finally:
            pdf.close()
    return render_pages(data, document.content_type, PAGE_MAX_SIDE)[number - 1]


def store_page_image(document, number: int) -> str:
    name = page_image_name(document, number)
    if not default_storage.exists(name):
        buffer = io.BytesIO()
        # JPEG: a photographed receipt is a fifth of its PNG size and reads just as well.
        render_page(document, number).save(buffer, "JPEG", quality=85, optimize=True)
        default_storage.save(name, ContentFile(buffer.getvalue()))
    return name


@login_required
@require_GET
def page_image(request, slug, pk, page):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    document = document_of_member(membership, pk)
    if not 1 <= page <= max(document.page_count, 1):
        raise Http404("No such page.")
    try:
        name = store_page_image(document, page)
    except FileNotFoundError as missing:
        raise Http404("The original file is missing.") from missing
    except IndexError as missing:
        raise Http404("No such page.") from missing
    return _private(FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg"))
