"""Background work: the task queue (Celery) and its schedule (bench/RESULTS.md, "Task queue",
for why Celery and which broker).

With CELERY_BROKER_URL set (production: amqp://… for RabbitMQ, or redis://…), jobs go to
the broker and `scripts/worker` runs them. Without it (the embedded default) they run in
the web process, in a thread, once the request's transaction commits.
"""

import datetime as dt

import environ

from newsroom.settings.base import VAR_DIR

env = environ.Env()

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# "thread": after the commit, in a thread of this process (scripts/serve); "inline": at the
# commit, in the caller (tests, management commands that wait for their work).
JOBS_IN_PROCESS = env.str("JOBS_IN_PROCESS", default="thread")
# Attempts after the first before a job is marked failed, JOBS_RETRY_BACKOFF seconds apart and
# doubling (2 s, 4 s, 8 s … at most 5 min, with jitter).
JOBS_MAX_RETRIES = env.int("JOBS_MAX_RETRIES", default=4)
JOBS_RETRY_BACKOFF = env.int("JOBS_RETRY_BACKOFF", default=2)

CELERY_TIMEZONE = "Asia/Shanghai"
# Tasks outside an app's tasks.py (which Celery finds by itself).
CELERY_IMPORTS = ["newsroom.maintenance"]
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="newsroom")
# A job's state lives in its jobs.Job row, which editors see; Celery keeps no results.
CELERY_TASK_IGNORE_RESULT = True
# Acknowledged only once the task has finished, and given back to the broker if the worker
# dies under it (SIGKILL, out of memory): a job is run again, never lost. Every task is
# idempotent for that reason. One message at a time per process, so a dying worker holds
# back nothing it had not started.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis as the broker gives an unacknowledged message back only after this many seconds
# (RabbitMQ at once, when the dead worker's connection drops): longer than any job runs.
# kombu looks for such messages every 10 s × `unacked_restore_throttle` checks (10 by
# default: a dead worker's job would wait 100 s more); 1 makes it every 10 s.
# bench/RESULTS.md, "Task queue", has the figures; RabbitMQ is the production broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
    "unacked_restore_throttle": 1,
}
# A broker that is down must not hold an editor's save: a few seconds, then the job stays
# queued in its row and the schedule's `jobs.requeue_stalled` sends it again.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = False

# Periodic clean-up, run by `scripts/worker --beat` (or `scripts/scheduler`) in production.
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-jobs": {"task": "jobs.requeue_stalled", "schedule": dt.timedelta(minutes=5)},
    "prune-retired-files": {"task": "media.prune_retired_files", "schedule": dt.timedelta(hours=1)},
    "delete-expired-preview-links": {
        "task": "articles.delete_expired_preview_links",
        "schedule": dt.timedelta(hours=6),
    },
    "delete-old-job-files": {"task": "jobs.delete_old_files", "schedule": dt.timedelta(hours=6)},
    "delete-old-axes-records": {"task": "newsroom.delete_old_axes_records", "schedule": dt.timedelta(days=1)},
}
# How long an export package stays downloadable, log-in records and dead preview links are kept.
JOB_FILES_KEEP_DAYS = env.int("JOB_FILES_KEEP_DAYS", default=7)
AXES_RECORDS_KEEP_DAYS = env.int("AXES_RECORDS_KEEP_DAYS", default=90)
PREVIEW_LINKS_KEEP_DAYS = env.int("PREVIEW_LINKS_KEEP_DAYS", default=30)
# A job still queued (or running) this long after its last word is sent to the broker again.
JOBS_STALLED_AFTER = dt.timedelta(minutes=env.int("JOBS_STALLED_AFTER_MINUTES", default=15))
# Where celery beat keeps when each entry last ran (never inside a package folder).
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)
