"""A plain zeep client built from KashFlow's own WSDL, pointed at the stand-in: proof that code
written against the real KashFlow gets the answers it expects from our server."""

import base64
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import zeep
from django.conf import settings
from zeep import xsd
from zeep.cache import InMemoryCache
from zeep.transports import Transport

from tests.kashflow_fixtures import SANDBOX_PASSWORD, SANDBOX_USERNAME

KASHFLOW_WSDL = Path(settings.BASE_DIR).parent / "shared" / "kashflow" / "service.wsdl"
SOAPENC = "http://schemas.xmlsoap.org/soap/encoding/"
# KashFlow's WSDL imports the SOAP encoding schema without a location; zeep would fetch it, so
# it is served from zeep's cache. Only the Array type is referenced.
SOAPENC_STUB = f"""<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{SOAPENC}">
  <xs:complexType name="Array">
    <xs:sequence><xs:any minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
    <xs:attribute name="arrayType" type="xs:string"/>
  </xs:complexType>
</xs:schema>""".encode()

pytestmark = pytest.mark.skipif(
    not KASHFLOW_WSDL.exists(), reason=f"KashFlow's WSDL is not at {KASHFLOW_WSDL}"
)
AUTH = {"UserName": SANDBOX_USERNAME, "Password": SANDBOX_PASSWORD}


@pytest.fixture(scope="module")
def kashflow_zeep():
    cache = InMemoryCache()
    cache.add(SOAPENC, SOAPENC_STUB)
    return zeep.Client(str(KASHFLOW_WSDL), transport=Transport(cache=cache))


@pytest.fixture
def service(kashflow_zeep, kashflow_sandbox):
    return kashflow_zeep.create_service("{KashFlow}KashFlowAPISoap", kashflow_sandbox.url)


def a_supplier(kashflow_zeep, **fields):
    supplier = kashflow_zeep.get_type("ns0:Supplier")
    empty = datetime(1, 1, 1)
    values = dict(SupplierID=0, Created=empty, Updated=empty, EC=0, CurrencyID=0,
                  PaymentTerms=30, TradeBorderType=Decimal(0))  # fmt: skip
    return supplier(**(values | fields))


def a_receipt(kashflow_zeep, supplier_id: int, nominal_id: int):
    invoice_line = kashflow_zeep.get_type("ns0:InvoiceLine")
    any_array = kashflow_zeep.get_type("ns0:ArrayOfAnyType")
    invoice = kashflow_zeep.get_type("ns0:Invoice")
    lines = [
        xsd.AnyObject(
            invoice_line,
            invoice_line(Quantity=qty, Description=text, Rate=rate, ChargeType=nominal_id,
                         VatRate=20, VatAmount=vat, ProductID=0, Sort=n, ProjID=0, LineID=0),
        )  # fmt: skip
        for n, (qty, text, rate, vat) in enumerate(
            [(1, "Toner", Decimal("45.00"), Decimal("9.00")),
             (2, "Paper", Decimal("5.50"), Decimal("2.20"))],
            1,
        )
    ]  # fmt: skip
    return invoice(
        InvoiceDBID=0, InvoiceNumber=0, InvoiceDate=datetime(2026, 11, 9),
        DueDate=datetime(2026, 12, 9), CustomerID=supplier_id, Paid=0,
        CustomerReference="SO-31337", SuppressTotal=0, ProjectID=0,
        CurrencyCode="GBP", ExchangeRate=1, Lines=any_array(anyType=lines), NetAmount=0,
        VATAmount=0, AmountPaid=0, UseCustomDeliveryAddress=False, CISRCNetAmount=None,
        CISRCVatAmount=None, IsCISReverseCharge=None,
    )  # fmt: skip


def test_it_answers_reference_data_the_way_kashflows_wsdl_describes(service):
    nominals = service.GetNominalCodes(**AUTH)
    rates = service.GetVATRates(**AUTH)
    suppliers = service.GetSuppliers(**AUTH)
    assert nominals.Status == "OK"
    assert {n.Code: n.Name for n in nominals.GetNominalCodesResult.NominalCode}[5000] == "Purchases"
    assert [r.Value for r in rates.GetVATRatesResult.BasicDataset] == [20, 5, 0, -1]
    assert len(suppliers.GetSuppliersResult.Supplier) == 25
    assert suppliers.GetSuppliersResult.Supplier[0].SupplierID == 1001
    assert service.GetCompanyDetails(**AUTH).GetCompanyDetailsResult.Postcode == "M1 3HE"
    assert service.isUserVATRegistered(**AUTH).isUserVATRegisteredResult is True


def test_it_takes_a_supplier_a_receipt_and_a_file_from_kashflows_wsdl(
    kashflow_zeep, service, kashflow_sandbox
):
    inserted = service.InsertSupplier(**AUTH, supl=a_supplier(kashflow_zeep, Name="Viking Direct"))
    supplier_id = inserted.InsertSupplierResult
    nominal = next(n for n in service.GetNominalCodes(**AUTH).GetNominalCodesResult.NominalCode
                   if n.Code == 7504)  # fmt: skip
    receipt = service.InsertReceipt(**AUTH, Inv=a_receipt(kashflow_zeep, supplier_id, nominal.id))
    number = receipt.InsertReceiptResult
    attached = service.AttachFileToReceipt(
        **AUTH, ReceiptNo=number, Base64String=base64.b64encode(b"%PDF").decode(),
        ContentType="application/pdf", Filename="toner.pdf", FileExtension="pdf", FileSize="4",
    )  # fmt: skip
    fetched = service.GetReceipt(**AUTH, ReceiptNumber=number).GetReceiptResult

    assert (inserted.Status, receipt.Status, attached.Status) == ("OK", "OK", "OK")
    assert kashflow_sandbox.state.suppliers[supplier_id]["Name"] == "Viking Direct"
    assert number == 1 and attached.AttachFileToReceiptResult == 1
    assert fetched.CustomerID == supplier_id
    assert fetched.NetAmount == Decimal("56.00")
    assert fetched.VATAmount == Decimal("11.20")
    lines = fetched.Lines.anyType
    assert [line.Description for line in lines] == ["Toner", "Paper"]
    assert lines[0].ChargeType == nominal.id
    assert fetched.CISRCNetAmount is None


def test_it_refuses_bad_input_in_band_for_kashflows_wsdl(kashflow_zeep, service, kashflow_sandbox):
    answer = service.InsertReceipt(**AUTH, Inv=a_receipt(kashflow_zeep, 99, 0))
    assert (answer.InsertReceiptResult, answer.Status) == (0, "NO")
    assert answer.StatusDetail == "There is no supplier with the ID 99."
    assert kashflow_sandbox.state.receipts == {}


def test_it_answers_kashflows_wsdl_over_soap12(kashflow_zeep, kashflow_sandbox):
    service12 = kashflow_zeep.create_service("{KashFlow}KashFlowAPISoap12", kashflow_sandbox.url)
    answer = service12.GetCurrencies(**AUTH)
    assert [c.CurrencyCode for c in answer.GetCurrenciesResult.Currencies] == ["GBP", "EUR", "USD"]
    paged = service12.GetReceiptsWithPaging(**AUTH, Page=1, PerPage=10, FilterBy="All")
    assert (paged.Status, paged.TotalPages, paged.TotalRecords) == ("OK", 0, 0)
