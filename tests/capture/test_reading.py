"""The two readings: Tesseract first, PP-OCR again where the first is doubtful."""

import logging
from decimal import Decimal

import pytest

from capture import reading
from capture.extraction import Extraction, Field, extract
from capture.extraction.model import GROSS_LESS_VAT
from capture.ocr import OcrFailed, get_engine, register_engine
from capture.ocr.ppocr import PpOcrEngine, split_box
from capture.ocr.preprocess import prepare
from capture.reading import combine, read_and_extract, respace

from .conftest import needs_tesseract
from .helpers import page_from_lines

pytest.importorskip("rapidocr_onnxruntime", reason="PP-OCR is published for Python up to 3.12")


def squeezed(text: str) -> str:
    return "".join(text.split()).upper()


@pytest.fixture
def always_doubtful(monkeypatch):
    """Every reading counts as doubtful, so the second engine's path runs on any page."""
    monkeypatch.setattr(reading, "DOUBTFUL_BELOW", {"total": 1.01})


def test_the_second_engine_reads_a_receipt_into_boxed_words(samples):
    import io

    from PIL import Image

    sample = samples["receipt_photo"]
    image = prepare(Image.open(io.BytesIO(sample.data)))
    page = PpOcrEngine().read(image)
    assert page.source == "ppocr"
    assert (page.width, page.height) == image.size
    assert len(page.words) > 20
    for word in page.words:
        assert word.text.strip() == word.text and word.text
        assert 0 <= word.left and word.right <= image.width + 2
        assert 0 <= word.top and word.bottom <= image.height + 2
        assert 0 < word.conf <= 100
    text = squeezed(page.text)
    assert squeezed(sample.truth["supplier_name"]) in text
    assert f"{sample.truth['total']:.2f}" in text


def test_a_box_read_as_several_words_shares_its_width_out_in_order():
    words = split_box([[100, 10], [400, 10], [400, 40], [100, 40]], "TOTAL  DUE 12.50", 0.9, 7)
    assert [w.text for w in words] == ["TOTAL", "DUE", "12.50"]
    assert words[0].left == 100 and words[-1].right <= 400
    assert words[0].right < words[1].left < words[1].right < words[2].left
    assert {w.line for w in words} == {7} and {w.conf for w in words} == {90.0}
    # The padding detection puts round print is taken off: the words keep the box's middle.
    assert all(w.height == 19 and abs(w.top + w.height / 2 - 25) <= 1 for w in words)
    full_width = split_box([[0, 0], [90, 0], [90, 9], [0, 9]], "AEON（M）B ＆ Q", 0.9, 1)
    assert [w.text for w in full_width] == ["AEON(M)B", "&", "Q"]
    assert split_box([[0, 0], [5, 0], [5, 5], [0, 5]], "   ", 0.9, 1) == []


@needs_tesseract
def test_a_sure_reading_has_only_its_letterhead_read_again(samples):
    sample = samples["receipt"]
    result = read_and_extract(sample.data, sample.mime)
    first = extract(result.pages)
    assert not reading.doubtful(first)
    assert result.second_groups == reading.LETTERHEAD_GROUPS == ("supplier_name",)
    [letterhead] = result.second_pages
    assert letterhead.source == "ppocr"
    assert (letterhead.width, letterhead.height) == (result.pages[0].width, result.pages[0].height)
    # Only the top of the page: its eighth printed line is the last read again.
    eighth = result.pages[0].lines()[reading.LETTERHEAD_LINES - 1]
    limit = max(w.bottom for w in eighth) + eighth[0].height
    assert letterhead.words and all(w.bottom <= limit for w in letterhead.words)
    assert squeezed(letterhead.text).startswith(squeezed(sample.truth["supplier_name"]))
    for name in ("total", "date", "net", "vat", "document_number"):
        assert result.extraction.fields[name] == first.fields[name]
    assert result.extraction.value("total") == sample.truth["total"]


