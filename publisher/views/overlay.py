"""Where on the page each field was read, as percentages of the page so any zoom lines up."""

# Extraction names some fields differently from the form; these point a form field at its boxes.
FIELD_ALIASES = {
    "document_date": "date",
    "supplier": "supplier_name",
    "customer": "supplier_name",
    "vat_rate": "vat",
}


def field_boxes(document) -> dict[str, list[dict]]:
    """{form field: [{"page": 1-based, "left", "top", "width", "height" in percent}]}."""
    pages = (document.ocr or {}).get("pages") or []
    fields = (document.extraction or {}).get("fields") or {}
    boxes: dict[str, list[dict]] = {}
    for name, found in fields.items():
        if not isinstance(found, dict):
            continue
        placed = [_percent(box, pages) for box in found.get("boxes") or []]
        placed = [box for box in placed if box]
        if placed:
            boxes[name] = placed
    if document.kind == "sale" and "customer_name" in boxes:
        # On a sale the name in the form is the one the invoice is addressed to.
        boxes["supplier_name"] = boxes["customer_name"]
    for field, source in FIELD_ALIASES.items():
        if field not in boxes and source in boxes:
            boxes[field] = boxes[source]
    return boxes


def _percent(box, pages) -> dict | None:
    try:
        page, left, top, width, height = (float(v) for v in box[:5])
    except (TypeError, ValueError):
        return None
    index = int(page)
    if not 0 <= index < len(pages):
        return None
    size = pages[index]
    page_width, page_height = float(size.get("width") or 0), float(size.get("height") or 0)
    if page_width <= 0 or page_height <= 0:
        return None
    return {
        "page": index + 1,
        "left": round(100 * left / page_width, 3),
        "top": round(100 * top / page_height, 3),
        "width": round(100 * width / page_width, 3),
        "height": round(100 * height / page_height, 3),
    }


def field_sources(document) -> dict[str, str]:
    """Where extraction read each field ("label: TOTAL, second reading (PP-OCR)")."""
    fields = (document.extraction or {}).get("fields") or {}
    return {
        name: str(found["source"])
        for name, found in fields.items()
        if isinstance(found, dict) and found.get("source")
    }


def field_confidence(document) -> dict[str, int]:
    """How sure extraction was of each field, 0-100, for the small gauge beside it."""
    fields = (document.extraction or {}).get("fields") or {}
    out = {}
    for name, found in fields.items():
        if isinstance(found, dict) and found.get("confidence") is not None:
            value = float(found["confidence"])
            out[name] = round(value * 100 if value <= 1 else value)
    return out
