import io
import os
import stat
import time

import pytest
from PIL import Image

from capture.fixtures.generator import draw, make_receipt
from capture.ocr import (
    OcrEngine,
    OcrFailed,
    OcrPage,
    Word,
    get_engine,
    read_document,
    render_pages,
)
from capture.ocr.preprocess import estimate_skew, prepare
from capture.ocr.tesseract import TesseractEngine

from .conftest import needs_tesseract


def test_it_reads_a_text_layer_without_ocr_and_quickly(samples):
    sample = samples["invoice_pdf"]
    started = time.perf_counter()
    pages = read_document(sample.data, sample.mime)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.1
    assert [page.source for page in pages] == ["text-layer"]
    words = {w.text for w in pages[0].words}
    assert sample.truth["document_number"] in words
    assert all(w.conf == 100 for w in pages[0].words)
    assert sample.truth["supplier_name"] in pages[0].text


def test_it_gives_text_layer_boxes_where_the_words_are_printed(samples):
    page = read_document(samples["invoice_pdf"].data, "application/pdf")[0]
    # The supplier's name is drawn 50 pt from the left edge; boxes are in 300 dpi pixels.
    name = samples["invoice_pdf"].truth["supplier_name"].split()[0]
    first = next(w for w in page.words if w.text == name)
    assert abs(first.left - 50 * 300 / 72) < 5
    assert page.width == round(595 * 300 / 72)


@needs_tesseract
def test_it_ocrs_a_pdf_page_that_has_no_text_layer(samples):
    sample = samples["invoice_scan_pdf"]
    pages = read_document(sample.data, sample.mime)
    assert [page.source for page in pages] == ["tesseract"]
    assert sample.truth["supplier_name"] in pages[0].text
    assert f"{sample.truth['total']:,.2f}" in pages[0].text


@needs_tesseract
def test_it_keeps_every_word_with_its_box_and_confidence(samples):
    page = read_document(samples["receipt"].data, "image/png")[0]
    assert page.source == "tesseract"
    assert len(page.words) > 20
    for word in page.words:
        assert word.text.strip()
        assert 0 <= word.conf <= 100
        assert 0 <= word.left < page.width and 0 <= word.top < page.height
        assert word.width > 0 and word.height > 0
    assert f"{samples['receipt'].truth['total']:,.2f}" in page.text


@needs_tesseract
def test_it_turns_a_sideways_phone_photo_upright_from_its_exif(samples):
    from capture.fixtures.generator import receipt_sample

    sample = next(
        s for s in (receipt_sample(seed, "photo") for seed in range(40)) if s.meta["sideways"]
    )
    assert Image.open(io.BytesIO(sample.data)).getexif().get(0x0112) == 6
    page = read_document(sample.data, sample.mime)[0]
    assert page.height > page.width
    assert f"{sample.truth['total']:,.2f}" in page.text


def test_it_measures_and_undoes_a_skew():
    image = draw(make_receipt(5), dpi=150)
    tilted = image.rotate(3.0, expand=True, fillcolor=255)
    assert estimate_skew(tilted) == pytest.approx(-3.0, abs=0.4)
    assert estimate_skew(image) == pytest.approx(0.0, abs=0.3)


def test_it_scales_small_text_up_and_huge_photos_down():
    small = draw(make_receipt(5), dpi=100)
    assert prepare(small).width > small.width * 1.3
    huge = Image.new("RGB", (8000, 6000), "white")
    assert max(prepare(huge).size) <= 3600
    assert prepare(small).mode == "L"


def test_it_round_trips_a_page_through_json():
    page = OcrPage(100, 50, [Word("TOTAL", 1, 2, 30, 10, 91.5, 1, 3)], "tesseract")
    assert OcrPage.from_dict(page.to_dict()) == page
    assert page.text == "TOTAL"


def test_it_renders_pages_for_people_to_look_at(samples):
    pdf_pages = render_pages(samples["invoice_pdf"].data, "application/pdf", max_side=800)
    assert [max(p.size) for p in pdf_pages] == [800]
    image_pages = render_pages(samples["receipt_tiff"].data, "image/tiff", max_side=500)
    assert len(image_pages) == 1 and max(image_pages[0].size) <= 500
    assert image_pages[0].mode == "RGB"


