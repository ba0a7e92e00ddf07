"""KashFlowClient: the operations Tillroll uses, taking and returning plain dataclasses.

Every method goes through ``SoapTransport.call`` (time-outs, retries, error mapping, AutoAuth).
Single-record look-ups return ``None`` when KashFlow says there is no such record.
"""

from __future__ import annotations

import base64
import mimetypes
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import PurePath

from kashflow import errors
from kashflow.types import (
    BankAccount,
    CompanyDetails,
    Currency,
    Customer,
    Invoice,
    InvoiceLine,
    NominalCode,
    Payment,
    PaymentMethod,
    Project,
    Supplier,
    VatRate,
)
from kashflow.wsdl import DEFAULT_ADDRESS

from . import mapping as m
from .transport import SoapTransport


def _items(data: dict, operation: str, item: str) -> list[dict]:
    wrapper = data.get(f"{operation}Result") or {}
    return [record for record in wrapper.get(item, []) if record is not None]


PENNY = Decimal("0.01")


def _latest_like(records: list[Invoice], wanted: Invoice) -> Invoice | None:
    """The latest of ``records`` that is ``wanted`` as posted: same reference (case and spaces
    aside), same date, same gross to the penny."""
    reference = (wanted.reference or "").strip().casefold()
    gross = sum((line.rate * line.quantity + line.vat_amount for line in wanted.lines), Decimal(0))
    matches = [
        record
        for record in records
        if (record.reference or "").strip().casefold() == reference
        and record.date == wanted.date
        and abs((record.net_amount or 0) + (record.vat_amount or 0) - gross) <= PENNY
    ]
    return max(matches, key=lambda record: record.number) if matches else None


