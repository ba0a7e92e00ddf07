"""Find the KashFlow supplier (or customer) a document comes from.

The VAT registration number decides first: it is unique to a business and printed on every VAT
receipt. Failing that, names are compared after the same normalising the sync applies, so legal
suffixes, punctuation and case never matter, and the closeness is scored with rapidfuzz. Below
the threshold nothing is chosen: the reviewer picks from the candidates or creates the party.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from kashflow.models import Customer, Supplier
from kashflow.sync import normalise_name, vat_key

# At or above this a name match is taken without asking. 90 lets an OCR slip or a missing word
# through ("ACME PLUMBNG" for "ACME PLUMBING") while two different firms sharing a word stay apart.
MATCH_THRESHOLD = 90
CANDIDATES = 5


@dataclass
class Candidate:
    record: Supplier | Customer
    score: float


@dataclass
class Match:
    record: Supplier | Customer | None
    score: float
    reason: str
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.record is not None


def match_supplier(business, name: str, vat_number: str = "") -> Match:
    return _match(Supplier, "supplier", business, name, vat_number)


def match_customer(business, name: str, vat_number: str = "") -> Match:
    return _match(Customer, "customer", business, name, vat_number)


def _vat_numbers_differ(record, key: str) -> bool:
    """Both sides carry a VAT number and they are not the same one."""
    return bool(key and record.vat_key and record.vat_key != key)


def _match(model, noun: str, business, name: str, vat_number: str) -> Match:
    active = model.objects.active().filter(business=business)
    key = vat_key(vat_number)
    if key:
        by_vat = list(active.filter(vat_key=key)[:2])
        if len(by_vat) == 1:
            return Match(
                by_vat[0],
                100.0,
                f"VAT number {vat_number.strip()} is {by_vat[0].name}'s in KashFlow.",
                [Candidate(by_vat[0], 100.0)],
            )
    wanted = normalise_name(name)
    if not wanted:
        return Match(None, 0.0, f"No {noun} name was read from the document.", [])

    # Only (pk, name) pairs are loaded: cheap enough for tens of thousands of records.
    choices = dict(active.values_list("pk", "normalised_name").iterator(chunk_size=5000))
    best = process.extract(
        wanted, choices, scorer=fuzz.token_sort_ratio, limit=CANDIDATES, score_cutoff=40
    )
    records = active.in_bulk([pk for _, _, pk in best])
    candidates = [Candidate(records[pk], round(score, 1)) for _, score, pk in best]
    if not candidates:
        return Match(None, 0.0, f"No {noun} in KashFlow has a name like “{name}”.", [])

    top = candidates[0]
    ties = [c for c in candidates if c.score == top.score]
    if top.score >= MATCH_THRESHOLD and len(ties) == 1 and _vat_numbers_differ(top.record, key):
        # A name can be shared or misread; a different VAT registration number means a
        # different firm, so publishing against this record would post to the wrong account.
        alike = "has the same name" if top.score == 100 else f"has a name like “{name}”"
        # One sentence naming the party, so the review page shows all of it beside that field.
        return Match(
            None,
            top.score,
            f"The KashFlow {noun} {top.record.name} {alike} but a different VAT number "
            f"({top.record.vat_number} there, {vat_number.strip()} on the document): check who "
            "it is from.",
            candidates,
        )
    if top.score >= MATCH_THRESHOLD and len(ties) == 1:
        how = "the same name" if top.score == 100 else f"a {top.score:.0f}% similar name"
        return Match(
            top.record,
            top.score,
            f"{top.record.name} has {how} in KashFlow.",
            candidates,
        )
    if top.score >= MATCH_THRESHOLD:
        names = ", ".join(c.record.name for c in ties)
        reason = f"{len(ties)} {noun}s in KashFlow match “{name}” equally well ({names})."
    else:
        reason = (
            f"No {noun} in KashFlow matches “{name}” closely enough; the nearest is "
            f"{top.record.name} ({top.score:.0f}%)."
        )
    return Match(None, top.score, reason, candidates)
