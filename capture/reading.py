"""Reading a document: Tesseract first, then PP-OCR where the first reading is doubtful.

Tesseract reads every scanned or photographed page. When extraction is unsure of the total,
the date or the supplier (what a bookkeeper cannot do without), the same prepared page images
are read a second time by another engine (PP-OCR, ``capture.ocr.ppocr``) and extracted again.
Each group of fields that extraction decides together is then taken from whichever reading is
surer of it, and the field's source says so. Otherwise, unless the supplier was found among the
known suppliers, only the letterhead is read again, for the supplier's name: bold and
dot-matrix letterheads are where Tesseract misreads most. Decision 0005 has the measurements.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from django.conf import settings
from PIL import Image

from capture.extraction import Extraction, KnownSupplier, extract
from capture.extraction.checks import run_checks
from capture.ocr import OcrFailed, OcrPage, get_engine, prepared_pages

log = logging.getLogger(__name__)

# Below these confidences a field is doubtful and the page is read again. Measured on real
# receipts: about one in three is read twice, which keeps the median time that of one reading.
DOUBTFUL_BELOW = {"total": 0.45, "date": 0.3, "supplier_name": 0.3}
# Fields extraction decides together, keyed by the field whose confidence chooses the reading:
# taking the total from one reading and the VAT from another could pair figures that were never
# printed together. A VAT number proves itself by its check digits, so it is chosen on its own.
GROUPS = {
    "total": ("total", "net", "vat", "vat_rate", "vat_rates", "currency"),
    "date": ("date", "due_date"),
    "supplier_name": ("supplier_name",),
    "supplier_vat_number": ("supplier_vat_number",),
}
# What a reading of the letterhead alone may give.
LETTERHEAD_GROUPS = ("supplier_name",)
# A long document is not read twice: the second engine is slow, and receipts and bills, where it
# helps, are a page or two.
MOST_PAGES_READ_TWICE = 2
# The letterhead read again for the supplier: the page down to the end of this printed line.
LETTERHEAD_LINES = 8
# How alike a line of the first reading must be to a name read second (spaces ignored) for its
# spaces to be borrowed.
SPACING_LIKENESS = 0.8


@dataclass
class Reading:
    """The words read from a document and the fields extracted from them."""

    pages: list[OcrPage]
    extraction: Extraction
    # The second engine's pages (text layers kept), or its reading of the letterhead alone.
    second_pages: list[OcrPage] = field(default_factory=list)
    # The groups of fields (keys of GROUPS) the second reading may give.
    second_groups: tuple[str, ...] = ()

    def extract_again(self, known_suppliers: Sequence = (), layout: dict | None = None):
        """Extraction with other known suppliers or layout hints, without reading again."""
        first = extract(self.pages, known_suppliers, layout)
        if not self.second_pages:
            return first
        second = extract(self.second_pages, known_suppliers, layout)
        return combine(first, second, self.pages, known_suppliers, self.second_groups)


def read_and_extract(
    data: bytes,
    mime: str,
    known_suppliers: Sequence[KnownSupplier | str] = (),
    layout: dict | None = None,
) -> Reading:
    """Read every page (text layer or Tesseract), extract, and read again where doubtful.

    Raises ``OcrFailed`` only when the first reading fails; a second engine that fails or is not
    installed leaves the first reading as it was.
    """
    first_engine = get_engine("tesseract")
    pages: list[OcrPage] = []
    images: dict[int, Image.Image] = {}
    scanned = 0
    for index, page in enumerate(prepared_pages(data, mime)):
        if isinstance(page, OcrPage):
            pages.append(page)
            continue
        pages.append(first_engine.read(page))
        scanned += 1
        if scanned <= MOST_PAGES_READ_TWICE:
            images[index] = page
    extraction = extract(pages, known_suppliers, layout)
    reading = Reading(pages, extraction)
    if not settings.OCR_SECOND_ENGINE or not images or scanned > MOST_PAGES_READ_TWICE:
        return reading
    if doubtful(extraction):
        groups = tuple(GROUPS)
    elif 0 in images and not _known_supplier(extraction):
        groups = LETTERHEAD_GROUPS
    else:
        return reading
    try:
        engine = get_engine(settings.OCR_SECOND_ENGINE)
        if groups == LETTERHEAD_GROUPS:
            second_pages = [_read_letterhead(engine, pages[0], images[0])]
        else:
            second_pages = list(pages)
            for index, image in images.items():
                second_pages[index] = engine.read(image)
    except (OcrFailed, LookupError) as exc:
        log.warning("second reading skipped: %s", exc)
        return reading
    second = extract(second_pages, known_suppliers, layout)
    reading.second_pages, reading.second_groups = second_pages, groups
    reading.extraction = combine(extraction, second, pages, known_suppliers, groups)
    return reading


def _known_supplier(extraction: Extraction) -> bool:
    found = extraction.fields.get("supplier_name")
    return found is not None and found.source.startswith("known supplier")


def _read_letterhead(engine, page: OcrPage, image: Image.Image) -> OcrPage:
    """The top of the page, down to the end of its LETTERHEAD_LINES-th printed line as the first
    reading found it, read by ``engine``; its words keep their places on the whole page."""
    rows = page.lines()[:LETTERHEAD_LINES]
    if not rows:
        return OcrPage(page.width, page.height, [], engine.name)
    bottom = min(image.height, max(word.bottom for word in rows[-1]) + rows[-1][0].height // 2)
    read = engine.read(image.crop((0, 0, image.width, bottom)))
    return OcrPage(page.width, page.height, read.words, read.source)


def doubtful(extraction: Extraction) -> bool:
    """Whether extraction is unsure enough of an essential field to read the page again."""
    return any(field_confidence(extraction, name) < limit for name, limit in DOUBTFUL_BELOW.items())


def combine(
    first: Extraction,
    second: Extraction,
    first_pages: list[OcrPage],
    known_suppliers: Sequence[KnownSupplier | str] = (),
    groups: Sequence[str] = tuple(GROUPS),
) -> Extraction:
    """Each of ``groups`` from the reading surer of it; the first reading's where equal, and
    every other field from the first reading."""
    combined = Extraction(fields=dict(first.fields), lines=first.lines, misread=dict(first.misread))
    known = {getattr(s, "name", s) for s in known_suppliers}
    for key in groups:
        names = GROUPS[key]
        if field_confidence(second, key) <= field_confidence(first, key):
            continue
        for name in names:
            combined.fields.pop(name, None)
            if name in second.fields:
                taken = second.fields[name]
                combined.fields[name] = replace(taken, source=_second(taken.source))
        if key == "total":
            combined.lines = second.lines
            combined.misread = dict(second.misread)
        if key == "supplier_name" and "supplier_name" in combined.fields:
            name = combined.fields["supplier_name"]
            if name.value not in known:
                combined.fields["supplier_name"] = replace(
                    name, value=respace(name.value, first_pages)
                )
    combined.checks = run_checks(combined)
    return combined


def respace(name: str, pages: list[OcrPage]) -> str:
    """Put back the spaces the second engine ran together ("SDNBHD"), from the first reading's
    line that says the same thing with its words apart. Letters and spaces are kept as the second
    engine read them; a space is only added beside letters both readings agree on. (Taking a
    space out where the first reading has none lost more names than it mended: Tesseract runs
    words together too, "CW KHOO" for "C W KHOO".)"""
    squeezed = re.sub(r"\s+", "", name)
    if not squeezed:
        return name
    best, best_ratio = None, SPACING_LIKENESS
    for page in pages:
        for line in page.lines():
            words = [word.text for word in line]
            ratio = SequenceMatcher(
                None, "".join(words).upper(), squeezed.upper(), autojunk=False
            ).ratio()
            if ratio >= best_ratio:
                best, best_ratio = words, ratio
    if best is None:
        return name
    cuts = _cuts(name.split())
    ends = _cuts(best)
    matcher = SequenceMatcher(None, "".join(best).upper(), squeezed.upper(), autojunk=False)
    for start, other_start, size in matcher.get_matching_blocks():
        if size < 2:
            continue
        # A space beside two or more characters both readings agree on.
        cuts |= {other_start + end - start for end in ends if start <= end <= start + size}
    parts, previous = [], 0
    for cut in sorted(cuts) + [len(squeezed)]:
        if cut > previous:
            parts.append(squeezed[previous:cut])
            previous = cut
    return " ".join(parts)


def _cuts(words: list[str]) -> set[int]:
    """Where one word ends and the next begins, counted in characters without spaces."""
    cuts, at = set(), 0
    for word in words[:-1]:
        at += len(word)
        cuts.add(at)
    return cuts


def field_confidence(extraction: Extraction, name: str) -> float:
    found = extraction.fields.get(name)
    return found.confidence if found is not None and found.value not in (None, "") else 0.0


def _second(source: str) -> str:
    return f"{source}, second reading (PP-OCR)" if source else "second reading (PP-OCR)"
