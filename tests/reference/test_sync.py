from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
from kashflow.sync import businesses_due, enqueue_due_syncs, enqueue_sync, sync_business
from publisher.models import Business
from tests.reference.conftest import add_party

KIND_COUNTS = {
    NominalCode: "nominal_codes",
    VatRate: "vat_rates",
    Project: "projects",
    BankAccount: "bank_accounts",
    Currency: "currencies",
}


def test_it_copies_every_kind_keyed_by_kashflow_ids(business, kashflow_sandbox, sync):
    state = kashflow_sandbox.state
    run = sync()

    for model, attr in KIND_COUNTS.items():
        assert model.objects.filter(business=business).count() == len(getattr(state, attr))
    assert Supplier.objects.filter(business=business).count() == len(state.suppliers)
    assert Customer.objects.filter(business=business).count() == len(state.customers)
    assert PaymentMethod.objects.filter(business=business, direction="purchase").count() == len(
        state.rec_pay_methods
    )
    assert PaymentMethod.objects.filter(business=business, direction="sale").count() == len(
        state.inv_pay_methods
    )
    sample_id, sample = next(iter(state.suppliers.items()))
    supplier = Supplier.objects.get(business=business, kashflow_id=sample_id)
    assert supplier.name == sample["Name"]
    assert supplier.vat_number == sample["VATNumber"]
    assert supplier.vat_key == sample["VATNumber"].removeprefix("GB")
    assert supplier.normalised_name and supplier.normalised_name == supplier.normalised_name.upper()
    fuel = NominalCode.objects.get(business=business, code=7300)
    assert fuel.kashflow_id == next(n["id"] for n in state.nominal_codes if n["Code"] == 7300)
    assert Currency.objects.get(business=business, is_default=True).code == "GBP"
    assert run.counts["suppliers"] == {
        "added": len(state.suppliers),
        "changed": 0,
        "deactivated": 0,
    }
    assert run.started and run.finished and run.error == ""


def test_it_writes_nothing_when_nothing_changed(business, sync):
    sync()
    before = dict(Supplier.objects.filter(business=business).values_list("pk", "synced_at"))

    with CaptureQueriesContext(connection) as queries:
        run = sync()

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and "kashflow_syncrun" not in q["sql"]
    ]
    assert writes == []
    assert all(c == {"added": 0, "changed": 0, "deactivated": 0} for c in run.counts.values())
    assert dict(Supplier.objects.filter(business=business).values_list("pk", "synced_at")) == before


def test_it_updates_changes_and_deactivates_what_left_kashflow(business, kashflow_sandbox, sync):
    sync()
    state = kashflow_sandbox.state
    renamed_id, gone_id = list(state.suppliers)[:2]
    with state.lock:
        state.suppliers[renamed_id]["Name"] = "Renamed Supplies Ltd"
        del state.suppliers[gone_id]
        state.nominal_codes = [n for n in state.nominal_codes if n["Code"] != 7300]

    run = sync()

    assert run.counts["suppliers"] == {"added": 0, "changed": 1, "deactivated": 1}
    assert run.counts["nominal_codes"]["deactivated"] == 1
    renamed = Supplier.objects.get(business=business, kashflow_id=renamed_id)
    assert (renamed.name, renamed.normalised_name) == ("Renamed Supplies Ltd", "RENAMED SUPPLIES")
    gone = Supplier.objects.get(business=business, kashflow_id=gone_id)
    assert gone.active is False
    assert not Supplier.objects.active().filter(pk=gone.pk).exists()
    assert not NominalCode.objects.active().filter(business=business, code=7300).exists()
    assert NominalCode.objects.filter(business=business, code=7300).exists()  # never deleted

    added = add_party(kashflow_sandbox, "supplier", "Brand New Ltd")
    with state.lock:
        state.nominal_codes.append(
            {"id": 99, "Code": 7300, "Name": "Fuel", "debit": 0, "credit": 0, "balance": 0}
        )
    run = sync()
    assert Supplier.objects.get(business=business, kashflow_id=added).name == "Brand New Ltd"
    assert run.counts["suppliers"]["added"] == 1
    assert NominalCode.objects.active().get(business=business, code=7300).kashflow_id == 99


def test_it_leaves_a_failed_kind_as_it_was_and_shows_the_clients_message(
    business, kashflow_sandbox, sync
):
    sync()
    state = kashflow_sandbox.state
    first_id = next(iter(state.suppliers))
    with state.lock:
        state.suppliers[first_id]["Name"] = "Should Not Arrive Ltd"
        state.customers.clear()
    kashflow_sandbox.faults.add("http_500", "GetSuppliers")

    run = sync_business(business)

    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("Suppliers: ")
    assert "KashFlow could not be reached" in run.error
    assert "suppliers" not in run.counts
    assert Supplier.objects.get(business=business, kashflow_id=first_id).name != (
        "Should Not Arrive Ltd"
    )
    assert Supplier.objects.active().filter(business=business).count() == len(state.suppliers)
    # The kinds that were fetched still arrived.
    assert run.counts["customers"]["deactivated"] > 0


