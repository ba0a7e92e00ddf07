"""Links out of the product."""

from capture.models import Kind

# KashFlow's web app opens a record from its number. [unverified for purchases: the path below
# follows the sales-invoice link integrators use.]
KASHFLOW_WEB = "https://app.kashflow.com/#"


def kashflow_record_url(document) -> str:
    if document.kashflow_number is None:
        return ""
    section = "invoices" if document.kind == Kind.SALE else "purchases"
    return f"{KASHFLOW_WEB}{section}/{document.kashflow_number}"