@needs_tesseract
def test_a_sure_reading_of_a_known_supplier_is_not_read_again(samples):
    sample = samples["receipt"]
    result = read_and_extract(sample.data, sample.mime, [sample.truth["supplier_name"]])
    assert result.extraction.fields["supplier_name"].source.startswith("known supplier")
    assert result.second_pages == [] and result.second_groups == ()
    assert not any("second reading" in f.source for f in result.extraction.fields.values())


@needs_tesseract
def test_a_doubtful_reading_takes_each_group_from_the_surer_reading(samples, always_doubtful):
    sample = samples["receipt_photo"]
    result = read_and_extract(sample.data, sample.mime)
    assert [page.source for page in result.pages] == ["tesseract"]
    assert [page.source for page in result.second_pages] == ["ppocr"]
    # The same prepared image was read twice, so boxes from either reading fit the stored page.
    assert (result.second_pages[0].width, result.second_pages[0].height) == (
        result.pages[0].width,
        result.pages[0].height,
    )
    first, second = extract(result.pages), extract(result.second_pages)
    for key, names in reading.GROUPS.items():
        surer = (
            second
            if reading.field_confidence(second, key) > reading.field_confidence(first, key)
            else first
        )
        for name in names:
            assert result.extraction.value(name) == surer.value(name) or name == "supplier_name"
        if surer is second and key in second.fields:
            assert result.extraction.fields[key].source.endswith("second reading (PP-OCR)")
    assert result.extraction.value("total") == sample.truth["total"]
    assert result.extraction.value("date") == sample.truth["date"]
    assert squeezed(result.extraction.value("supplier_name")) == squeezed(
        sample.truth["supplier_name"]
    )


def test_a_text_layer_is_never_read_twice(samples, always_doubtful):
    sample = samples["invoice_pdf"]
    result = read_and_extract(sample.data, sample.mime)
    assert [page.source for page in result.pages] == ["text-layer"]
    assert result.second_pages == []


def test_no_second_engine_when_it_is_turned_off(samples, always_doubtful, settings):
    settings.OCR_SECOND_ENGINE = ""
    sample = samples["receipt"]
    result = read_and_extract(sample.data, sample.mime)
    assert result.second_pages == []
    assert result.extraction.value("total") == sample.truth["total"]


class BrokenEngine:
    name = "broken"

    def read(self, image):
        raise OcrFailed("the broken engine cannot read")


@needs_tesseract
def test_a_failing_second_engine_leaves_the_first_reading(samples, always_doubtful, settings,
                                                          caplog):  # fmt: skip
    register_engine("broken", BrokenEngine)
    settings.OCR_SECOND_ENGINE = "broken"
    sample = samples["receipt"]
    with caplog.at_level(logging.WARNING, logger="capture.reading"):
        result = read_and_extract(sample.data, sample.mime)
    assert result.second_pages == []
    assert result.extraction.to_dict() == extract(result.pages).to_dict()
    assert "the broken engine cannot read" in caplog.text
    settings.OCR_SECOND_ENGINE = "no-such-engine"
    assert read_and_extract(sample.data, sample.mime).second_pages == []


def _extraction(**fields) -> Extraction:
    return Extraction(fields={n: Field(v, c, [], "read") for n, (v, c) in fields.items()})


def test_amounts_come_together_from_the_surer_reading_and_are_checked_again():
    first = _extraction(
        total=(Decimal("10.00"), 0.3), vat=(Decimal("1.00"), 0.3), date=("2026-11-23", 0.9),
        supplier_name=("Corner Shop", 0.8),
    )  # fmt: skip
    first.misread["total"] = Decimal("16.00")
    second = _extraction(
        total=(Decimal("12.00"), 0.9), vat=(Decimal("2.00"), 0.9), net=(Decimal("10.00"), 0.9),
        date=("2026-11-24", 0.7), supplier_name=("Corner Shop Ltd", 0.6),
    )  # fmt: skip
    combined = combine(first, second, [])
    assert [combined.value(n) for n in ("total", "vat", "net")] == [
        Decimal("12.00"), Decimal("2.00"), Decimal("10.00"),
    ]  # fmt: skip
    assert combined.fields["total"].source == "read, second reading (PP-OCR)"
    assert combined.value("date") == "2026-11-23"
    assert combined.value("supplier_name") == "Corner Shop"
    assert combined.misread == {}
    assert [(c.name, c.ok) for c in combined.checks] == [("net_plus_vat_is_gross", True)]
    # Neither reading is changed by combining them.
    assert first.value("total") == Decimal("10.00") and "net" not in first.fields