def test_it_stops_at_a_wrong_password_and_keeps_the_old_data(business, kashflow_sandbox, sync):
    sync()
    suppliers = Supplier.objects.active().filter(business=business).count()
    business.kashflow_password = "wrong"
    business.save()

    run = sync_business(business)

    assert run.status == SyncRun.Status.FAILED
    assert "did not accept the username or password" in run.error
    assert run.counts == {}
    assert Supplier.objects.active().filter(business=business).count() == suppliers


def test_it_never_runs_two_syncs_of_one_business_at_once(business, redis_conn):
    from kashflow.sync import _lock

    held = _lock(business)
    assert held.acquire()
    try:
        run = sync_business(business)
    finally:
        held.release()

    assert run.status == SyncRun.Status.SKIPPED
    assert "already running" in run.error
    assert not Supplier.objects.filter(business=business).exists()


def test_it_runs_a_queued_sync_on_a_real_worker(
    business, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue_sync(business, trigger="manual")
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.QUEUED

    run_jobs("sync")

    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.trigger == "manual"
    assert Supplier.objects.filter(business=business).exists()


def test_it_queues_only_businesses_whose_interval_has_passed(
    business, run_jobs, django_capture_on_commit_callbacks
):
    Business.objects.create(name="Not connected", slug="loose")
    assert businesses_due() == [business]  # never synced

    recent = SyncRun.objects.create(business=business, status=SyncRun.Status.SUCCEEDED)
    assert businesses_due() == []
    SyncRun.objects.filter(pk=recent.pk).update(created=timezone.now() - timedelta(minutes=61))
    assert businesses_due() == [business]
    business.sync_interval_minutes = 120
    business.save()
    assert businesses_due() == []
    assert businesses_due(now=timezone.now() + timedelta(minutes=60)) == [business]

    business.sync_interval_minutes = 60
    business.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue_due_syncs() == 1
    assert businesses_due() == []  # the queued run counts as in progress
    run_jobs("sync")
    latest = SyncRun.objects.filter(business=business).first()
    assert (latest.trigger, latest.status) == ("schedule", SyncRun.Status.SUCCEEDED)


def test_it_registers_the_every_minute_schedule_with_rq_cron(redis_conn):
    from django_rq.cron import DjangoCronScheduler

    # Loaded twice, as a restarted scheduler in the same process would: the job is there once.
    for _ in range(2):
        scheduler = DjangoCronScheduler()
        scheduler.load_config_from_file("kashflow.cron")
        [job] = scheduler.get_jobs()
        assert (job.func_name, job.queue_name, job.cron) == (
            "kashflow.jobs.queue_due_syncs",
            "sync",
            "* * * * *",
        )


def test_it_syncs_from_the_command_line(business, redis_conn, capsys):
    call_command("sync_reference_data", business="acme")

    run = SyncRun.objects.get(business=business)
    assert (run.trigger, run.status) == ("command", SyncRun.Status.SUCCEEDED)
    assert "acme: succeeded" in capsys.readouterr().out
    # Without a password a business is not connected: syncing them all leaves it out.
    from publisher.models import Business

    Business.objects.create(name="Half Set Up", slug="half", kashflow_username="someone")
    call_command("sync_reference_data")
    assert "half:" not in capsys.readouterr().out
    assert not SyncRun.objects.filter(business__slug="half").exists()
    with pytest.raises(CommandError, match="No business"):
        call_command("sync_reference_data", business="nope")


def test_it_closes_runs_whose_worker_was_lost(business, redis_conn):
    from kashflow.sync import LOCK_SECONDS

    lost = SyncRun.objects.create(business=business, status=SyncRun.Status.RUNNING)
    fresh = SyncRun.objects.create(business=business, status=SyncRun.Status.RUNNING)
    SyncRun.objects.filter(pk=lost.pk).update(
        created=timezone.now() - timedelta(seconds=LOCK_SECONDS + 1)
    )

    enqueue_due_syncs()

    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, fresh.status) == (SyncRun.Status.FAILED, SyncRun.Status.RUNNING)
    assert "worker was lost" in lost.error


def test_it_syncs_every_connected_business_from_the_command_line(business, redis_conn):
    Business.objects.create(name="Not connected", slug="loose")

    call_command("sync_reference_data")

    assert list(SyncRun.objects.values_list("business__slug", "trigger")) == [("acme", "command")]
