"""Reading a stored document: OCR (or its PDF text layer), then field extraction."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from capture.models import Document, DocumentType, Kind

# Extracted field name -> Document attribute.
FIELD_MAP = {
    "document_type": "document_type",
    "supplier_name": "supplier_name",
    "supplier_vat_number": "supplier_vat_number",
    "document_number": "document_number",
    "date": "document_date",
    "due_date": "due_date",
    "currency": "currency",
    "net": "net",
    "vat": "vat",
    "total": "total",
    "card_last_four": "card_last_four",
}
MONEY_FIELDS = {"net", "vat", "total"}
DATE_FIELDS = {"document_date", "due_date"}


def read_original(document: Document) -> bytes:
    with document.original.open("rb") as handle:
        return handle.read()


def read_and_extract(document: Document, *, known_suppliers=(), layout=None):
    """OCR the document's original and extract its fields: a ``capture.reading.Reading``."""
    from capture.reading import read_and_extract

    return read_and_extract(read_original(document), document.content_type, known_suppliers, layout)


def apply_extraction(document: Document, pages, extraction) -> None:
    """Copy what extraction found onto the document's editable fields (not saved)."""
    document.ocr = {"pages": [page.to_dict() for page in pages]}
    document.extraction = extraction.to_dict()
    for source, attribute in FIELD_MAP.items():
        field = extraction.fields.get(source)
        value = getattr(field, "value", None) if field is not None else None
        setattr(document, attribute, coerce(attribute, value, getattr(document, attribute)))
    if document.document_type not in DocumentType.values:
        document.document_type = DocumentType.RECEIPT
    document.lines = [dict(line) for line in document.extraction.get("lines", [])]
    if document.document_type == DocumentType.CREDIT_NOTE:
        as_credit(document)
    if document.kind == Kind.SALE:
        as_sale(document, extraction)


def as_sale(document: Document, extraction) -> None:
    """A sales invoice's letterhead and VAT number are the business's own: the party on the
    document is who it is addressed to, when a "Bill to" block names them."""
    addressed = extraction.fields.get("customer_name")
    if addressed is not None and addressed.value:
        document.supplier_name = coerce("supplier_name", addressed.value, "")
        document.supplier_vat_number = ""


LINE_MONEY = ("unit_price", "net", "vat")


def as_credit(document: Document) -> None:
    """A credit note prints its amounts as positive; KashFlow takes a credit as an invoice with
    negative amounts, so the document holds them negative and nobody has to retype them."""
    for attribute in MONEY_FIELDS:
        value = getattr(document, attribute)
        if value is not None and value > 0:
            setattr(document, attribute, -value)
    for line in document.lines:
        for key in LINE_MONEY:
            value = line.get(key)
            if value not in (None, "") and Decimal(str(value)) > 0:
                line[key] = str(-Decimal(str(value)))


def coerce(attribute: str, value, current):
    """Turn an extracted value into what the model field holds; keep ``current`` if unusable."""
    if value in (None, ""):
        return (
            None
            if attribute in MONEY_FIELDS | DATE_FIELDS
            else ("" if isinstance(current, str) else current)
        )
    if attribute in MONEY_FIELDS:
        try:
            return Decimal(str(value)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            return None
    if attribute in DATE_FIELDS:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return None
    limit = Document._meta.get_field(attribute).max_length or 255
    return str(value)[:limit]
