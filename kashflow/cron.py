"""The reference-data schedule on its own: `python manage.py rqcron kashflow.cron`.

The product's full schedule (publisher.cron) includes it through
``kashflow.schedule.register_reference_sync()``.
"""

from kashflow.schedule import register_reference_sync

register_reference_sync()
