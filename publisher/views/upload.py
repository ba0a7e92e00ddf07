"""Upload: the page sends each file in its own request (so each has a progress bar); without
JavaScript the same form posts them all at once and the results come back as a page."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from capture.intake import ingest_file
from publisher.forms import MAX_FILES_PER_UPLOAD, UploadForm
from publisher.models import Role
from publisher.views.access import membership_with_role


def result_row(slug: str, result) -> dict:
    document = result.duplicate_of or result.document
    return {
        "name": result.name,
        "status": result.status,
        "message": result.message,
        "url": reverse("review", args=[slug, document.pk]) if document else "",
    }


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, slug):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    business = membership.business
    results: list[dict] = []
    form = UploadForm(initial={"kind": request.GET.get("kind", "cost")})
    if request.method == "POST":
        files = request.FILES.getlist("file")
        form = UploadForm(request.POST, {"file": files[0]} if files else None)
        if len(files) > MAX_FILES_PER_UPLOAD:
            form.add_error("file", f"Up to {MAX_FILES_PER_UPLOAD} files at a time, please.")
        if form.is_valid():
            for upload in files:
                for result in ingest_file(
                    business,
                    upload.read(),
                    upload.name,
                    kind=form.cleaned_data["kind"],
                    claimant=form.cleaned_data["claimant"],
                    user=request.user,
                    split_pages=form.cleaned_data["split_pages"],
                ):
                    results.append(result_row(slug, result))
        if wants_json(request):
            if not form.is_valid():
                errors = {k: " ".join(v) for k, v in form.errors.items()}
                return JsonResponse({"errors": errors}, status=400)
            return JsonResponse({"results": results})
    return render(
        request,
        "publisher/upload.html",
        {
            "membership": membership,
            "business": business,
            "form": form,
            "results": results,
            "max_files": MAX_FILES_PER_UPLOAD,
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )
