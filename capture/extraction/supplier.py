"""Who issued the document: the letterhead line, or the closest known supplier."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import median

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .model import KnownSupplier
from .text import TextLine, segments
from .vatnumber import normalise_vat_number

COMPANY_SUFFIX = re.compile(
    r"\b(sdn\.?\s*bhd|bhd|berhad|ltd|limited|plc|llp|llc|inc|gmbh|pte|co\.?\s*ltd|& sons|& co|"
    r"enterprise|trading|holdings|group)\b\.?",
    re.I,
)
CONTINUATION = re.compile(r"^\W*(co\b|sdn\b|bhd\b|ltd\b|limited\b|&)", re.I)
ONLY_SUFFIX = re.compile(r"^\W*(sdn\.?\s*bhd|bhd|berhad|ltd|limited|plc|llp)\W*$", re.I)
NOT_A_NAME = re.compile(
    r"\b(invoice|receipt|credit\s*note|tax|vat|gst|tel|phone|fax|email|e-mail|www|http|date|time|"
    r"salesperson|cash\s*sa\w*|served|server|"
    r"reg(istration|istered)?|company\s*no|co\.?\s*(reg|no)|welcome|thank|cashier|table|order|"
    r"bill\s*to|invoice\s*to|ship\s*to|deliver|customer|account|page|statement|copy|"
    r"road|street|st\.|lane|avenue|jalan|jln|taman|lot|no\.|unit|floor|suite|postcode)\b|@|\d{4,}",
    re.I,
)
CUSTOMER_LABEL = re.compile(
    r"\b(bill(ed)?\s*to|invoice\s*to|sold\s*to|ship\s*to|deliver(y)?\s*to|customer|"
    r"for the attention|fao)\b",
    re.I,
)
TOP_LINES = 10
# A short label and a colon in front of a company's name.
LABEL_BEFORE_NAME = re.compile(r"^[A-Za-z][\w .]{0,20}:\s*(\S.*)$")


@dataclass
class SupplierPick:
    name: str
    confidence: float
    lines: list[TextLine]
    source: str


# A company registration number printed after the name: "(126926-H)", "(CO.REG: 933109-X)".
REGISTRATION = re.compile(
    r"[(\[{]\s*(co\.?\s*)?(reg\w*\.?|no\.?)?\s*:?\s*[\w.-]*\d[\w.-]*\s*[)\]}]?"
)
# Legal forms as OCR mangles them: "SDN 3HD", "SON BHD", "SDN. GHD.", "5dn Bhd".
MANGLED_SDN_BHD = re.compile(r"\b[S5][DO0I]N\s*\.?\s*[B3G8E][HNL]D\b", re.I)
# A legal form run into the word before it ("HOLDINGSSDN BHD"), and "C0." for "CO.".
GLUED_SDN_BHD = re.compile(r"(?<=[A-Za-z]{3})(?=[S5][DO0]N\s*\.?\s*[B8][HN]D\b)", re.I)
COMPANY_ZERO = re.compile(r"\b([Cc])0\b")
# "S/B" (Sendirian Berhad) with its S read as a 5.
FIVE_SLASH_B = re.compile(r"(?<![\w/])5/([Bb])\b")
# A number run into the word after it: "99SPEED MART".
NUMBER_THEN_WORD = re.compile(r"\b(\d{2,})([A-Za-z]{3,})\b")
# Nothing after the legal form is part of the name: "ACME SDN BHD Duty Free Zone".
AFTER_LEGAL_FORM = re.compile(
    r"(\b(sdn\.?\s*bhd|bhd|berhad|ltd|limited|plc|llp|s/b)\b\.?).*$", re.I
)


def clean_name(text: str) -> str:
    text = REGISTRATION.sub(" ", text).replace("¥", "Y")
    text = GLUED_SDN_BHD.sub(" ", text)
    text = COMPANY_ZERO.sub(lambda m: m.group(1) + ("O" if m.group(1).isupper() else "o"), text)
    text = NUMBER_THEN_WORD.sub(r"\1 \2", text)
    text = FIVE_SLASH_B.sub(r"S/\1", text)
    text = MANGLED_SDN_BHD.sub(lambda m: "SDN BHD" if m.group(0).isupper() else "Sdn Bhd", text)
    text = AFTER_LEGAL_FORM.sub(r"\1", text)
    text = WORD.sub(lambda m: " ".join(split_glued(repair_word(m.group(0)))), text)
    text = re.sub(r"\s+", " ", text).strip(" .,:;-_*~=|'\"“”‘’»«©®")
    return text


WORD = re.compile(r"[\w$]+")
# Words that recur in the names of businesses (English, and Malay as on Malaysian receipts).
# A longer word one letter away from exactly one of them is taken as that word misread.
BUSINESS_WORDS = frozenset(
    """
    ADVERTISING ASSOCIATES BAKERY BEVERAGE BEVERAGES BERHAD BOOKSHOP BOOKSTORE BUILDERS
    CATERING CHEMIST CENTRE CENTER CLINIC COMPANY COMPUTERS CONFECTIONERY CONSTRUCTION
    CONSULTANTS CONSULTING CORPORATION DEVELOPMENT DISTRIBUTION DISTRIBUTORS ELECTRICAL
    ELECTRONICS ENGINEERING ENTERPRISE ENTERPRISES EQUIPMENT FURNITURE GARAGE HARDWARE
    HOLDINGS HOTEL INDUSTRIES INTERNATIONAL KITCHEN LIMITED LOGISTICS MACHINERY MANAGEMENT
    MARKETING MERCHANTS MOTORS NEWSAGENTS OPTICAL PARKING PERNIAGAAN PETROLEUM PHARMACY
    PLUMBING PRINTING PRODUCTS PROPERTIES RESTAURANT RESTAURANTS RESTORAN SERVICES SOLUTIONS
    STATIONERS STATIONERY SUPERMARKET SUPERSTORE SUPPLIES SYSTEMS TECHNOLOGIES TECHNOLOGY
    TIMBER TRADERS TRADING TRANSPORT TRAVEL WHOLESALE
    """.split()
)
# Only a word this long can be two run together, and only a business word this long is split off.
GLUED_AT_LEAST = 10
LONG_BUSINESS_WORDS = frozenset(w for w in BUSINESS_WORDS if len(w) >= 6)
# Digits OCR puts in place of the letters they resemble, inside a word of letters.
DIGIT_LETTERS = str.maketrans("0125$8", "OIZSSB")


@lru_cache(maxsize=4096)
def repair_word(word: str) -> str:
    """One word of a name with OCR's look-alike slips undone: "PI2ZA", "$/B", "OISTRIBUTION"."""
    letters = sum(c.isalpha() for c in word)
    inner = word[1:-1]
    if word.startswith("$") and letters == len(word) - 1:
        word = "S" + word[1:]
    elif letters >= 3 and letters < len(word) and any(c.isdigit() for c in inner):
        # A digit between letters ("PI2ZA"); a number beside a word ("ENTERPRISE 666") is apart.
        if (
            all(c.isalpha() or c in "0125$8" for c in word)
            and word[0].isalpha()
            and word[-1].isalpha()
        ):
            word = word.translate(DIGIT_LETTERS)
    upper = word.upper()
    if len(upper) < 6 or upper in BUSINESS_WORDS or not upper.isalpha():
        return word
    near = [
        w
        for w in BUSINESS_WORDS
        if Levenshtein.distance(upper, w, score_cutoff=1) <= 1
        # A plural or singular is a word in its own right, not a slip: SERVICE, HOTELS.
        and upper.rstrip("S") != w.rstrip("S")
    ]
    if len(near) != 1:
        return word
    fixed = near[0]
    if word.isupper():
        return fixed
    return fixed.capitalize() if word[0].isupper() else fixed.lower()


