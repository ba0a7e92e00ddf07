"""Realistic made-up books for the stand-in: a UK chart of accounts, VAT rates, banks, parties.

Everything is generated from a seeded random source, so the same counts give the same records.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from itertools import product

# (code, name): the usual shape of a small UK limited company's chart.
CHART = [
    (30, "Office Equipment"), (50, "Motor Vehicles"), (1100, "Trade Debtors"),
    (1200, "Bank Current Account"), (1210, "Bank Deposit Account"), (1230, "Petty Cash"),
    (1240, "Company Credit Card"), (2100, "Trade Creditors"), (2200, "VAT Liability"),
    (2300, "Loans"), (3000, "Capital Introduced"), (3200, "Profit and Loss Account"),
    (4000, "Sales"), (4010, "Sales - Services"), (4900, "Other Income"),
    (5000, "Purchases"), (5010, "Materials"), (5100, "Carriage"), (5200, "Subcontractors"),
    (7000, "Gross Wages"), (7100, "Rent"), (7102, "Water Rates"), (7103, "Business Rates"),
    (7200, "Electricity"), (7201, "Gas"), (7300, "Fuel and Oil"),
    (7301, "Motor Repairs and Servicing"), (7303, "Vehicle Insurance"), (7400, "Travelling"),
    (7401, "Car Hire"), (7402, "Hotels"), (7403, "UK Entertainment"),
    (7500, "Printing"), (7501, "Postage and Carriage"), (7502, "Telephone"),
    (7503, "Internet and Software"), (7504, "Office Stationery"), (7505, "Books and Magazines"),
    (7600, "Legal Fees"), (7601, "Accountancy Fees"), (7602, "Consultancy Fees"),
    (7700, "Equipment Hire"), (7800, "Repairs and Renewals"), (7900, "Bank Charges"),
    (8000, "Depreciation"), (8200, "Donations"), (8201, "Subscriptions"),
    (8204, "Insurance"), (8205, "Refreshments"),
]  # fmt: skip

# KashFlow's nominal ids are system-wide and unrelated to the 4-digit codes.
FIRST_NOMINAL_ID = 3_140_201

VAT_RATES = [
    {"ID": 1, "Name": "20%", "Description": "Standard rate", "Value": Decimal(20)},
    {"ID": 2, "Name": "5%", "Description": "Reduced rate", "Value": Decimal(5)},
    {"ID": 3, "Name": "0%", "Description": "Zero rated", "Value": Decimal(0)},
    {"ID": 4, "Name": "Exempt", "Description": "Exempt or outside the scope", "Value": Decimal(-1)},
]
PROJECTS = [
    {"ID": 1, "Name": "Shop Refit", "Description": "Refit of the Deansgate shop", "Value": 0},
    {"ID": 2, "Name": "Website Rebuild", "Description": "New online shop", "Value": 0},
    {"ID": 3, "Name": "Harrogate Trade Show", "Description": "Stand and travel", "Value": 0},
]
BANK_ACCOUNTS = [
    {"AccountID": 1, "AccountName": "Current Account", "AccountCode": 1200},
    {"AccountID": 2, "AccountName": "Deposit Account", "AccountCode": 1210},
    {"AccountID": 3, "AccountName": "Petty Cash", "AccountCode": 1230},
    {"AccountID": 4, "AccountName": "Company Credit Card", "AccountCode": 1240},
]
REC_PAY_METHODS = [
    {"MethodID": 1, "MethodName": "BACS"}, {"MethodID": 2, "MethodName": "Cheque"},
    {"MethodID": 3, "MethodName": "Cash"}, {"MethodID": 4, "MethodName": "Debit Card"},
    {"MethodID": 5, "MethodName": "Credit Card"}, {"MethodID": 6, "MethodName": "Direct Debit"},
]  # fmt: skip
INV_PAY_METHODS = [
    {"MethodID": 11, "MethodName": "BACS"}, {"MethodID": 12, "MethodName": "Cheque"},
    {"MethodID": 13, "MethodName": "Cash"}, {"MethodID": 14, "MethodName": "Card"},
    {"MethodID": 15, "MethodName": "PayPal"}, {"MethodID": 16, "MethodName": "Direct Debit"},
]  # fmt: skip
CURRENCIES = [
    {"CurrencyId": 1, "CurrencyCode": "GBP", "ExchangeRate": Decimal("1"), "isDefault": 1},
    {"CurrencyId": 2, "CurrencyCode": "EUR", "ExchangeRate": Decimal("1.1650"), "isDefault": 0},
    {"CurrencyId": 3, "CurrencyCode": "USD", "ExchangeRate": Decimal("1.2710"), "isDefault": 0},
]

PLACES = [
    ("Manchester", "M1"), ("Leeds", "LS1"), ("Bristol", "BS1"), ("Reading", "RG1"),
    ("Norwich", "NR2"), ("York", "YO1"), ("Cardiff", "CF10"), ("Exeter", "EX1"),
    ("Nottingham", "NG1"), ("Brighton", "BN1"), ("Sheffield", "S1"), ("Glasgow", "G1"),
    ("Edinburgh", "EH1"), ("Birmingham", "B1"), ("Leicester", "LE1"), ("Oxford", "OX1"),
]  # fmt: skip
STREETS = ["High Street", "Station Road", "Church Lane", "Mill Road", "Victoria Street",
           "Park Road", "Market Place", "King Street", "Queens Road", "London Road"]  # fmt: skip
FIRST = ["Thames", "Pennine", "Oakwood", "Riverside", "Northgate", "Albion", "Cotswold",
         "Harbour", "Beacon", "Kestrel", "Meadow", "Granite", "Westfield", "Lakeland",
         "Brunel", "Heritage", "Summit", "Ashford", "Crown", "Castle"]  # fmt: skip
TRADES = ["Office Supplies", "Plumbing", "Electrical", "Print", "Catering", "Logistics",
          "Timber", "IT Services", "Cleaning", "Couriers", "Signs", "Stationers",
          "Fuel", "Hardware", "Packaging", "Consulting"]  # fmt: skip
SUFFIXES = ["Ltd", "Limited", "& Sons", "LLP", "& Co"]
PEOPLE = [("Sarah", "Patel"), ("James", "Wilson"), ("Aisha", "Khan"), ("Tom", "Hughes"),
          ("Emma", "Clarke"), ("Liam", "Evans"), ("Grace", "Murphy"),
          ("Owen", "Roberts")]  # fmt: skip
WEIGHTS = (8, 7, 6, 5, 4, 3, 2)
COMPANY_VAT_NUMBER = "GB123456782"


def vat_check_digits(first_seven: str) -> str:
    """The two check digits HMRC's mod-97 scheme gives seven digits."""
    total = sum(int(d) * w for d, w in zip(first_seven, WEIGHTS, strict=True))
    return f"{-total % 97:02d}"


