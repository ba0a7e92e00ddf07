"""The schedule: `python manage.py rqcron kashflow.cron` (one scheduler is enough; RQ's cron
scheduler records each enqueue in Redis, and a second one only re-checks which syncs are due).

Every minute one small job looks for businesses whose own sync interval has passed and queues a
sync for each, so per-business intervals need no scheduler restart when they change.
"""

from rq import cron

from kashflow.jobs import queue_due_syncs

cron.register(queue_due_syncs, queue_name="sync", cron="* * * * *", job_timeout=120)
