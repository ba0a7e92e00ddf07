"""Copy a business's reference data from KashFlow into the local tables.

Every kind is fetched before anything is written, then each kind is applied in its own
transaction: a KashFlow failure part-way leaves the failed kind exactly as it was, and the data
from the last good sync stays usable. Rows are compared before writing, so an unchanged sync
writes nothing, and a record gone from KashFlow is marked inactive rather than deleted.

Two syncs of one business never overlap: a Redis lock with a time-to-live (so a worker killed
mid-sync frees it) is held for the whole run, which holds across any number of machines.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from kashflow.models import (
    BankAccount,
    Currency,
    Customer,
    NominalCode,
    PaymentMethod,
    Project,
    Supplier,
    SyncRun,
    VatRate,
)

log = logging.getLogger(__name__)

# Longer than the sync queue's job timeout: RQ kills a job before its lock can expire under it.
LOCK_SECONDS = settings.RQ_QUEUES["sync"]["DEFAULT_TIMEOUT"] + 60
BULK_BATCH = 500
# From this many records a parsed answer is worth handing back to the system (a full garbage
# collection costs ~0.2 s, far less than a big answer's memory is worth).
BIG_KIND = 2000


# --- names and VAT numbers, as matching compares them ---------------------------------------

_LEGAL_TAIL = {"LTD", "LIMITED", "PLC", "LLP", "CO", "COMPANY", "AND"}
_DROP_CHARS = re.compile(r"[.'’`]")
_TO_SPACE = re.compile(r"[^A-Z0-9& ]+")


def normalise_name(name: str) -> str:
    """Upper case, accents, punctuation and legal suffixes dropped: "Acme Ltd." -> "ACME".

    "ACME LTD", "Acme Limited", "The Acme Co." and "Acme & Co Ltd" all become "ACME", so a
    receipt printed with any of them finds the one KashFlow supplier.
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    text = _TO_SPACE.sub(" ", _DROP_CHARS.sub("", text)).replace("&", " AND ")
    tokens = text.split()
    if len(tokens) > 1 and tokens[0] == "THE":
        tokens = tokens[1:]
    # Only strip from the end, and never the whole name: "CO OP" or "LIMITED EDITIONS" stay.
    while len(tokens) > 1 and tokens[-1] in _LEGAL_TAIL:
        if tokens[-1] == "AND" and tokens[-2] in _LEGAL_TAIL:
            break
        tokens.pop()
    return " ".join(tokens)


def vat_key(vat_number: str) -> str:
    """A VAT number without spaces or GB/XI prefix: "GB 123 4567 89" -> "123456789".

    Receipts print the number with or without the prefix and in any spacing.
    """
    key = re.sub(r"[^A-Z0-9]", "", (vat_number or "").upper())
    if key[:2] in ("GB", "XI") and key[2:].isdigit():
        key = key[2:]
    return key if len(key) >= 5 else ""


# --- how each KashFlow kind maps onto a local table -----------------------------------------


