"""Chores of the project's own plumbing, run on the schedule (newsroom/settings/tasks.py)."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(name="newsroom.delete_old_axes_records")
def delete_old_axes_records() -> int:
    """django-axes' log-in records older than AXES_RECORDS_KEEP_DAYS; a lock-out in force
    counts only recent failures (AXES_COOLOFF_TIME), so it is never lifted by this."""
    from axes.handlers.database import AxesDatabaseHandler
    from axes.models import AccessAttempt

    age = settings.AXES_RECORDS_KEEP_DAYS
    handler = AxesDatabaseHandler()
    removed = handler.reset_logs(age_days=age) + handler.reset_failure_logs(age_days=age)
    old = AccessAttempt.objects.filter(attempt_time__lt=timezone.now() - dt.timedelta(days=age))
    return removed + old.delete()[0]