def test_it_keeps_engines_behind_a_protocol_and_a_registry():
    assert isinstance(get_engine("tesseract"), OcrEngine)
    with pytest.raises(LookupError, match="no OCR engine"):
        get_engine("nonexistent")


@pytest.fixture
def fake_tesseract(tmp_path, monkeypatch):
    """A stand-in tesseract program on PATH that records its environment."""

    def install(script: str):
        program = tmp_path / "tesseract"
        program.write_text("#!/bin/sh\n" + script)
        program.chmod(program.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
        return tmp_path

    return install


def test_it_runs_tesseract_on_one_thread(fake_tesseract):
    folder = fake_tesseract(
        'echo "$OMP_THREAD_LIMIT" > "$(dirname "$0")/threads"\n'
        "printf 'level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop"
        "\\twidth\\theight\\tconf\\ttext\\n5\\t1\\t1\\t1\\t1\\t1\\t3\\t4\\t20\\t9\\t88.5\\tTOTAL\\n'\n"
    )
    page = TesseractEngine().read(Image.new("L", (60, 20), 255))
    assert (folder / "threads").read_text().strip() == "1"
    assert page.words == [Word("TOTAL", 3, 4, 20, 9, 88.5, 1, 1)]


def test_it_reports_a_tesseract_failure_instead_of_an_empty_page(fake_tesseract):
    fake_tesseract("echo 'Error: cannot read input' >&2\nexit 1\n")
    with pytest.raises(OcrFailed, match="cannot read input"):
        TesseractEngine().read(Image.new("L", (60, 20), 255))


def test_it_tells_a_page_set_in_columns_from_a_till_receipt():
    from capture.fixtures.generator import make_invoice
    from capture.ocr.preprocess import looks_multi_column

    assert looks_multi_column(draw(make_invoice(100), dpi=150))
    assert not looks_multi_column(draw(make_receipt(100), dpi=150))


def test_it_evens_out_a_shadow_but_leaves_an_evenly_lit_scan_alone():
    from PIL import ImageDraw

    from capture.ocr.preprocess import flatten_light

    even = Image.new("L", (400, 300), 235)
    assert flatten_light(even) is even
    shadowed = Image.linear_gradient("L").resize((400, 300)).point(lambda v: 90 + v * 150 // 255)
    ImageDraw.Draw(shadowed).rectangle((20, 20, 60, 30), fill=10)
    flat = flatten_light(shadowed)
    top, bottom = flat.getpixel((200, 5)), flat.getpixel((200, 295))
    assert abs(top - bottom) < 30 < abs(shadowed.getpixel((200, 5)) - shadowed.getpixel((200, 295)))
    assert flat.getpixel((40, 25)) < 60


@needs_tesseract
def test_it_cuts_a_small_receipt_out_of_a_large_speckled_scan_and_reads_it():
    import random

    from capture.extraction import extract

    document = make_receipt(11)
    receipt = draw(document, dpi=100)
    # An A4 scan at 150 dpi with the receipt in one corner and dust all over the glass.
    page = Image.new("L", (1240, 1754), 250)
    rng = random.Random(3)
    for _ in range(600):
        x, y = rng.randrange(page.width), rng.randrange(page.height)
        page.putpixel((x, y), rng.randrange(0, 120))
    page.paste(receipt, (700, 150))
    from capture.ocr.preprocess import crop_to_print

    # Only the receipt is kept, with a margin round it; the dust does not widen the cut.
    cut = crop_to_print(page)
    assert receipt.width * 0.8 < cut.width < receipt.width * 1.3
    assert receipt.height * 0.8 < cut.height < receipt.height * 1.3
    # The print is then scaled up to a size Tesseract reads.
    assert prepare(page).height > receipt.height * 1.3
    result = extract(read_document(_png(page), "image/png"))
    assert result.value("total") == document.truth["total"]


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
