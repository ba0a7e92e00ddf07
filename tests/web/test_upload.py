"""Upload through the page: one file per request (as the page's script sends them) or many at once
without JavaScript; each file gets its own result."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from capture.models import Document, Kind, State
from tests.web.conftest import receipt_png, stored_files


def _file(name="receipt.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, data if data is not None else receipt_png(name), content_type)


def _pdf(pages: int) -> bytes:
    from PIL import Image

    frames = [Image.new("RGB", (300, 400), "white") for _ in range(pages)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PDF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


@pytest.fixture
def upload_url():
    return reverse("upload", args=["acme"])


def test_it_renders_the_upload_page_with_kind_choice_and_split_option(client, cast, upload_url):
    page = cast.as_(client, cast.bookkeeper).get(upload_url).content.decode()
    assert 'name="kind"' in page and "Expense claim" in page
    assert 'name="split_pages"' in page and "One document per page" in page
    assert "multiple" in page and 'id="dropzone"' in page


def test_it_accepts_a_file_and_queues_it_for_reading(
    client, cast, upload_url, redis_conn, django_capture_on_commit_callbacks
):
    import django_rq

    cast.as_(client, cast.bookkeeper)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            upload_url,
            {"kind": "cost", "file": _file()},
            headers={"Accept": "application/json"},
        )
    assert response.status_code == 200
    [result] = response.json()["results"]
    document = Document.objects.get()
    assert result["status"] == "accepted"
    assert result["url"] == reverse("review", args=["acme", document.pk])
    assert document.uploaded_by == cast.bookkeeper
    assert document.kind == Kind.COST
    assert django_rq.get_queue("capture").count == 1


def test_it_reports_a_duplicate_and_a_refusal_per_file(client, cast, upload_url):
    cast.as_(client, cast.bookkeeper)
    data = receipt_png("same bytes")
    json = {"Accept": "application/json"}
    first = client.post(upload_url, {"kind": "cost", "file": _file("a.png", data)}, headers=json)
    again = client.post(upload_url, {"kind": "cost", "file": _file("b.png", data)}, headers=json)
    junk = client.post(
        upload_url,
        {"kind": "cost", "file": _file("notes.txt", b"hello", "text/plain")},
        headers=json,
    )
    assert first.json()["results"][0]["status"] == "accepted"
    duplicate = again.json()["results"][0]
    assert duplicate["status"] == "duplicate"
    assert "Already uploaded" in duplicate["message"]
    refused = junk.json()["results"][0]
    assert refused["status"] == "refused"
    assert "not a file we can read" in refused["message"]
    # The refused file left nothing behind: two rows (the copy is recorded), one stored original.
    assert Document.objects.count() == 2
    assert Document.objects.get(original_name="b.png").state == State.REJECTED


def test_it_says_what_to_do_about_an_empty_file(client, cast, upload_url):
    cast.as_(client, cast.bookkeeper)
    response = client.post(
        upload_url,
        {"kind": "cost", "file": _file("scan.jpg", b"")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    message = response.json()["errors"]["file"]
    assert "empty (0 bytes)" in message and "upload the new copy" in message
    assert not Document.objects.exists()


def test_it_uploads_many_files_at_once_without_javascript(client, cast, upload_url):
    cast.as_(client, cast.bookkeeper)
    files = [_file(f"r{i}.png") for i in range(3)]
    response = client.post(upload_url, {"kind": "sale", "file": files})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Accepted: reading it now.") == 3
    assert set(Document.objects.values_list("kind", flat=True)) == {Kind.SALE}


def test_it_refuses_more_than_fifty_files(client, cast, upload_url, settings):
    cast.as_(client, cast.bookkeeper)
    files = [_file(f"r{i}.png", b"x") for i in range(51)]
    response = client.post(upload_url, {"kind": "cost", "file": files})
    assert response.status_code == 400
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_it_needs_a_claimant_for_an_expense_claim(client, cast, upload_url):
    cast.as_(client, cast.bookkeeper)
    response = client.post(
        upload_url, {"kind": "expense", "file": _file()}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert "claimant" in response.json()["errors"]
    assert not Document.objects.exists()

    response = client.post(
        upload_url,
        {"kind": "expense", "claimant": "Sam Price", "file": _file()},
        headers={"Accept": "application/json"},
    )
    assert response.json()["results"][0]["status"] == "accepted"
    assert Document.objects.get().claimant == "Sam Price"


def test_it_splits_a_multi_page_pdf_into_one_document_per_page(client, cast, upload_url):
    cast.as_(client, cast.bookkeeper)
    pdf = SimpleUploadedFile("scan.pdf", _pdf(3), "application/pdf")
    response = client.post(
        upload_url,
        {"kind": "cost", "split_pages": "on", "file": pdf},
        headers={"Accept": "application/json"},
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * 3
    assert Document.objects.count() == 3
    assert set(Document.objects.values_list("page_count", flat=True)) == {1}
