"""The stand-in's books: one KashFlow account, in memory, optionally saved to a JSON file.

Records are dicts keyed by KashFlow's element names (the same shape the codec writes), so an
answer is the record itself. Receipts and invoices are keyed by their number, which is what
people see; their database ids (``InvoiceDBID``) come from a separate counter, as in KashFlow.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from kashflow.wsdl.codec import parse_value
from kashflow.wsdl.spec import type_fields

from . import seed

FIRST_DB_ID = 700_001
# Which spec type each saved collection holds, to give JSON strings their types back on load.
COLLECTION_TYPES = {
    "suppliers": "Supplier",
    "customers": "Customer",
    "receipts": "Invoice",
    "invoices": "Invoice",
    "payments": "Payment",
    "nominal_codes": "NominalCode",
    "vat_rates": "BasicDataset",
    "projects": "BasicDataset",
    "bank_accounts": "BankAccount",
    "rec_pay_methods": "PaymentMethod",
    "inv_pay_methods": "PaymentMethod",
    "currencies": "Currencies",
    "company": "CompanyDetails",
}


@dataclass
class Account:
    username: str = "demo"
    password: str = "demo"
    autoauth_key: str | None = None
    api_enabled: bool = True
    api_disabled_text: str = "API access is disabled for this account."
    ip_restricted: bool = False
    allowed_ips: list[str] = field(default_factory=list)


@dataclass
class SandboxState:
    account: Account = field(default_factory=Account)
    company: dict = field(default_factory=dict)
    vat_registered: bool = True
    nominal_codes: list[dict] = field(default_factory=list)
    vat_rates: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    bank_accounts: list[dict] = field(default_factory=list)
    rec_pay_methods: list[dict] = field(default_factory=list)
    inv_pay_methods: list[dict] = field(default_factory=list)
    currencies: list[dict] = field(default_factory=list)
    suppliers: dict[int, dict] = field(default_factory=dict)
    customers: dict[int, dict] = field(default_factory=dict)
    receipts: dict[int, dict] = field(default_factory=dict)
    invoices: dict[int, dict] = field(default_factory=dict)
    payments: list[dict] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    next_db_id: int = FIRST_DB_ID
    next_line_id: int = 1
    next_party_id: int = 1001
    path: Path | None = None
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # ------------------------------------------------------------ building

    @classmethod
    def seeded(cls, suppliers: int = 25, customers: int = 25, **account) -> SandboxState:
        state = cls(account=Account(**account))
        state.company = seed.company_details()
        state.nominal_codes = seed.nominal_codes()
        state.vat_rates = [dict(r) for r in seed.VAT_RATES]
        state.projects = [dict(r) for r in seed.PROJECTS]
        state.bank_accounts = [dict(r) for r in seed.BANK_ACCOUNTS]
        state.rec_pay_methods = [dict(r) for r in seed.REC_PAY_METHODS]
        state.inv_pay_methods = [dict(r) for r in seed.INV_PAY_METHODS]
        state.currencies = [dict(r) for r in seed.CURRENCIES]
        for record in seed.suppliers(suppliers):
            state.add_party("supplier", record)
        for record in seed.customers(customers):
            state.add_party("customer", record)
        return state

    def take_id(self, counter: str) -> int:
        value = getattr(self, counter)
        setattr(self, counter, value + 1)
        return value

    def add_party(self, kind: str, record: dict) -> int:
        """Store a supplier or customer, giving it an id and (when blank) a code."""
        book = self.suppliers if kind == "supplier" else self.customers
        id_field = "SupplierID" if kind == "supplier" else "CustomerID"
        record[id_field] = party_id = self.take_id("next_party_id")
        if not record.get("Code"):
            record["Code"] = self.new_code(kind, record.get("Name") or "")
        book[party_id] = record
        self._codes(kind)[record["Code"].upper()] = party_id
        return party_id

    def _codes(self, kind: str, rebuild: bool = False) -> dict[str, int]:
        # An index of codes, rebuilt when a look-up misses: tests and the demo may change or
        # delete records in place, and a miss is rare enough to pay for a rebuild.
        attr = f"_{kind}_codes"
        if rebuild or attr not in self.__dict__:
            book = self.suppliers if kind == "supplier" else self.customers
            self.__dict__[attr] = {r["Code"].upper(): pid for pid, r in book.items()}
        return self.__dict__[attr]

    def party_by_code(self, kind: str, code: str) -> dict | None:
        wanted = (code or "").strip().upper()
        book = self.suppliers if kind == "supplier" else self.customers
        for rebuild in (False, True):
            record = book.get(self._codes(kind, rebuild).get(wanted, 0))
            if record is not None and record["Code"].upper() == wanted:
                return record
        return None

    def new_code(self, kind: str, name: str) -> str:
        # KashFlow derives codes from the name: letters only, upper case, then a counter.
        stem = "".join(ch for ch in name.upper() if ch.isalpha())[:6] or kind.upper()[:6]
        codes = self._codes(kind)
        n = 1
        while f"{stem}{n:02d}" in codes:
            n += 1
        return f"{stem}{n:02d}"

    def nominal_ids(self) -> set[int]:
        return {n["id"] for n in self.nominal_codes}

    def vat_values(self) -> set[Decimal]:
        return {Decimal(r["Value"]) for r in self.vat_rates}

    def document_by_db_id(self, kind: str, db_id: int) -> dict | None:
        book = self.receipts if kind == "receipt" else self.invoices
        return next((d for d in book.values() if d["InvoiceDBID"] == db_id), None)

    # ------------------------------------------------------------ persistence

    def save(self) -> None:
        """Write the state file atomically (after each write), if one was given.

        Everything is written each time, on purpose: tests and the demo change records in
        place, and a cache of "what changed" would miss those changes."""
        if self.path is None:
            return
        data = {name: getattr(self, name) for name in COLLECTION_TYPES}
        data["suppliers"] = list(self.suppliers.values())
        data["customers"] = list(self.customers.values())
        data["receipts"] = list(self.receipts.values())
        data["invoices"] = list(self.invoices.values())
        data.update(
            account=self.account.__dict__,
            vat_registered=self.vat_registered,
            attachments=self.attachments,
            counters=[self.next_db_id, self.next_line_id, self.next_party_id],
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps(data, default=str))
        os.replace(tmp, self.path)

    @classmethod
    def load(cls, path: Path) -> SandboxState:
        data = json.loads(Path(path).read_text())
        state = cls(account=Account(**data["account"]), path=Path(path))
        state.vat_registered = data["vat_registered"]
        state.attachments = data["attachments"]
        state.next_db_id, state.next_line_id, state.next_party_id = data["counters"]
        for name, type_name in COLLECTION_TYPES.items():
            value = data[name]
            if isinstance(value, dict):
                setattr(state, name, _typed(type_name, value))
                continue
            records = [_typed(type_name, r) for r in value]
            if name in ("suppliers", "customers"):
                id_field = "SupplierID" if name == "suppliers" else "CustomerID"
                records = {r[id_field]: r for r in records}
            elif name in ("receipts", "invoices"):
                records = {r["InvoiceNumber"]: r for r in records}
            setattr(state, name, records)
        return state


def _typed(type_name: str, record: dict) -> dict:
    """Give a record read back from JSON its Decimal, int and datetime values again."""
    out = dict(record)
    for f in type_fields(type_name):
        value = out.get(f.name)
        if value is None or f.type in ("string", "anyType"):
            continue
        if f.primitive and isinstance(value, str):
            out[f.name] = parse_value(f.type, value.replace(" ", "T"))
        elif f.type == "ArrayOfAnyType":
            out[f.name] = {"anyType": [_typed(i["@type"], i) for i in value["anyType"]]}
    return out


def now() -> datetime:
    return datetime.now().replace(microsecond=0)