class KashFlowClient:
    def __init__(
        self,
        username: str,
        password: str,
        autoauth_key: str | None = None,
        endpoint: str = DEFAULT_ADDRESS,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        max_retries: int = 3,
        app_name: str = "Tillroll",
        *,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.username = username
        self.endpoint = endpoint
        self.app_name = app_name
        self._autoauth_key = autoauth_key or None
        self._transport = SoapTransport(
            username,
            password,
            endpoint,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_retries=max_retries,
            backoff=backoff,
            sleep=sleep,
        )
        self._transport.has_autoauth_key = self._autoauth_key is not None
        if self._autoauth_key:
            self._transport.on_ip_refused = self._add_our_address

    @classmethod
    def from_settings(
        cls, username: str, password: str, autoauth_key: str | None = None, **overrides
    ) -> KashFlowClient:
        """A client with the endpoint, time-outs and app name from Django's KASHFLOW_* settings."""
        from django.conf import settings

        options = {
            "endpoint": getattr(settings, "KASHFLOW_ENDPOINT", DEFAULT_ADDRESS),
            "connect_timeout": getattr(settings, "KASHFLOW_CONNECT_TIMEOUT", 5),
            "read_timeout": getattr(settings, "KASHFLOW_READ_TIMEOUT", 30),
            "app_name": getattr(settings, "KASHFLOW_APP_NAME", "Tillroll"),
        }
        return cls(username, password, autoauth_key, **(options | overrides))

    def __repr__(self) -> str:
        return f"KashFlowClient(username={self.username!r}, endpoint={self.endpoint!r})"

    @property
    def last_request(self) -> bytes:
        """The last request sent, with the password and AutoAuth key masked."""
        return self._transport.last_request

    def _call(self, operation: str, **params) -> dict:
        return self._transport.call(operation, **params)

    def _lookup(self, operation: str, **params) -> dict | None:
        # KashFlow answers Status=NO for "no such record"; auth, API and IP refusals are
        # separate classes and still raise.
        try:
            data = self._call(operation, **params)
        except errors.ValidationRefused:
            return None
        return data.get(f"{operation}Result")

    # ------------------------------------------------------------ connection

    def _add_our_address(self) -> bool:
        try:
            self.auto_auth_ip()
        except errors.KashFlowError:
            return False
        return True

    def auto_auth_ip(self) -> int:
        """Ask KashFlow to add this server's IP address to the account's API allow-list."""
        if not self._autoauth_key:
            raise errors.IPNotAllowed(operation="AutoAuthIP")
        data = self._call("AutoAuthIP", appName=self.app_name, AutoAuthKey=self._autoauth_key)
        return data["AutoAuthIPResult"]

    def test_connection(self) -> CompanyDetails:
        """Prove the stored details work: AutoAuthIP first when a key is stored, then
        GetCompanyDetails. Raises the ``kashflow.errors`` class that says what to fix."""
        if self._autoauth_key:
            self.auto_auth_ip()
        return self.get_company_details()

    def get_company_details(self) -> CompanyDetails:
        return m.company_from(self._call("GetCompanyDetails")["GetCompanyDetailsResult"] or {})

    def is_user_vat_registered(self) -> bool:
        return bool(self._call("isUserVATRegistered")["isUserVATRegisteredResult"])

    # ------------------------------------------------------------ reference data

    def get_nominal_codes(self) -> list[NominalCode]:
        data = self._call("GetNominalCodes")
        return [m.nominal_from(r) for r in _items(data, "GetNominalCodes", "NominalCode")]

    def get_vat_rates(self) -> list[VatRate]:
        data = self._call("GetVATRates")
        return [m.vat_rate_from(r) for r in _items(data, "GetVATRates", "BasicDataset")]

    def get_projects(self) -> list[Project]:
        data = self._call("GetProjects")
        return [m.project_from(r) for r in _items(data, "GetProjects", "BasicDataset")]

    def get_bank_accounts(self) -> list[BankAccount]:
        data = self._call("GetBankAccounts")
        return [m.bank_account_from(r) for r in _items(data, "GetBankAccounts", "BankAccount")]

    def get_rec_pay_methods(self) -> list[PaymentMethod]:
        data = self._call("GetRecPayMethods")
        return [m.payment_method_from(r) for r in _items(data, "GetRecPayMethods", "PaymentMethod")]

    def get_inv_pay_methods(self) -> list[PaymentMethod]:
        data = self._call("GetInvPayMethods")
        return [m.payment_method_from(r) for r in _items(data, "GetInvPayMethods", "PaymentMethod")]

    def get_currencies(self) -> list[Currency]:
        data = self._call("GetCurrencies")
        return [m.currency_from(r) for r in _items(data, "GetCurrencies", "Currencies")]

    # ------------------------------------------------------------ suppliers and customers

    def get_suppliers(self) -> list[Supplier]:
        data = self._call("GetSuppliers")
        return [m.supplier_from(r) for r in _items(data, "GetSuppliers", "Supplier")]

    def get_supplier(self, code: str) -> Supplier | None:
        record = self._lookup("GetSupplier", SupplierCode=code)
        return m.supplier_from(record) if record and record.get("SupplierID") else None

    def get_supplier_by_id(self, supplier_id: int) -> Supplier | None:
        record = self._lookup("GetSupplierByID", SupplierID=supplier_id)
        return m.supplier_from(record) if record and record.get("SupplierID") else None

    def insert_supplier(self, supplier: Supplier) -> int:
        """Create a supplier; returns its new SupplierID."""
        return self._call("InsertSupplier", supl=m.supplier_to(supplier))["InsertSupplierResult"]

    def get_customers(self) -> list[Customer]:
        data = self._call("GetCustomers")
        return [m.customer_from(r) for r in _items(data, "GetCustomers", "Customer")]

    def get_customer(self, code: str) -> Customer | None:
        record = self._lookup("GetCustomer", CustomerCode=code)
        return m.customer_from(record) if record and record.get("CustomerID") else None

    def get_customer_by_id(self, customer_id: int) -> Customer | None:
        record = self._lookup("GetCustomerByID", CustomerID=customer_id)
        return m.customer_from(record) if record and record.get("CustomerID") else None

    def insert_customer(self, customer: Customer) -> int:
        """Create a customer; returns its new CustomerID."""
        return self._call("InsertCustomer", custr=m.customer_to(customer))["InsertCustomerResult"]

    # ------------------------------------------------------------ purchases (receipts)

    def insert_receipt(self, receipt: Invoice) -> int:
        """Create a purchase invoice with its lines; returns the new receipt number.

        Raises ``OutcomeUnknown`` if the answer was lost after sending: look it up (by supplier
        and reference) before calling this again."""
        return self._call("InsertReceipt", Inv=m.invoice_to(receipt))["InsertReceiptResult"]

    def insert_receipt_line(self, receipt_id: int, line: InvoiceLine) -> int:
        """Add a line to the receipt whose database id (``Invoice.db_id``) is given."""
        data = self._call("InsertReceiptLine", ReceiptID=receipt_id, InvLine=m.line_to(line))
        return data["InsertReceiptLineResult"]

    def insert_receipt_payment(self, payment: Payment) -> int:
        data = self._call("InsertReceiptPayment", ReceiptPayment=m.payment_to(payment))
        return data["InsertReceiptPaymentResult"]

    def attach_file_to_receipt(
        self, receipt_number: int, content: bytes, filename: str, content_type: str = ""
    ) -> int:
        return self._attach("AttachFileToReceipt", "ReceiptNo", receipt_number, content,
                            filename, content_type)  # fmt: skip

    def get_receipt(self, number: int) -> Invoice | None:
        record = self._lookup("GetReceipt", ReceiptNumber=number)
        return m.invoice_from(record) if record and record.get("InvoiceNumber") else None

    def get_receipts_for_supplier(self, supplier_id: int) -> list[Invoice]:
        data = self._call("GetReceiptsForSupplier", SupplierID=supplier_id)
        return [m.invoice_from(r) for r in _items(data, "GetReceiptsForSupplier", "Invoice")]

    def find_receipt(self, receipt: Invoice) -> Invoice | None:
        """The supplier's latest receipt that is ``receipt`` as posted, or None: what to look
        for after ``OutcomeUnknown``, or on any retry, before posting it again."""
        return _latest_like(self.get_receipts_for_supplier(receipt.party_id), receipt)

    def get_receipts_with_paging(
        self, page: int = 1, per_page: int = 100, filter_by: str = "All"
    ) -> tuple[list[Invoice], int, int]:
        """One page of receipts: (receipts, total pages, total records). KashFlow caps
        ``per_page`` at 100."""
        data = self._call("GetReceiptsWithPaging", Page=page, PerPage=per_page, FilterBy=filter_by)
        receipts = [m.invoice_from(r) for r in _items(data, "GetReceiptsWithPaging", "Invoice")]
        return receipts, data.get("TotalPages", 0), data.get("TotalRecords", 0)

    # ------------------------------------------------------------ sales invoices

    def insert_invoice(self, invoice: Invoice) -> int:
        """Create a sales invoice with its lines; returns the new invoice number."""
        return self._call("InsertInvoice", Inv=m.invoice_to(invoice))["InsertInvoiceResult"]

    def insert_invoice_line(self, invoice_id: int, line: InvoiceLine) -> int:
        """Add a line to the invoice whose database id (``Invoice.db_id``) is given."""
        data = self._call("InsertInvoiceLine", InvoiceID=invoice_id, InvLine=m.line_to(line))
        return data["InsertInvoiceLineResult"]

    def insert_invoice_payment(self, payment: Payment) -> int:
        data = self._call("InsertInvoicePayment", InvoicePayment=m.payment_to(payment))
        return data["InsertInvoicePaymentResult"]

    def attach_file_to_invoice(
        self, invoice_number: int, content: bytes, filename: str, content_type: str = ""
    ) -> int:
        return self._attach("AttachFileToInvoice", "InvoiceNo", invoice_number, content,
                            filename, content_type)  # fmt: skip

    def get_invoice(self, number: int) -> Invoice | None:
        record = self._lookup("GetInvoice", InvoiceNumber=number)
        return m.invoice_from(record) if record and record.get("InvoiceNumber") else None

    def get_invoices_for_customer(self, customer_id: int) -> list[Invoice]:
        data = self._call("GetInvoicesForCustomer", CustID=customer_id)
        return [m.invoice_from(r) for r in _items(data, "GetInvoicesForCustomer", "Invoice")]

    def find_invoice(self, invoice: Invoice) -> Invoice | None:
        """The customer's latest invoice that is ``invoice`` as posted, or None (see
        find_receipt)."""
        return _latest_like(self.get_invoices_for_customer(invoice.party_id), invoice)

    # ------------------------------------------------------------ attachments

    def _attach(self, operation, number_field, number, content, filename, content_type) -> int:
        content_type = content_type or mimetypes.guess_type(filename)[0]
        data = self._call(
            operation,
            **{number_field: number},
            Base64String=base64.b64encode(content).decode("ascii"),
            ContentType=content_type or "application/octet-stream",
            Filename=filename,
            FileExtension=PurePath(filename).suffix.lstrip(".").lower(),
            FileSize=str(len(content)),
        )
        return data[f"{operation}Result"]