def _text(value: Any, model: type[models.Model], name: str) -> str:
    text = "" if value is None else str(value).strip()
    limit = model._meta.get_field(name).max_length
    return text[:limit] if limit else text


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _decimal(value: Any, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    try:
        return Decimal(str(value if value is not None else 0)).quantize(quantum)
    except ArithmeticError:
        return Decimal(0).quantize(quantum)


def _address(item: Any) -> str:
    parts = (getattr(item, f"address{n}", "") or "" for n in range(1, 5))
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _nominal(item: Any) -> dict:
    return {
        "name": _text(item.name, NominalCode, "name"),
        "code": _int(getattr(item, "code", 0)),
    }


def _vat_rate(item: Any) -> dict:
    return {
        "name": _text(item.name, VatRate, "name"),
        "rate": _decimal(getattr(item, "value", 0), 2),
    }


def _project(item: Any) -> dict:
    return {
        "name": _text(item.name, Project, "name"),
        "reference": _text(getattr(item, "reference", ""), Project, "reference"),
    }


def _party(model: type[models.Model]) -> Callable[[Any], dict]:
    def convert(item: Any) -> dict:
        name = _text(item.name, model, "name")
        vat_number = _text(getattr(item, "vat_number", ""), model, "vat_number")
        values = {
            "name": name,
            "code": _text(getattr(item, "code", ""), model, "code"),
            "vat_number": vat_number,
            "vat_key": vat_key(vat_number),
            "normalised_name": _text(normalise_name(name), model, "normalised_name"),
            "address": _address(item),
            "postcode": _text(getattr(item, "postcode", ""), model, "postcode"),
            "currency_id": _int(getattr(item, "currency_id", 0)),
            "payment_terms": _int(getattr(item, "payment_terms", 0)),
        }
        if model is Customer:
            values["email"] = _text(getattr(item, "email", ""), Customer, "email")
        return values

    return convert


def _bank_account(item: Any) -> dict:
    return {"name": _text(item.name, BankAccount, "name"), "code": _int(getattr(item, "code", 0))}


def _payment_method(item: Any) -> dict:
    return {"name": _text(item.name, PaymentMethod, "name")}


def _currency(item: Any) -> dict:
    code = _text(getattr(item, "code", ""), Currency, "code").upper()
    return {
        "name": code,
        "code": code,
        "exchange_rate": _decimal(getattr(item, "exchange_rate", 1), 6),
        "is_default": bool(getattr(item, "is_default", False)),
    }


@dataclass(frozen=True)
class Kind:
    """One kind of reference record: where it comes from and which local columns it fills."""

    name: str  # the key in SyncRun.counts
    label: str  # what a bookkeeper reads in an error
    model: type[models.Model]
    fetch: str  # the KashFlowClient method
    convert: Callable[[Any], dict]
    fields: tuple[str, ...]  # the columns ``convert`` fills, compared before writing
    scope: dict = field(default_factory=dict)  # fixed columns telling this kind's rows apart


_PARTY = (
    "name",
    "code",
    "vat_number",
    "vat_key",
    "normalised_name",
    "address",
    "postcode",
    "currency_id",
    "payment_terms",
)

KINDS: tuple[Kind, ...] = (
    Kind(
        "nominal_codes",
        "Nominal codes",
        NominalCode,
        "get_nominal_codes",
        _nominal,
        ("name", "code"),
    ),
    Kind("vat_rates", "VAT rates", VatRate, "get_vat_rates", _vat_rate, ("name", "rate")),
    Kind("projects", "Projects", Project, "get_projects", _project, ("name", "reference")),
    Kind("suppliers", "Suppliers", Supplier, "get_suppliers", _party(Supplier), _PARTY),
    Kind("customers", "Customers", Customer, "get_customers", _party(Customer), (*_PARTY, "email")),
    Kind(
        "bank_accounts",
        "Bank accounts",
        BankAccount,
        "get_bank_accounts",
        _bank_account,
        ("name", "code"),
    ),
    Kind(
        "receipt_payment_methods",
        "Purchase payment methods",
        PaymentMethod,
        "get_rec_pay_methods",
        _payment_method,
        ("name",),
        {"direction": PaymentMethod.Direction.PURCHASE},
    ),
    Kind(
        "invoice_payment_methods",
        "Sales payment methods",
        PaymentMethod,
        "get_inv_pay_methods",
        _payment_method,
        ("name",),
        {"direction": PaymentMethod.Direction.SALE},
    ),
    Kind(
        "currencies",
        "Currencies",
        Currency,
        "get_currencies",
        _currency,
        ("name", "code", "exchange_rate", "is_default"),
    ),
)


# --- applying one kind -----------------------------------------------------------------------


def convert_items(kind: Kind, items: Iterable[Any]) -> dict[int, dict]:
    """KashFlow's records as {kashflow_id: column values}."""
    incoming: dict[int, dict] = {}
    for item in items:
        kashflow_id = _int(getattr(item, "id", 0))
        # KashFlow never hands out 0 as an id; a 0 is an empty placeholder record.
        if kashflow_id:
            incoming[kashflow_id] = kind.convert(item)
    return incoming


def fetch_kind(client, kind: Kind) -> dict[int, dict]:
    incoming = convert_items(kind, getattr(client, kind.fetch)())
    if len(incoming) >= BIG_KIND:
        _release_memory()
    return incoming


try:
    _LIBC = ctypes.CDLL("libc.so.6")
except OSError:  # not glibc: nothing to trim
    _LIBC = None


def _release_memory() -> None:
    """Hand the memory of a parsed answer back to the system before the next fetch.

    Parsing 20,000 customers briefly takes ~170 MB; glibc keeps freed memory in its arenas, so
    without this a worker's footprint after two big kinds is the sum of both peaks.
    """
    gc.collect()
    if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)


