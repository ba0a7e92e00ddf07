"""RQ jobs for the reference-data sync: load the row, call one domain function."""

from kashflow.models import SyncRun
from kashflow.sync import enqueue_due_syncs, sync_business


def run_sync(sync_run_id: int) -> str:
    run = SyncRun.objects.select_related("business").filter(pk=sync_run_id).first()
    if run is None:
        # The business was deleted while the job waited: nothing to sync.
        return "gone"
    return sync_business(run.business, run=run).status


def queue_due_syncs() -> int:
    return enqueue_due_syncs()