def vat_number_is_valid(vat: str) -> bool:
    """HMRC's check on a 9-digit UK VAT number: the weighted sum plus the check digits is a
    multiple of 97, or (numbers issued since 2010) so is the sum plus 55."""
    digits = vat.upper().removeprefix("GB").replace(" ", "")
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:7], WEIGHTS, strict=True)) + int(digits[7:])
    return total % 97 == 0 or (total + 55) % 97 == 0


def make_vat_number(rng: random.Random) -> str:
    first = str(rng.randint(1_000_000, 9_999_999))
    return f"GB{first}{vat_check_digits(first)}"


def nominal_codes() -> list[dict]:
    return [
        {"id": FIRST_NOMINAL_ID + n * 7, "Code": code, "Name": name, "debit": Decimal(0),
         "credit": Decimal(0), "balance": Decimal(0)}
        for n, (code, name) in enumerate(CHART)
    ]  # fmt: skip


def company_details() -> dict:
    return {
        "CompanyName": "Northern Lights Trading Ltd", "Address1": "Unit 4, Mill Yard",
        "Address2": "Canal Street", "Address3": "Manchester", "Address4": "Greater Manchester",
        "Postcode": "M1 3HE", "PrimaryEmail": "accounts@northernlights.example",
        "PrimaryContact": "Priya Shah", "Telephone": "0161 496 0123", "Mobile": "07700 900123",
        "VatRegistered": "1", "VatRegistrationNumber": COMPANY_VAT_NUMBER,
        "PaymentTerms": 30, "CurrencySymbol": "£", "CurrencyPosition": "Before", "UsDate": "0",
        "CurrencyId": 1, "CurrencyName": "Pound Sterling", "BusinessType1": 1,
        "BusinessType2": 0, "BusinessType3": 0, "PaymentTermsType": "Days",
        "BusinessType1Name": "Retail", "BusinessType2Name": "", "BusinessType3Name": "",
        "BusinessType": 1,
    }  # fmt: skip


def party_names(rng: random.Random, count: int) -> list[str]:
    """``count`` different business names: every first word, trade and suffix combination in
    a shuffled order, then the same again with a town, then numbered."""
    combos = [f"{a} {b} {c}" for a, b, c in product(FIRST, TRADES, SUFFIXES)]
    rng.shuffle(combos)
    names = []
    for n in range(count):
        name, lap = combos[n % len(combos)], n // len(combos)
        if lap:
            name = f"{name} ({PLACES[(lap - 1) % len(PLACES)][0]})"
        if lap > len(PLACES):
            name = f"{name} {lap}"
        names.append(name)
    return names


def _party(rng: random.Random, name: str, created: datetime) -> dict:
    town, district = rng.choice(PLACES)
    first, last = rng.choice(PEOPLE)
    postcode = f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" + rng.choice(
        "ABDEFGHJLNPQRSTUWXYZ"
    )
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
    return {
        "Name": name, "Contact": f"{first} {last}", "ContactTitle": rng.choice(["Mr", "Ms", "Mrs"]),
        "ContactFirstName": first, "ContactLastName": last,
        "Telephone": f"0{rng.randint(113, 199)} 496 {rng.randint(1000, 9999)}",
        "Mobile": f"07700 9{rng.randint(10000, 99999)}", "Email": f"accounts@{slug}.example",
        "Website": f"https://{slug}.example",
        "Address1": f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
        "Address2": "", "Address3": town, "Address4": "", "VATNumber": make_vat_number(rng),
        "Notes": "", "CurrencyID": 1, "PaymentTerms": rng.choice([0, 7, 14, 30, 30, 60]),
        "EC": 0, "Created": created, "Updated": created, "_postcode": postcode,
    }  # fmt: skip


def _parties(count: int, seed: int, postcode_field: str, **fields) -> list[dict]:
    rng = random.Random(seed)
    created = datetime(2025, 4, 6, 9, 0)
    out = []
    for name in party_names(rng, count):
        record = _party(rng, name, created)
        record[postcode_field] = record.pop("_postcode")
        record.update(fields)
        out.append(record)
    return out


def suppliers(count: int, seed: int = 1) -> list[dict]:
    return _parties(count, seed, "PostCode", TradeBorderType=Decimal(1))


def customers(count: int, seed: int = 2) -> list[dict]:
    return _parties(
        count, seed, "Postcode", CountryName="United Kingdom", CountryCode="GB", OutsideEC=0,
        Source=0, Discount=Decimal(0), ShowDiscount=False,
    )  # fmt: skip
