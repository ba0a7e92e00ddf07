"""KashFlow records (dicts keyed by KashFlow's element names) to our dataclasses and back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

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

# (our attribute, KashFlow element) for the fields Supplier and Customer share.
PARTY_FIELDS = [
    ("code", "Code"),
    ("name", "Name"),
    ("contact", "Contact"),
    ("contact_title", "ContactTitle"),
    ("contact_first_name", "ContactFirstName"),
    ("contact_last_name", "ContactLastName"),
    ("telephone", "Telephone"),
    ("mobile", "Mobile"),
    ("fax", "Fax"),
    ("email", "Email"),
    ("website", "Website"),
    ("address1", "Address1"),
    ("address2", "Address2"),
    ("address3", "Address3"),
    ("address4", "Address4"),
    ("vat_number", "VATNumber"),
    ("notes", "Notes"),
    ("currency_id", "CurrencyID"),
    ("payment_terms", "PaymentTerms"),
    ("ec", "EC"),
    ("created", "Created"),
    ("updated", "Updated"),
]
SUPPLIER_FIELDS = PARTY_FIELDS + [
    ("id", "SupplierID"),
    ("postcode", "PostCode"),
    ("trade_border_type", "TradeBorderType"),
]
CUSTOMER_FIELDS = PARTY_FIELDS + [
    ("id", "CustomerID"),
    ("postcode", "Postcode"),
    ("country_name", "CountryName"),
    ("country_code", "CountryCode"),
    ("outside_ec", "OutsideEC"),
    ("source", "Source"),
    ("discount", "Discount"),
    ("show_discount", "ShowDiscount"),
]
CUSTOMER_EXTRA = (
    [f"ExtraText{n}" for n in range(1, 21)]
    + [f"CheckBox{n}" for n in range(1, 21)]
    + ["CustHasDeliveryAddress", "DeliveryAddress1", "DeliveryAddress2", "DeliveryAddress3"]
    + ["DeliveryAddress4", "DeliveryCountryName", "DeliveryCountryCode", "DeliveryPostcode"]
)


def _from(record: dict, pairs, cls, **extra):
    # A missing string element means an empty string; value types always arrive.
    values = {ours: record.get(theirs) for ours, theirs in pairs}
    for ours, value in list(values.items()):
        if value is None and ours not in ("created", "updated"):
            values[ours] = ""
    return cls(**values, **extra)


def supplier_from(record: dict) -> Supplier:
    return _from(record, SUPPLIER_FIELDS, Supplier)


def supplier_to(supplier: Supplier) -> dict:
    return {theirs: getattr(supplier, ours) for ours, theirs in SUPPLIER_FIELDS}


def customer_from(record: dict) -> Customer:
    extra = {k: record[k] for k in CUSTOMER_EXTRA if record.get(k) not in (None, "", 0)}
    return _from(record, CUSTOMER_FIELDS, Customer, extra=extra)


def customer_to(customer: Customer) -> dict:
    record = {theirs: getattr(customer, ours) for ours, theirs in CUSTOMER_FIELDS}
    record.update({k: v for k, v in customer.extra.items() if k in CUSTOMER_EXTRA})
    return record


def _decimal(value) -> Decimal:
    # A float goes through its shortest repr, so 0.1 is sent as 0.1, not 0.1000000000000000055.
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def line_from(record: dict) -> InvoiceLine:
    return InvoiceLine(
        quantity=record["Quantity"],
        description=record.get("Description") or "",
        rate=record["Rate"],
        nominal_id=record["ChargeType"],
        vat_rate=record["VatRate"],
        vat_amount=record["VatAmount"],
        project_id=record.get("ProjID", 0),
        product_id=record.get("ProductID", 0),
        sort=record.get("Sort", 0),
        line_id=record.get("LineID", 0),
        values_in_currency=bool(record.get("ValuesInCurrency")),
    )


def line_to(line: InvoiceLine, sort: int = 0) -> dict:
    record = {
        "@type": "InvoiceLine",
        "Quantity": _decimal(line.quantity),
        "Description": line.description,
        "Rate": _decimal(line.rate),
        "ChargeType": line.nominal_id,
        "VatRate": _decimal(line.vat_rate),
        "VatAmount": _decimal(line.vat_amount),
        "ProductID": line.product_id,
        "Sort": line.sort or sort,
        "ProjID": line.project_id,
        "LineID": line.line_id,
    }
    if line.values_in_currency:
        record["ValuesInCurrency"] = 1
    return record


def invoice_from(record: dict) -> Invoice:
    lines = (record.get("Lines") or {}).get("anyType") or []
    return Invoice(
        number=record["InvoiceNumber"],
        db_id=record["InvoiceDBID"],
        date=_day(record.get("InvoiceDate")),
        due_date=_day(record.get("DueDate")),
        party_id=record["CustomerID"],
        party_name=record.get("CustomerName") or record.get("Customer") or "",
        reference=record.get("CustomerReference") or "",
        project_id=record.get("ProjectID", 0),
        currency_code=record.get("CurrencyCode") or "GBP",
        exchange_rate=record.get("ExchangeRate") or Decimal(1),
        paid=record.get("Paid", 0),
        lines=[line_from(item) for item in lines if item and item.get("@type") == "InvoiceLine"],
        net_amount=record.get("NetAmount", Decimal(0)),
        vat_amount=record.get("VATAmount", Decimal(0)),
        amount_paid=record.get("AmountPaid", Decimal(0)),
    )


def invoice_to(invoice: Invoice) -> dict:
    # KashFlow computes totals and payment state itself; its docs ask for 0 on insert.
    return {
        "InvoiceDBID": invoice.db_id,
        "InvoiceNumber": invoice.number,
        "InvoiceDate": invoice.date,
        "DueDate": invoice.due_date,
        "CustomerID": invoice.party_id,
        "Paid": 0,
        "CustomerReference": invoice.reference,
        "SuppressTotal": 0,
        "ProjectID": invoice.project_id,
        "CurrencyCode": invoice.currency_code,
        "ExchangeRate": _decimal(invoice.exchange_rate),
        "Lines": {"anyType": [line_to(ln, n) for n, ln in enumerate(invoice.lines, 1)]},
        "NetAmount": Decimal(0),
        "VATAmount": Decimal(0),
        "AmountPaid": Decimal(0),
        "UseCustomDeliveryAddress": False,
        "CISRCNetAmount": None,
        "CISRCVatAmount": None,
        "IsCISReverseCharge": None,
    }


def payment_to(payment: Payment) -> dict:
    return {
        "PayID": payment.id,
        "PayInvoice": payment.invoice_number,
        "PayDate": payment.date,
        "PayNote": payment.note,
        "PayMethod": payment.method_id,
        "PayAccount": payment.account_id,
        "PayAmount": _decimal(payment.amount),
    }


def nominal_from(r: dict) -> NominalCode:
    return NominalCode(id=r["id"], code=r["Code"], name=r.get("Name") or "")


def vat_rate_from(r: dict) -> VatRate:
    return VatRate(r["ID"], r.get("Name") or "", r.get("Description") or "", r["Value"])


def project_from(r: dict) -> Project:
    return Project(id=r["ID"], name=r.get("Name") or "", description=r.get("Description") or "")


def bank_account_from(r: dict) -> BankAccount:
    return BankAccount(id=r["AccountID"], name=r.get("AccountName") or "", code=r["AccountCode"])


def payment_method_from(r: dict) -> PaymentMethod:
    return PaymentMethod(id=r["MethodID"], name=r.get("MethodName") or "")


def currency_from(r: dict) -> Currency:
    return Currency(
        id=r["CurrencyId"],
        code=r.get("CurrencyCode") or "",
        exchange_rate=r["ExchangeRate"],
        is_default=bool(r["isDefault"]),
    )


def company_from(r: dict) -> CompanyDetails:
    return CompanyDetails(
        name=r.get("CompanyName") or "",
        address1=r.get("Address1") or "",
        address2=r.get("Address2") or "",
        address3=r.get("Address3") or "",
        address4=r.get("Address4") or "",
        postcode=r.get("Postcode") or "",
        email=r.get("PrimaryEmail") or "",
        contact=r.get("PrimaryContact") or "",
        telephone=r.get("Telephone") or "",
        vat_registered=(r.get("VatRegistered") or "").strip().lower() in ("1", "true", "yes"),
        vat_number=r.get("VatRegistrationNumber") or "",
        currency_id=r.get("CurrencyId", 0),
        currency_name=r.get("CurrencyName") or "",
        payment_terms=r.get("PaymentTerms", 0),
    )
