import io

import pytest
from PIL import Image

from capture.files import FileInfo, Limits, RejectedFile, sniff, split_pages
from capture.fixtures.generator import encode
from capture.fixtures.pdfwriter import TextRun, write_pdf


def pdf_of(pages: int) -> bytes:
    return write_pdf([[TextRun(72, 100, 14, f"Page {n + 1} of the file")] for n in range(pages)])


def tiff_of(frames: int) -> bytes:
    images = [Image.new("L", (200, 100), 255 - 40 * n) for n in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="TIFF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, mime, extension",
    [
        ("receipt", "image/png", "png"),
        ("receipt_jpeg", "image/jpeg", "jpg"),
        ("receipt_webp", "image/webp", "webp"),
        ("receipt_heic", "image/heic", "heic"),
        ("receipt_tiff", "image/tiff", "tif"),
        ("invoice_pdf", "application/pdf", "pdf"),
    ],
)
def test_it_recognises_each_supported_type_from_its_bytes(samples, name, mime, extension):
    assert sniff(samples[name].data) == FileInfo(mime=mime, extension=extension, pages=1)


def test_it_counts_the_pages_of_a_multi_page_tiff_and_pdf():
    assert sniff(tiff_of(3)).pages == 3
    assert sniff(pdf_of(4)).pages == 4


def test_it_refuses_an_empty_file():
    with pytest.raises(RejectedFile, match="empty"):
        sniff(b"")


def test_it_refuses_a_file_over_the_size_limit(samples):
    data = samples["receipt"].data
    with pytest.raises(RejectedFile, match="largest accepted is"):
        sniff(data, Limits(max_bytes=len(data) - 1))


@pytest.mark.parametrize(
    "data",
    [b"Date,Amount\n23/11/2026,12.50\n", b"PK\x03\x04" + b"\x00" * 100, b"GIF89a" + b"\x00" * 50],
)
def test_it_refuses_bytes_that_are_no_supported_type(data):
    with pytest.raises(RejectedFile, match="not a file we can read"):
        sniff(data)


@pytest.mark.parametrize("name", ["receipt", "receipt_jpeg", "receipt_webp"])
def test_it_refuses_a_truncated_image(samples, name):
    data = samples[name].data
    with pytest.raises(RejectedFile, match="damaged or incomplete"):
        sniff(data[: len(data) // 2])


def test_it_refuses_a_truncated_pdf():
    data = pdf_of(2)
    with pytest.raises(RejectedFile, match="damaged or incomplete"):
        sniff(data[: len(data) - 200])


def test_it_refuses_a_pdf_that_needs_a_password():
    data = write_pdf([[TextRun(72, 100, 14, "Private")]], user_password="secret")
    with pytest.raises(RejectedFile, match="password"):
        sniff(data)


def test_it_refuses_a_decompression_bomb():
    # 16000 x 16000 one-bit pixels: a few kilobytes on disk, 256 megapixels when opened.
    bomb = encode(Image.new("1", (16000, 16000), 1), "PNG")
    assert len(bomb) < 100_000
    with pytest.raises(RejectedFile, match="bad file"):
        sniff(bomb)


def test_it_refuses_a_page_over_the_megapixel_limit():
    data = encode(Image.new("L", (1200, 1000), 255), "PNG")
    with pytest.raises(RejectedFile, match="1 megapixels"):
        sniff(data, Limits(max_megapixels=1))


def test_it_refuses_too_many_pages():
    with pytest.raises(RejectedFile, match="3 pages"):
        sniff(pdf_of(3), Limits(max_pages=2))
    with pytest.raises(RejectedFile, match="pages"):
        sniff(tiff_of(3), Limits(max_pages=2))


def test_it_reads_its_limits_from_settings(settings, samples):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(RejectedFile, match="largest accepted"):
        sniff(samples["receipt"].data)


def test_it_splits_a_pdf_into_single_page_pdfs():
    import pypdfium2

    parts = split_pages(pdf_of(3), "application/pdf")
    assert [sniff(part).pages for part in parts] == [1, 1, 1]
    texts = [pypdfium2.PdfDocument(p)[0].get_textpage().get_text_range() for p in parts]
    assert texts == ["Page 1 of the file", "Page 2 of the file", "Page 3 of the file"]


def test_it_splits_a_tiff_into_pngs(samples):
    parts = split_pages(tiff_of(2), "image/tiff")
    assert [sniff(part).mime for part in parts] == ["image/png", "image/png"]
    assert [Image.open(io.BytesIO(p)).getpixel((0, 0)) for p in parts] == [255, 215]
    single = samples["receipt"].data
    assert split_pages(single, "image/png") == [single]