def apply_kind(business, kind: Kind, incoming: dict[int, dict]) -> dict[str, int]:
    """Make ``kind``'s table for ``business`` hold exactly ``incoming``; returns what changed.

    One transaction: either the whole kind matches KashFlow afterwards or nothing changed.
    """
    now = timezone.now()
    columns = kind.fields
    model = kind.model
    with transaction.atomic():
        rows = model.objects.filter(business=business, **kind.scope)
        existing = {
            row[0]: row
            for row in rows.values_list("kashflow_id", "pk", "active", *columns).iterator(
                chunk_size=2000
            )
        }
        to_create, to_update = [], []
        for kashflow_id, values in incoming.items():
            row = existing.get(kashflow_id)
            if row is None:
                to_create.append(
                    model(business=business, kashflow_id=kashflow_id, **kind.scope, **values)
                )
            elif not row[2] or tuple(values[c] for c in columns) != row[3:]:
                to_update.append(model(pk=row[1], active=True, synced_at=now, **values))
        gone = [row[1] for kid, row in existing.items() if row[2] and kid not in incoming]

        model.objects.bulk_create(to_create, batch_size=BULK_BATCH)
        # bulk_update skips auto_now, so synced_at is set by hand on the rows that changed.
        model.objects.bulk_update(
            to_update, [*columns, "active", "synced_at"], batch_size=BULK_BATCH
        )
        for start in range(0, len(gone), BULK_BATCH):
            model.objects.filter(pk__in=gone[start : start + BULK_BATCH]).update(
                active=False, synced_at=now
            )
    return {"added": len(to_create), "changed": len(to_update), "deactivated": len(gone)}


# --- one run ---------------------------------------------------------------------------------


def _client_message(exc: Exception) -> str:
    return getattr(exc, "message", None) or str(exc) or exc.__class__.__name__


def _stops_the_run(exc: Exception) -> bool:
    """Errors about the account rather than one call: asking again for each kind only repeats
    the failure (and a wrong password, repeated, can lock the account)."""
    from kashflow import errors

    return isinstance(exc, (errors.AuthenticationFailed, errors.ApiNotEnabled, errors.IPNotAllowed))


def _lock(business):
    import django_rq

    connection = django_rq.get_connection("sync")
    return connection.lock(
        f"tillroll:sync-lock:business:{business.pk}", timeout=LOCK_SECONDS, blocking=False
    )


