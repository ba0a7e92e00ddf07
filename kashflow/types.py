"""Plain values that cross the KashFlow boundary: no zeep objects, money as Decimal, dates as date.

Names are ours, chosen to read plainly; the KashFlow element each one maps to is in brackets.

* ``NominalCode(id, code, name)``: ``id`` is KashFlow's system-wide id [id], the one an invoice
  line's ``nominal_id`` [ChargeType] refers to; ``code`` is the 4-digit ledger code [Code].
* ``VatRate(id, name, description, value)``: ``value`` is a percent (20, not 0.2) [Value].
* ``Project(id, name, description)``, ``BankAccount(id, name, code)``,
  ``PaymentMethod(id, name)``, ``Currency(id, code, exchange_rate, is_default)``.
* ``Supplier`` / ``Customer``: the party records, ``id`` [SupplierID / CustomerID] and ``code``.
  ``Customer.extra`` keeps KashFlow's custom fields (ExtraText1..20, CheckBox1..20, delivery
  address) so a record read and written back loses nothing.
* ``Invoice``: a sales invoice, or a purchase invoice ("receipt" in KashFlow's words).
  ``number`` [InvoiceNumber] is what KashFlow shows people, ``db_id`` [InvoiceDBID] is what
  ``Insert…Line`` wants. ``party_id`` [CustomerID] is the customer id for invoices and the
  supplier id for receipts. ``reference`` [CustomerReference] is the document's own reference.
  ``net_amount``, ``vat_amount`` and ``amount_paid`` are read-only totals KashFlow computes.
* ``InvoiceLine``: ``rate`` is net per unit, ``nominal_id`` [ChargeType] the nominal's id (not
  its code), ``vat_rate`` a percent with -1 for exempt, ``vat_amount`` the line's VAT.
* ``Payment(invoice_number, date, method_id, account_id, amount, note)``: ``invoice_number``
  [PayInvoice] is the invoice or receipt number; ``method_id`` comes from
  ``get_rec_pay_methods``/``get_inv_pay_methods``; ``account_id`` from ``get_bank_accounts``.
* ``CompanyDetails``: what the connection test shows the bookkeeper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class NominalCode:
    id: int
    code: int
    name: str


@dataclass(frozen=True, slots=True)
class VatRate:
    id: int
    name: str
    description: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class BankAccount:
    id: int
    name: str
    code: int


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Currency:
    id: int
    code: str
    exchange_rate: Decimal
    is_default: bool


@dataclass(slots=True)
class Party:
    """What suppliers and customers share."""

    name: str
    code: str = ""
    id: int = 0
    contact: str = ""
    contact_title: str = ""
    contact_first_name: str = ""
    contact_last_name: str = ""
    telephone: str = ""
    mobile: str = ""
    fax: str = ""
    email: str = ""
    website: str = ""
    address1: str = ""
    address2: str = ""
    address3: str = ""
    address4: str = ""
    postcode: str = ""
    vat_number: str = ""
    notes: str = ""
    currency_id: int = 0
    payment_terms: int = 0
    ec: int = 0
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(slots=True)
class Supplier(Party):
    trade_border_type: Decimal = Decimal(0)


@dataclass(slots=True)
class Customer(Party):
    country_name: str = ""
    country_code: str = ""
    outside_ec: int = 0
    source: int = 0
    discount: Decimal = Decimal(0)
    show_discount: bool = False
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class InvoiceLine:
    quantity: Decimal
    description: str
    rate: Decimal
    nominal_id: int
    vat_rate: Decimal
    vat_amount: Decimal
    project_id: int = 0
    product_id: int = 0
    sort: int = 0
    line_id: int = 0
    values_in_currency: bool = False

    @property
    def net_amount(self) -> Decimal:
        return self.quantity * self.rate


@dataclass(slots=True)
class Invoice:
    date: date
    due_date: date
    party_id: int
    reference: str = ""
    lines: list[InvoiceLine] = field(default_factory=list)
    number: int = 0
    project_id: int = 0
    currency_code: str = "GBP"
    exchange_rate: Decimal = Decimal(1)
    paid: int = 0
    party_name: str = ""
    net_amount: Decimal = Decimal(0)
    vat_amount: Decimal = Decimal(0)
    amount_paid: Decimal = Decimal(0)
    db_id: int = 0

    @property
    def gross_amount(self) -> Decimal:
        return self.net_amount + self.vat_amount


@dataclass(slots=True)
class Payment:
    invoice_number: int
    date: date
    method_id: int
    account_id: int
    amount: Decimal
    note: str = ""
    id: int = 0


@dataclass(frozen=True, slots=True)
class CompanyDetails:
    name: str
    address1: str = ""
    address2: str = ""
    address3: str = ""
    address4: str = ""
    postcode: str = ""
    email: str = ""
    contact: str = ""
    telephone: str = ""
    vat_registered: bool = False
    vat_number: str = ""
    currency_id: int = 0
    currency_name: str = ""
    payment_terms: int = 0
