"""The product's schedule, for `python manage.py rqcron publisher.cron` (one scheduler is enough).

- every minute, queue a reference-data sync for each business whose own interval has passed;
- every five minutes, move documents a crashed worker left behind into a visible failure state.
"""

from rq import cron

from kashflow.schedule import register_reference_sync
from publisher.jobs import fail_stuck_documents_job

register_reference_sync()
cron.register(fail_stuck_documents_job, queue_name="default", cron="*/5 * * * *", job_timeout=120)
