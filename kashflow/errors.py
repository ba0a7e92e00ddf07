"""What can go wrong when talking to KashFlow, each with a message a bookkeeper can act on.

Every class says whether trying again later can help (``retryable``). ``OutcomeUnknown`` is
retryable only after looking: a write may or may not have landed, so the caller must search
KashFlow for it (``check_before_retry``) before writing again.

None of these messages ever holds a password or an AutoAuth key.
"""

from __future__ import annotations


class KashFlowError(Exception):
    """Base class. ``operation`` is the SOAP operation that failed, when known."""

    retryable: bool = False
    check_before_retry: bool = False
    default_message = "KashFlow refused the request."

    def __init__(self, message: str | None = None, *, operation: str = "", detail: str = ""):
        self.message = message or self.default_message
        self.operation = operation
        self.detail = detail
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, operation={self.operation!r})"


class AuthenticationFailed(KashFlowError):
    retryable = False
    default_message = (
        "KashFlow did not accept the username or password. If a separate API password is set "
        "in KashFlow (Apps > API Settings), enter that password here, not your login password."
    )


class ApiNotEnabled(KashFlowError):
    retryable = False
    default_message = (
        "The SOAP API is switched off for this KashFlow account. Switch it on in KashFlow under "
        "Apps > API Settings > Enable SOAP API, then test the connection again."
    )


class IPNotAllowed(KashFlowError):
    retryable = False
    default_message = (
        "KashFlow only accepts API calls from listed IP addresses, and this server's address is "
        "not on the list. In KashFlow open Apps > API Settings > Enable AutoAuth, copy the "
        "AutoAuth key and paste it into the KashFlow connection page here, so Tillroll can add "
        "its address itself."
    )


# What a bookkeeper calls the thing each operation sends, for refusal messages.
PLAIN_NAMES = {
    "InsertReceipt": "the purchase invoice",
    "InsertReceiptLine": "a purchase invoice line",
    "InsertReceiptPayment": "the payment of the purchase invoice",
    "AttachFileToReceipt": "the file attached to the purchase invoice",
    "InsertInvoice": "the sales invoice",
    "InsertInvoiceLine": "a sales invoice line",
    "InsertInvoicePayment": "the payment of the sales invoice",
    "AttachFileToInvoice": "the file attached to the sales invoice",
    "InsertSupplier": "the new supplier",
    "InsertCustomer": "the new customer",
    "AutoAuthIP": "the AutoAuth key",
}


class ValidationRefused(KashFlowError):
    """KashFlow answered ``Status`` = ``NO``: the request was read and refused. ``detail`` is
    KashFlow's own reason (its ``StatusDetail``)."""

    retryable = False

    def __init__(self, detail: str, *, operation: str = ""):
        reason = detail.strip() or "no reason given"
        what = PLAIN_NAMES.get(operation, "the request")
        super().__init__(f"KashFlow refused {what}: {reason}", operation=operation, detail=detail)


class RequestRejected(KashFlowError):
    """KashFlow could not read our request (a soap:Client fault): a bug here, not a blip."""

    retryable = False


class KashFlowUnavailable(KashFlowError):
    retryable = True
    default_message = (
        "KashFlow could not be reached or did not answer properly. Nothing needs changing on "
        "your side; Tillroll will try again shortly."
    )


class OutcomeUnknown(KashFlowError):
    retryable = True
    check_before_retry = True
    default_message = (
        "The connection to KashFlow was lost after the document was sent, so it may or may not "
        "have been saved. Tillroll will look for it in KashFlow before sending it again."
    )


__all__ = [
    "ApiNotEnabled",
    "AuthenticationFailed",
    "IPNotAllowed",
    "KashFlowError",
    "KashFlowUnavailable",
    "OutcomeUnknown",
    "RequestRejected",
    "ValidationRefused",
]
