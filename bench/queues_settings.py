"""Django settings for bench/queues.py alone: a database, django-tasks and Celery, nothing of ours.

The bench sets QUEUE_BENCH_* for each candidate it measures; the Celery options are the ones
the product uses (newsroom/settings/tasks.py), so the figures are those of that configuration.
"""

import importlib.util
import os
import secrets

import environ

env = environ.Env()

SECRET_KEY = secrets.token_urlsafe(50)
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {"default": env.db_url("QUEUE_BENCH_DATABASE_URL", default="sqlite:////tmp/queue-bench.sqlite3")}
# As the product runs (newsroom/settings/base.py). With Django's default of 0, db_worker's
# close_old_connections() drops the connection at every turn of its loop: a new PostgreSQL
# session for every task, and ten a second from an idle worker polling every 0.1 s.
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two db_worker processes take the write lock in turn: wait for it rather than fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}

INSTALLED_APPS = ["django_tasks"]
# The database backend left django-tasks in 0.12 for its own package, django-tasks-db.
if importlib.util.find_spec("django_tasks_db"):
    INSTALLED_APPS.append("django_tasks_db")
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

CELERY_BROKER_URL = os.environ.get("QUEUE_BENCH_BROKER", "redis://127.0.0.1:6379/12")
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("QUEUE_BENCH_QUEUE", "queue-bench")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Every kombu key under one prefix, so the bench removes exactly what it made.
    "global_keyprefix": os.environ.get("QUEUE_BENCH_KEYPREFIX", "queue-bench:"),
    "visibility_timeout": env.int("QUEUE_BENCH_VISIBILITY_TIMEOUT", default=10),
    # kombu sweeps for expired unacknowledged messages every interval × throttle seconds
    # (10 × 10 by default): once a second here, so the delay measured is the timeout's.
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
