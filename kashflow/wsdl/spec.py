"""The part of KashFlow's SOAP contract that Tillroll speaks, written compactly by us.

Every type and operation below carries KashFlow's own names, element order, XSD types, minOccurs
and nillable, so a client written against KashFlow's published WSDL and our own client both see
the same messages. ``tests/kashflow/test_wsdl_conformance.py`` holds this file to KashFlow's WSDL.

A field is written ``Name:type`` followed by flags:

* ``?``  minOccurs="0" (without it minOccurs="1", as ASMX writes value types);
* ``~``  nillable="true";
* ``*``  maxOccurs="unbounded".

``anyType`` stands for an element with no type attribute (KashFlow's ``ArrayOfAnyType`` items,
which carry their real type in ``xsi:type``). Primitive types live in the XML Schema namespace,
every other type in ``KashFlow``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

NAMESPACE = "KashFlow"
PRIMITIVES = frozenset({"string", "int", "integer", "decimal", "boolean", "dateTime", "anyType"})

# Every request starts with the credentials and every response ends with the in-band status,
# except where an operation spells its own order (GetReceiptsWithPaging puts the paging counts
# after the status).
AUTH = "UserName:string? Password:string?"
STATUS = "Status:string? StatusDetail:string?"

TYPES: dict[str, str] = {
    "NominalCode": "id:int Code:int Name:string? debit:decimal credit:decimal balance:decimal",
    "BasicDataset": "ID:int Name:string? Description:string? Value:decimal",
    "BankAccount": "AccountID:int AccountName:string? AccountCode:int",
    "PaymentMethod": "MethodID:int MethodName:string?",
    "Currencies": "CurrencyId:int CurrencyCode:string? ExchangeRate:decimal isDefault:int",
    "Supplier": (
        "SupplierID:int Code:string? Name:string? Contact:string? Mobile:string? Fax:string? "
        "Address1:string? Address2:string? Address3:string? Address4:string? PostCode:string? "
        "Telephone:string? Website:string? Email:string? Created:dateTime Updated:dateTime EC:int "
        "VATNumber:string? Notes:string? CurrencyID:int PaymentTerms:int ContactTitle:string? "
        "ContactFirstName:string? ContactLastName:string? TradeBorderType:decimal"
    ),
    "Customer": (
        "CustomerID:int Code:string? Name:string? Contact:string? Telephone:string? "
        "Mobile:string? Fax:string? Email:string? Address1:string? Address2:string? "
        "Address3:string? Address4:string? CountryName:string? CountryCode:string? "
        "Postcode:string? Website:string? EC:int OutsideEC:int Notes:string? Source:int "
        "Discount:decimal ShowDiscount:boolean PaymentTerms:int "
        + " ".join(f"ExtraText{n}:string?" for n in range(1, 21))
        + " "
        + " ".join(f"CheckBox{n}:int" for n in range(1, 21))
        + " Created:dateTime Updated:dateTime CurrencyID:int ContactTitle:string? "
        "ContactFirstName:string? ContactLastName:string? CustHasDeliveryAddress:integer? "
        "DeliveryAddress1:string? DeliveryAddress2:string? DeliveryAddress3:string? "
        "DeliveryAddress4:string? DeliveryCountryName:string? DeliveryCountryCode:string? "
        "DeliveryPostcode:string? VATNumber:string?"
    ),
    "Invoice": (
        "InvoiceDBID:int InvoiceNumber:int InvoiceDate:dateTime DueDate:dateTime "
        "Customer:string? CustomerID:int Paid:int CustomerReference:string? "
        "EstimateCategory:string? SuppressTotal:int ProjectID:int CurrencyCode:string? "
        "ExchangeRate:decimal ReadableString:string? Lines:ArrayOfAnyType? NetAmount:decimal "
        "VATAmount:decimal AmountPaid:decimal CustomerName:string? PermaLink:string? "
        "DeliveryAddress:DeliveryAddress? UseCustomDeliveryAddress:boolean "
        "CISRCNetAmount:decimal~ CISRCVatAmount:decimal~ IsCISReverseCharge:boolean~"
    ),
    "DeliveryAddress": (
        "Name:string? Line1:string? Line2:string? Line3:string? Line4:string? PostCode:string? "
        "CountryName:string? CountryCode:string?"
    ),
    "InvoiceLine": (
        "Quantity:decimal Description:string? Rate:decimal ChargeType:int VatRate:decimal "
        "VatAmount:decimal ProductID:int Sort:int ProjID:int LineID:int ValuesInCurrency:integer?"
    ),
    "Payment": (
        "PayID:int PayInvoice:int PayDate:dateTime PayNote:string? PayMethod:int PayAccount:int "
        "PayAmount:decimal"
    ),
    "CompanyDetails": (
        "CompanyName:string? Address1:string? Address2:string? Address3:string? Address4:string? "
        "Postcode:string? PrimaryEmail:string? PrimaryContact:string? Telephone:string? "
        "Mobile:string? VatRegistered:string? VatRegistrationNumber:string? PaymentTerms:int "
        "CurrencySymbol:string? CurrencyPosition:string? UsDate:string? CurrencyId:int "
        "CurrencyName:string? BusinessType1:int BusinessType2:int BusinessType3:int "
        "PaymentTermsType:string? BusinessType1Name:string? BusinessType2Name:string? "
        "BusinessType3Name:string? BusinessType:int"
    ),
    "ArrayOfAnyType": "anyType:anyType?~*",
}
# KashFlow's array wrappers all have the same shape: ArrayOfX holds nillable X items.
for _item in ("NominalCode", "BasicDataset", "BankAccount", "PaymentMethod", "Currencies"):
    TYPES[f"ArrayOf{_item}"] = f"{_item}:{_item}?~*"
for _item in ("Supplier", "Customer", "Invoice"):
    TYPES[f"ArrayOf{_item}"] = f"{_item}:{_item}?~*"

ATTACH = "Base64String:string? ContentType:string? Filename:string? FileExtension:string? "
ATTACH += "FileSize:string?"

# Operation name -> (request fields after the credentials, response fields).
OPERATIONS: dict[str, tuple[str, str]] = {
    "AutoAuthIP": ("appName:string? AutoAuthKey:string?", "AutoAuthIPResult:int"),
    "GetCompanyDetails": ("", "GetCompanyDetailsResult:CompanyDetails?"),
    "isUserVATRegistered": ("", "isUserVATRegisteredResult:boolean"),
    "GetNominalCodes": ("", "GetNominalCodesResult:ArrayOfNominalCode?"),
    "GetVATRates": ("", "GetVATRatesResult:ArrayOfBasicDataset?"),
    "GetProjects": ("", "GetProjectsResult:ArrayOfBasicDataset?"),
    "GetBankAccounts": ("", "GetBankAccountsResult:ArrayOfBankAccount?"),
    "GetRecPayMethods": ("", "GetRecPayMethodsResult:ArrayOfPaymentMethod?"),
    "GetInvPayMethods": ("", "GetInvPayMethodsResult:ArrayOfPaymentMethod?"),
    "GetCurrencies": ("", "GetCurrenciesResult:ArrayOfCurrencies?"),
    "GetSuppliers": ("", "GetSuppliersResult:ArrayOfSupplier?"),
    "GetSupplier": ("SupplierCode:string?", "GetSupplierResult:Supplier?"),
    "GetSupplierByID": ("SupplierID:int", "GetSupplierByIDResult:Supplier?"),
    "GetCustomers": ("", "GetCustomersResult:ArrayOfCustomer?"),
    "GetCustomer": ("CustomerCode:string?", "GetCustomerResult:Customer?"),
    "GetCustomerByID": ("CustomerID:int", "GetCustomerByIDResult:Customer?"),
    "InsertSupplier": ("supl:Supplier?", "InsertSupplierResult:int"),
    "InsertCustomer": ("custr:Customer?", "InsertCustomerResult:int"),
    "InsertReceipt": ("Inv:Invoice?", "InsertReceiptResult:int"),
    "InsertReceiptLine": ("ReceiptID:int InvLine:InvoiceLine?", "InsertReceiptLineResult:int"),
    "InsertReceiptPayment": ("ReceiptPayment:Payment?", "InsertReceiptPaymentResult:int"),
    "AttachFileToReceipt": ("ReceiptNo:int " + ATTACH, "AttachFileToReceiptResult:int"),
    "InsertInvoice": ("Inv:Invoice?", "InsertInvoiceResult:int"),
    "InsertInvoiceLine": ("InvoiceID:int InvLine:InvoiceLine?", "InsertInvoiceLineResult:int"),
    "InsertInvoicePayment": ("InvoicePayment:Payment?", "InsertInvoicePaymentResult:int"),
    "AttachFileToInvoice": ("InvoiceNo:int " + ATTACH, "AttachFileToInvoiceResult:int"),
    "GetReceipt": ("ReceiptNumber:int", "GetReceiptResult:Invoice?"),
    "GetReceiptsForSupplier": ("SupplierID:int", "GetReceiptsForSupplierResult:ArrayOfInvoice?"),
    "GetReceiptsWithPaging": (
        "Page:int PerPage:int FilterBy:string?",
        "GetReceiptsWithPagingResult:ArrayOfInvoice? "
        + STATUS
        + " PageNumber:int TotalPages:int TotalRecords:int",
    ),
    "GetInvoice": ("InvoiceNumber:int", "GetInvoiceResult:Invoice?"),
    "GetInvoicesForCustomer": ("CustID:int", "GetInvoicesForCustomerResult:ArrayOfInvoice?"),
}

# Operations that change the books: never retried blindly once the request may have arrived.
WRITES = frozenset(name for name in OPERATIONS if name.startswith(("Insert", "AttachFile")))


# Identity equality: every Field is made once (parse results are cached), and plans keyed by a
# tuple of fields then hash in a few machine instructions instead of field by field.
@dataclass(frozen=True, slots=True, eq=False)
class Field:
    name: str
    type: str
    min_occurs: int = 1
    nillable: bool = False
    many: bool = False

    @property
    def primitive(self) -> bool:
        return self.type in PRIMITIVES


def parse_fields(text: str) -> tuple[Field, ...]:
    fields = []
    for token in text.split():
        name, _, rest = token.partition(":")
        kind = rest.rstrip("?~*")
        flags = rest[len(kind) :]
        fields.append(
            Field(
                name=name,
                type=kind,
                min_occurs=0 if "?" in flags else 1,
                nillable="~" in flags,
                many="*" in flags,
            )
        )
    return tuple(fields)


@cache
def type_fields(type_name: str) -> tuple[Field, ...]:
    return parse_fields(TYPES[type_name])


@cache
def request_fields(operation: str) -> tuple[Field, ...]:
    return parse_fields(AUTH + " " + OPERATIONS[operation][0])


@cache
def response_fields(operation: str) -> tuple[Field, ...]:
    text = OPERATIONS[operation][1]
    return parse_fields(text if "Status:" in text else text + " " + STATUS)


def result_field(operation: str) -> Field | None:
    name = operation + "Result"
    return next((f for f in response_fields(operation) if f.name == name), None)