def sync_business(business, run: SyncRun | None = None, trigger: str = "manual") -> SyncRun:
    """Bring ``business``'s reference tables in line with its KashFlow account.

    ``run`` is the SyncRun row made when the sync was queued; one is made when not given.
    Returns the row, finished: succeeded, failed (with the client's message per kind), or
    skipped when another sync of the business holds the lock.
    """
    from kashflow.errors import KashFlowError

    if run is None:
        run = SyncRun.objects.create(business=business, trigger=trigger)
    lock = _lock(business)
    if not lock.acquire():
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED).update(
            status=SyncRun.Status.SKIPPED,
            finished=timezone.now(),
            error="Another sync of this business was already running.",
        )
        run.refresh_from_db()
        return run
    try:
        # The job may be delivered twice (a worker lost after finishing): only a queued run runs.
        claimed = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED).update(
            status=SyncRun.Status.RUNNING, started=timezone.now()
        )
        if not claimed:
            run.refresh_from_db()
            return run
        errors: dict[str, str] = {}
        counts: dict[str, dict[str, int]] = {}
        try:
            client = business.kashflow_client()
            fetched: dict[str, dict[int, dict]] = {}
            for kind in KINDS:
                try:
                    fetched[kind.name] = fetch_kind(client, kind)
                except KashFlowError as exc:
                    errors[kind.name] = _client_message(exc)
                    if _stops_the_run(exc):
                        break
            for kind in KINDS:
                if kind.name in fetched:
                    try:
                        counts[kind.name] = apply_kind(business, kind, fetched.pop(kind.name))
                    except DatabaseError as exc:
                        log.exception("sync of %s for business %s", kind.name, business.pk)
                        errors[kind.name] = f"could not be saved ({exc.__class__.__name__})"
        except Exception as exc:
            log.exception("sync of business %s failed", business.pk)
            errors["sync"] = _client_message(exc)
        labels = {kind.name: kind.label for kind in KINDS}
        SyncRun.objects.filter(pk=run.pk).update(
            status=SyncRun.Status.FAILED if errors else SyncRun.Status.SUCCEEDED,
            finished=timezone.now(),
            counts=counts,
            error="\n".join(f"{labels.get(k, 'Sync')}: {msg}" for k, msg in errors.items()),
        )
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - the lock expired; nothing left to release
            log.warning("sync lock of business %s had expired", business.pk)
    run.refresh_from_db()
    return run


# --- queueing ------------------------------------------------------------------------------


def enqueue_sync(business, trigger: str = "manual") -> SyncRun:
    """Record a queued SyncRun and queue its job on the ``sync`` queue once the row is committed."""
    import django_rq

    from kashflow.jobs import run_sync

    run = SyncRun.objects.create(business=business, trigger=trigger)
    transaction.on_commit(
        lambda: django_rq.get_queue("sync").enqueue(run_sync, run.pk, job_id=f"sync-run-{run.pk}")
    )
    return run


def sync_in_progress(business) -> SyncRun | None:
    """A queued or running sync of ``business`` that is not stale, if any."""
    cutoff = timezone.now() - timedelta(seconds=LOCK_SECONDS)
    return (
        SyncRun.objects.filter(
            business=business,
            status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING],
            created__gte=cutoff,
        )
        .order_by("-created")
        .first()
    )


def businesses_due(now=None) -> list:
    """Connected businesses whose sync interval has passed since their last sync was queued."""
    Business = apps.get_model("publisher", "Business")
    now = now or timezone.now()
    last = (
        SyncRun.objects.filter(business=models.OuterRef("pk"))
        .exclude(status=SyncRun.Status.SKIPPED)
        .order_by("-created")
        .values("created")[:1]
    )
    due = []
    candidates = Business.objects.connected().annotate(last_sync=models.Subquery(last))
    for business in candidates:
        interval = timedelta(minutes=max(business.sync_interval_minutes, 1))
        if business.last_sync is None or business.last_sync + interval <= now:
            if sync_in_progress(business) is None:
                due.append(business)
    return due


def fail_stale_runs(now=None) -> int:
    """Close runs whose worker died: past the lock's life nothing can still be working on them."""
    now = now or timezone.now()
    return SyncRun.objects.filter(
        status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING],
        created__lt=now - timedelta(seconds=LOCK_SECONDS),
    ).update(
        status=SyncRun.Status.FAILED,
        finished=now,
        error="The sync stopped without finishing (its worker was lost). The next one will retry.",
    )


def enqueue_due_syncs() -> int:
    """The cron job: queue a sync for every business that is due. Returns how many."""
    fail_stale_runs()
    count = 0
    for business in businesses_due():
        with transaction.atomic():
            enqueue_sync(business, trigger="schedule")
        count += 1
    return count