def split_glued(word: str) -> list[str]:
    """A word with a common business word run onto its end ("VIVOPACMARKETING") as two."""
    upper = word.upper()
    if len(upper) < GLUED_AT_LEAST or upper in BUSINESS_WORDS or not upper.isalpha():
        return [word]
    ends = [w for w in LONG_BUSINESS_WORDS if upper.endswith(w) and len(upper) - len(w) >= 3]
    if len(ends) != 1:
        return [word]
    cut = len(word) - len(ends[0])
    return [word[:cut], word[cut:]]


def comparable(text: str) -> str:
    """Upper-case, punctuation turned to spaces, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]|_", " ", text.upper())).strip()


OCR_LOOKALIKES = str.maketrans("0158|$", "OISBIS")
LEGAL_FORM = re.compile(r"\b(SDN BHD|BHD|BERHAD|LTD|LIMITED|PLC|LLP|LLC|INC|CO)\b")


def fold(text: str) -> str:
    """A name as OCR might have read it either way: look-alike characters and legal forms
    (Ltd, Sdn Bhd) dropped, so "C0RNER F00D ST0RE" and "Corner Food Store Ltd" compare equal."""
    text = comparable(text).translate(OCR_LOOKALIKES)
    return re.sub(r"\s+", " ", LEGAL_FORM.sub(" ", text)).strip()


def pick_supplier(lines: list[TextLine]) -> SupplierPick | None:
    first_page = [line for line in lines if line.page == 0]
    if not first_page:
        return None
    heights = [line.height for line in first_page]
    typical = median(heights)
    blocked = _customer_lines(first_page)
    top = [part for line in first_page[:TOP_LINES] for part in segments(line)]
    best: tuple[float, int] | None = None
    for position, line in enumerate(top):
        if line.index in blocked:
            continue
        score = _score(line, position, typical)
        if score is None:
            continue
        if best is None or score > best[0]:
            best = (score, position)
    if best is None:
        return None
    score, position = best
    chosen = _whole_name(top, position)
    name = clean_name(" ".join(line.text for line in chosen))
    labelled = LABEL_BEFORE_NAME.match(name)
    if labelled and COMPANY_SUFFIX.search(labelled.group(1)):
        # "Owned by: Acme Ltd", "Operated by: ...": the label is not part of the name.
        name = labelled.group(1)
    conf = min(0.95, 0.35 + 0.08 * score) * (sum(c.conf for c in chosen) / len(chosen)) ** 0.5
    return SupplierPick(name, max(0.05, conf), chosen, "letterhead")


def _whole_name(top: list[TextLine], position: int) -> list[TextLine]:
    """The chosen line, with the line before or after when the name runs over two lines:
    "ACME TRADING" / "SDN BHD", "POPULAR BOOK" / "CO. (M) SDN BHD", "(SETIA" / "ALAM)"."""
    chosen = [top[position]]
    text = top[position].text
    before = top[position - 1] if position else None
    after = top[position + 1] if position + 1 < len(top) else None
    opens_late = text.count(")") > text.count("(") or CONTINUATION.match(text)
    if before is not None and opens_late and _wordlike(before):
        chosen.insert(0, before)
    if after is not None and (
        ONLY_SUFFIX.match(clean_name(after.text)) or text.count("(") > text.count(")")
    ):
        chosen.append(after)
    elif (
        before is not None
        and ONLY_SUFFIX.match(clean_name(before.text))
        and not COMPANY_SUFFIX.search(text)
    ):
        # Large letterhead type set tight can come back from OCR with its second line
        # ("SDN BHD") first; the legal form still belongs after the name.
        chosen.append(before)
    return chosen


def _wordlike(line: TextLine) -> bool:
    words = [w.text for w in line.words]
    real = [w for w in words if sum(c.isalpha() for c in w) >= 2]
    return bool(real) and len(real) >= len(words) / 2 and line.conf >= 0.6


def _score(line: TextLine, position: int, typical: float) -> float | None:
    text = clean_name(line.text)
    letters = sum(c.isalpha() for c in text)
    if letters < 3 or letters / max(len(text.replace(" ", "")), 1) < 0.6:
        return None
    if ONLY_SUFFIX.match(text):
        return None
    score = 3.0 - 0.25 * position
    if COMPANY_SUFFIX.search(text):
        score += 4
    if NOT_A_NAME.search(text):
        score -= 4
    if text == text.lower():
        # Lower-case scribbles at the top are notes written on the paper, not a letterhead.
        score -= 3
    score += min(2.0, 2.0 * (line.height / typical - 1)) if typical else 0
    if line.conf < 0.5:
        score -= 3
    elif line.conf < 0.7:
        score -= 1.5
    if not _wordlike(line):
        # Logos and smudges read as short letter jumbles: "Apap die", "oe ee tlt Be".
        score -= 2
    return score


def pick_customer(lines: list[TextLine]) -> SupplierPick | None:
    """Who a document is addressed to: the name after or under a "Bill to" style label.

    On a sales invoice that is the customer; the letterhead is the business itself.
    """
    first_page = [line for line in lines if line.page == 0]
    for position, line in enumerate(first_page):
        label = CUSTOMER_LABEL.search(line.text)
        if label is None:
            continue
        label_left = line.words[0].left
        after = clean_name(line.text[label.end() :].lstrip(" :-"))
        if _name_like(after):
            return SupplierPick(after, 0.8 * line.conf**0.5, [line], "after the bill-to label")
        for following in first_page[position + 1 : position + 3]:
            # The part of the line under the label: a details column may share the row.
            under = min(segments(following), key=lambda part: abs(part.words[0].left - label_left))
            name = clean_name(under.text)
            if _name_like(name) and abs(under.words[0].left - label_left) < line.height * 6:
                return SupplierPick(name, 0.8 * under.conf**0.5, [under], "under the bill-to label")
        return None
    return None


def _name_like(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    return letters >= 3 and not NOT_A_NAME.search(text) and not CUSTOMER_LABEL.search(text)


def _customer_lines(lines: list[TextLine]) -> set[int]:
    """Lines under a "Bill to" style label, which name the customer, not the supplier."""
    blocked: set[int] = set()
    for position, line in enumerate(lines):
        if CUSTOMER_LABEL.search(line.text):
            label_left = min(w.left for w in line.words)
            for following in lines[position : position + 4]:
                if abs(min(w.left for w in following.words) - label_left) < line.height * 6:
                    blocked.add(following.index)
    return blocked


def _shares_a_distinctive_word(text: str, name: str) -> bool:
    """Whether ``text`` holds the words that tell ``name`` apart, give or take a letter.

    "TOWN STATIONERS" reads much like "CROWN STATIONERS", and "HIGH STREET GARAGE" like "GREEN
    STREET GARAGE", but only through words other businesses share: without "CROWN" or "GREEN"
    on the page it is another business.
    """
    own = [w for w in name.split() if w not in BUSINESS_WORDS and len(w) >= 3]
    if not own:
        return True
    read = text.split()
    found = [any(_like(word, seen) for seen in read) for word in own]
    if read and own[0] == name.split()[0] and _clipped(read[0], own[0]):
        # The letterhead's first word lost all but an edge to faint print: "G ALAF RESTAURANTS".
        found[0] = True
    # The first telling word ("GREEN" of Green Street Garage), or most of them.
    return found[0] or sum(found) * 2 > len(found)


def _clipped(fragment: str, word: str) -> bool:
    """A letter or two left of ``word`` at its start or end."""
    return (
        len(fragment) <= 2
        and len(word) >= 5
        and (word.startswith(fragment) or word.endswith(fragment))
    )


def _like(word: str, seen: str) -> bool:
    """A word as OCR read it: a letter off ("MEL" for "MEI"), or cut short at its edge ("OPAC"
    for "VIVOPAC")."""
    if len(word) <= 4 and len(seen) >= 2:
        return Levenshtein.distance(word, seen, score_cutoff=1) <= 1
    return fuzz.ratio(word, seen) >= 75 or (len(seen) >= 4 and seen in word)


def match_known(
    lines: list[TextLine],
    known: Sequence[KnownSupplier],
    vat_number: str | None,
) -> SupplierPick | None:
    """The known supplier this document is from: by VAT number, then by name likeness."""
    if not known:
        return None
    if vat_number:
        wanted = normalise_vat_number(vat_number).removeprefix("GB")
        for supplier in known:
            if supplier.vat_number and (
                normalise_vat_number(supplier.vat_number).removeprefix("GB") == wanted
            ):
                return SupplierPick(supplier.name, 0.97, [], "known supplier by VAT number")
    names = [fold(supplier.name) for supplier in known]
    candidates = [part for line in lines if line.page == 0 for part in segments(line)][:30]
    texts: list[tuple[str, list[TextLine], int, float]] = []
    for n in range(len(candidates)):
        # A name over one, two or three printed lines: "AIK HUAT HARDWARE" / "ENTERPRISE
        # (SETIA" / "ALAM) SDN BHD".
        for size in (1, 2, 3):
            group = candidates[n : n + size]
            if len(group) == size:
                whole = fold(clean_name(" ".join(c.text for c in group)))
                texts.append((whole, group, n, 1.0))
        # The name at the start or end of a longer line: "ACME STORES, 12 HIGH ST",
        # "WELCOME TO ACME STORES", discounted by how much of the line is not the name.
        words = fold(clean_name(candidates[n].text)).split()
        for cut in range(1, len(words)):
            for part in (words[:cut], words[cut:]):
                text = " ".join(part)
                share = len(text) / max(1, len(" ".join(words)))
                texts.append((text, [candidates[n]], n, 0.8 + 0.2 * share))
    best: tuple[float, KnownSupplier, list[TextLine]] | None = None
    for text, source, position, weight in texts:
        if len(text) < 3:
            continue
        for _, score, index in process.extract(
            text, names, scorer=fuzz.ratio, limit=3, score_cutoff=60
        ):
            if weight < 1 and len(names[index]) < 8:
                # Short names would match part of almost any line.
                continue
            if not _shares_a_distinctive_word(text, names[index]):
                continue
            # Letterheads are at the top: the same likeness further down counts for less.
            score = score * weight - 0.2 * position
            if best is None or score > best[0]:
                best = (score, known[index], source)
    if best is None or best[0] < 70:
        return None
    score, supplier, source = best
    return SupplierPick(supplier.name, min(0.97, score / 100), source, "known supplier by name")