def test_a_net_worked_out_in_the_second_reading_still_proves_nothing():
    first = _extraction(total=(Decimal("9.00"), 0.2))
    second = _extraction(total=(Decimal("12.00"), 0.8), vat=(Decimal("2.00"), 0.8))
    second.fields["net"] = Field(Decimal("10.00"), 0.6, [], GROSS_LESS_VAT)
    combined = combine(first, second, [])
    assert combined.fields["net"].source == "gross less VAT, second reading (PP-OCR)"
    assert "net_plus_vat_is_gross" not in {c.name for c in combined.checks}


def test_a_field_the_surer_reading_lacks_is_not_kept_from_the_other():
    first = _extraction(total=(Decimal("9.00"), 0.2), vat_rate=(Decimal(20), 0.5))
    second = _extraction(total=(Decimal("9.50"), 0.8))
    combined = combine(first, second, [])
    assert combined.value("total") == Decimal("9.50")
    assert "vat_rate" not in combined.fields


def test_spaces_the_second_engine_ran_together_come_back_from_the_first_reading():
    page = page_from_lines(["UNIHAKKA INTERNATI0NAL SDN BHD", "12 Mar 2018", "TOTAL 8.20"])
    assert respace("UNIHAKKAINTERNATIONALSDNBHD", [page]) == "UNIHAKKA INTERNATIONAL SDN BHD"
    # Letters stay as the second engine read them; its own spaces stay too.
    other = page_from_lines(["MR D.I.Y. (JOHUR) SDN BHD"])
    assert respace("MR D.I.Y.(JOHOR)SDNBHD", [other]) == "MR D.I.Y. (JOHOR) SDN BHD"
    # A space where the first reading misread the letter beside it.
    other = page_from_lines(["MR O.1.Y. (JOHUR) SDN BHD"])
    assert respace("MRD.I.Y.(JOHOR)SDNBHD", [other]) == "MR D.I.Y. (JOHOR) SDN BHD"
    # A space the second engine read stays, even where the first reads the words together.
    other = page_from_lines(["CW KHOO HARDWARE SDNBHD"])
    assert respace("C W KHOOHARDWARE SDN BHD", [other]) == "C W KHOO HARDWARE SDN BHD"
    # Nothing alike on the page: the name is left as read.
    assert respace("BOONSENGPAPER", [page]) == "BOONSENGPAPER"


def test_a_letterhead_reading_gives_the_supplier_alone():
    first = _extraction(total=(Decimal("9.00"), 0.5), supplier_name=("C0RNER SH0P", 0.5))
    second = _extraction(total=(Decimal("1.00"), 0.9), supplier_name=("CORNER SHOP", 0.9))
    combined = combine(first, second, [], groups=reading.LETTERHEAD_GROUPS)
    assert combined.value("supplier_name") == "CORNER SHOP"
    assert combined.value("total") == Decimal("9.00")


def test_a_known_supplier_name_is_not_respaced():
    page = page_from_lines(["ACME SUPPLIES LIMITED"])
    first = _extraction(supplier_name=("ACME", 0.2))
    second = _extraction(supplier_name=("AcmeSupplies Limited", 0.95))
    assert combine(first, second, [page]).value("supplier_name") == "Acme Supplies Limited"
    kept = combine(first, second, [page], ["AcmeSupplies Limited"])
    assert kept.value("supplier_name") == "AcmeSupplies Limited"


@needs_tesseract
def test_extracting_again_uses_both_readings_without_reading_again(samples, always_doubtful):
    sample = samples["receipt_photo"]
    result = read_and_extract(sample.data, sample.mime)
    name = sample.truth["supplier_name"]
    again = result.extract_again([name])
    assert again.value("supplier_name") == name
    assert again.value("total") == result.extraction.value("total")
    assert get_engine("ppocr").name == "ppocr"
