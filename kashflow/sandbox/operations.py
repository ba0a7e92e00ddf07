"""What the stand-in does for each operation, following KashFlow's conventions.

A handler takes the state, the decoded request and the caller's IP, and returns the response
fields. ``Refused(detail)`` becomes ``Status`` = ``NO`` with that ``StatusDetail`` and a zero or
absent result, which is how KashFlow says no. Handlers run under the state lock.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from decimal import Decimal

from .state import SandboxState, now

CENT = Decimal("0.01")


class Refused(Exception):
    """A business refusal: answered with HTTP 200, Status=NO and this text."""


HANDLERS: dict[str, Callable[[SandboxState, dict, str], dict]] = {}


def handles(*operations: str):
    def register(fn):
        for operation in operations:
            HANDLERS[operation] = fn
        return fn

    return register


def _result(operation: str, value) -> dict:
    return {f"{operation}Result": value}


# ---------------------------------------------------------------- account


@handles("AutoAuthIP")
def auto_auth_ip(state: SandboxState, req: dict, client_ip: str) -> dict:
    key = state.account.autoauth_key
    if not key:
        raise Refused("AutoAuth is not enabled for this account.")
    if (req.get("AutoAuthKey") or "").strip().upper() != key.upper():
        raise Refused("The AutoAuth key supplied is not valid.")
    if client_ip not in state.account.allowed_ips:
        state.account.allowed_ips.append(client_ip)
    return _result("AutoAuthIP", state.account.allowed_ips.index(client_ip) + 1)


@handles("GetCompanyDetails")
def get_company_details(state, req, ip):
    return _result("GetCompanyDetails", state.company)


@handles("isUserVATRegistered")
def is_user_vat_registered(state, req, ip):
    return _result("isUserVATRegistered", state.vat_registered)


# ---------------------------------------------------------------- reference data

REFERENCE = {
    "GetNominalCodes": ("nominal_codes", "NominalCode"),
    "GetVATRates": ("vat_rates", "BasicDataset"),
    "GetProjects": ("projects", "BasicDataset"),
    "GetBankAccounts": ("bank_accounts", "BankAccount"),
    "GetRecPayMethods": ("rec_pay_methods", "PaymentMethod"),
    "GetInvPayMethods": ("inv_pay_methods", "PaymentMethod"),
    "GetCurrencies": ("currencies", "Currencies"),
}


def _reference(operation: str):
    attr, item = REFERENCE[operation]
    return lambda state, req, ip: _result(operation, {item: getattr(state, attr)})


for _operation in REFERENCE:
    HANDLERS[_operation] = _reference(_operation)


# ---------------------------------------------------------------- suppliers and customers

PARTY = {
    "supplier": ("suppliers", "Supplier", "SupplierID", "supl"),
    "customer": ("customers", "Customer", "CustomerID", "custr"),
}


def _party_ops(kind: str) -> None:
    attr, noun, id_field, param = PARTY[kind]
    plural = noun + "s"

    @handles(f"Get{plural}")
    def get_all(state, req, ip):
        return _result(f"Get{plural}", {noun: list(getattr(state, attr).values())})

    @handles(f"Get{noun}")
    def get_by_code(state, req, ip):
        code = req.get(f"{noun}Code") or ""
        record = state.party_by_code(kind, code)
        if record is None:
            raise Refused(f"There is no {kind} with the code {code!r}.")
        return _result(f"Get{noun}", record)

    @handles(f"Get{noun}ByID")
    def get_by_id(state, req, ip):
        record = getattr(state, attr).get(req.get(id_field))
        if record is None:
            raise Refused(f"There is no {kind} with the ID {req.get(id_field)}.")
        return _result(f"Get{noun}ByID", record)

    @handles(f"Insert{noun}")
    def insert(state, req, ip):
        record = req.get(param)
        if not record:
            raise Refused(f"No {kind} was supplied.")
        record = {k: v for k, v in record.items() if v is not None}
        if not (record.get("Name") or "").strip():
            raise Refused(f"The {kind} name is required.")
        code = (record.get("Code") or "").strip()
        if code and state.party_by_code(kind, code) is not None:
            raise Refused(f"A {kind} with the code {code!r} already exists.")
        if not record.get("CurrencyID"):
            record["CurrencyID"] = next(c["CurrencyId"] for c in state.currencies if c["isDefault"])
        elif record["CurrencyID"] not in {c["CurrencyId"] for c in state.currencies}:
            raise Refused(f"There is no currency with the ID {record['CurrencyID']}.")
        record["Created"] = record["Updated"] = now()
        return _result(f"Insert{noun}", state.add_party(kind, record))


_party_ops("supplier")
_party_ops("customer")


# ---------------------------------------------------------------- receipts and invoices

DOCUMENT = {
    # kind: (book, party book, party noun, title word, pay methods)
    "receipt": ("receipts", "suppliers", "supplier", "Receipt", "rec_pay_methods"),
    "invoice": ("invoices", "customers", "customer", "Invoice", "inv_pay_methods"),
}


def _checked_line(state: SandboxState, line: dict | None, n: int) -> dict:
    if not line or line.get("@type", "InvoiceLine") != "InvoiceLine":
        raise Refused(f'Line {n} is not an InvoiceLine (send it with xsi:type="InvoiceLine").')
    nominal = line.get("ChargeType") or 0
    # 0 selects KashFlow's "Other" type; anything else must be one of the account's nominals.
    if nominal and nominal not in state.nominal_ids():
        raise Refused(f"Line {n}: there is no nominal code with the ID {nominal} (ChargeType).")
    if Decimal(line.get("VatRate", 0)) not in state.vat_values():
        raise Refused(
            f"Line {n}: the VAT rate {line.get('VatRate')}% is not set up on this account."
        )
    if not line.get("Quantity"):
        raise Refused(f"Line {n}: the quantity must not be zero.")
    _check_project(state, line.get("ProjID"), f"Line {n}: ")
    line = dict(line, **{"@type": "InvoiceLine"})
    line["LineID"] = state.take_id("next_line_id")
    line["Sort"] = line.get("Sort") or n
    return line


def _check_project(state: SandboxState, project_id: int | None, where: str = "") -> None:
    if project_id and project_id not in {p["ID"] for p in state.projects}:
        reason = f"there is no project with the ID {project_id}."
        raise Refused(where + reason if where else reason[0].upper() + reason[1:])


def _total(document: dict) -> None:
    lines = document["Lines"]["anyType"]
    document["NetAmount"] = sum(
        (Decimal(ln["Quantity"]) * Decimal(ln["Rate"]) for ln in lines), Decimal(0)
    ).quantize(CENT)
    document["VATAmount"] = sum((Decimal(ln["VatAmount"]) for ln in lines), Decimal(0)).quantize(
        CENT
    )


def _document_ops(kind: str) -> None:
    book_attr, party_attr, party, title, methods_attr = DOCUMENT[kind]
    plural = title + "s"
    number_param = f"{title}Number"

    def book(state) -> dict[int, dict]:
        return getattr(state, book_attr)

    @handles(f"Insert{title}")
    def insert(state, req, ip):
        doc = req.get("Inv")
        if not doc:
            raise Refused(f"No {kind} was supplied.")
        party_record = getattr(state, party_attr).get(doc.get("CustomerID"))
        if party_record is None:
            raise Refused(f"There is no {party} with the ID {doc.get('CustomerID')}.")
        if doc.get("InvoiceDate") is None:
            raise Refused(f"The {kind} date is missing.")
        currency = (doc.get("CurrencyCode") or "GBP").upper()
        if currency not in {c["CurrencyCode"] for c in state.currencies}:
            raise Refused(f"The currency {currency} is not enabled on this account.")
        _check_project(state, doc.get("ProjectID"))
        raw_lines = (doc.get("Lines") or {}).get("anyType") or []
        if not raw_lines:
            raise Refused(f"The {kind} has no lines.")
        lines = [_checked_line(state, line, n) for n, line in enumerate(raw_lines, 1)]
        number = doc.get("InvoiceNumber") or max(book(state), default=0) + 1
        if number in book(state):
            raise Refused(f"A {kind} with the number {number} already exists.")
        record = {k: v for k, v in doc.items() if v is not None}
        record.update(
            InvoiceDBID=state.take_id("next_db_id"), InvoiceNumber=number,
            Customer=party_record["Code"], CustomerName=party_record["Name"],
            CurrencyCode=currency, Paid=0, AmountPaid=Decimal(0),
            Lines={"anyType": lines}, DueDate=doc.get("DueDate") or doc["InvoiceDate"],
            CISRCNetAmount=None, CISRCVatAmount=None, IsCISReverseCharge=None,
        )  # fmt: skip
        _total(record)
        book(state)[number] = record
        return _result(f"Insert{title}", number)

    @handles(f"Insert{title}Line")
    def insert_line(state, req, ip):
        db_id = req.get(f"{title}ID")
        document = state.document_by_db_id(kind, db_id)
        if document is None:
            raise Refused(f"There is no {kind} with the ID {db_id}.")
        lines = document["Lines"]["anyType"]
        line = _checked_line(state, dict(req.get("InvLine") or {}, **{"@type": "InvoiceLine"}),
                             len(lines) + 1)  # fmt: skip
        lines.append(line)
        _total(document)
        return _result(f"Insert{title}Line", line["LineID"])

    payment_param = f"{title}Payment"

    @handles(f"Insert{title}Payment")
    def insert_payment(state, req, ip):
        payment = req.get(payment_param)
        if not payment:
            raise Refused("No payment was supplied.")
        document = book(state).get(payment.get("PayInvoice"))
        if document is None:
            raise Refused(f"There is no {kind} with the number {payment.get('PayInvoice')}.")
        if payment.get("PayMethod") not in {m["MethodID"] for m in getattr(state, methods_attr)}:
            raise Refused(f"There is no payment method with the ID {payment.get('PayMethod')}.")
        if payment.get("PayAccount") not in {a["AccountID"] for a in state.bank_accounts}:
            raise Refused(f"There is no bank account with the ID {payment.get('PayAccount')}.")
        amount = Decimal(payment.get("PayAmount") or 0)
        if amount <= 0:
            raise Refused("The payment amount must be more than zero.")
        record = {k: v for k, v in payment.items() if v is not None}
        record.update(PayID=len(state.payments) + 1, PayAmount=amount, Kind=kind)
        state.payments.append(record)
        document["AmountPaid"] = Decimal(document.get("AmountPaid") or 0) + amount
        gross = document["NetAmount"] + document["VATAmount"]
        document["Paid"] = 1 if document["AmountPaid"] >= gross else 0
        return _result(f"Insert{title}Payment", record["PayID"])

    @handles(f"AttachFileTo{title}")
    def attach(state, req, ip):
        number = req.get(f"{title}No")
        if number not in book(state):
            raise Refused(f"There is no {kind} with the number {number}.")
        if not (req.get("Filename") or "").strip():
            raise Refused("The file name is required.")
        try:
            content = base64.b64decode(req.get("Base64String") or "", validate=True)
        except (binascii.Error, ValueError):
            raise Refused("The file content is not valid base64.") from None
        if not content:
            raise Refused("The file is empty.")
        attachment = {
            "AttachmentID": len(state.attachments) + 1, "Kind": kind, "Number": number,
            "Filename": req["Filename"], "ContentType": req.get("ContentType") or "",
            "FileExtension": req.get("FileExtension") or "", "FileSize": req.get("FileSize") or "",
            "Size": len(content), "Base64": req["Base64String"], "UploadDate": now().isoformat(),
        }  # fmt: skip
        state.attachments.append(attachment)
        return _result(f"AttachFileTo{title}", attachment["AttachmentID"])

    @handles(f"Get{title}")
    def get_one(state, req, ip):
        number = req.get(number_param)
        if number not in book(state):
            raise Refused(f"There is no {kind} with the number {number}.")
        return _result(f"Get{title}", book(state)[number])

    by_party = "GetReceiptsForSupplier" if kind == "receipt" else "GetInvoicesForCustomer"
    party_param = "SupplierID" if kind == "receipt" else "CustID"

    @handles(by_party)
    def get_for_party(state, req, ip):
        wanted = req.get(party_param)
        return _result(by_party, {"Invoice": [d for d in book(state).values()
                                              if d["CustomerID"] == wanted]})  # fmt: skip

    if kind == "receipt":

        @handles(f"Get{plural}WithPaging")
        def get_page(state, req, ip):
            page, per_page = req.get("Page") or 0, req.get("PerPage") or 0
            if not 1 <= per_page <= 100:
                raise Refused("PerPage must be between 1 and 100.")
            if page < 1:
                raise Refused("Page must be 1 or more.")
            filter_by = (req.get("FilterBy") or "All").strip().lower()
            keep = {"all": lambda d: True, "paid": lambda d: d["Paid"] == 1,
                    "unpaid": lambda d: d["Paid"] != 1}.get(filter_by)  # fmt: skip
            if keep is None:
                raise Refused(f"FilterBy must be All, Paid or Unpaid, not {req.get('FilterBy')!r}.")
            chosen = [book(state)[n] for n in sorted(book(state)) if keep(book(state)[n])]
            start = (page - 1) * per_page
            return {
                f"Get{plural}WithPagingResult": {"Invoice": chosen[start : start + per_page]},
                "PageNumber": page,
                "TotalPages": math.ceil(len(chosen) / per_page),
                "TotalRecords": len(chosen),
            }


_document_ops("receipt")
_document_ops("invoice")
