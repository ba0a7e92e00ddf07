"""What the reference-data sync adds to an rq cron schedule.

A function rather than an import side effect: rq clears its registry before loading a config, and
a module imported once does not register again, so a config that includes this schedule calls
``register_reference_sync()`` itself.
"""

from rq import cron

from kashflow.jobs import queue_due_syncs


def register_reference_sync() -> None:
    # Every minute one small job queues a sync for each business whose own interval has passed,
    # so a change of interval needs no scheduler restart.
    cron.register(queue_due_syncs, queue_name="sync", cron="* * * * *", job_timeout=120)
