"""The bench's tasks, once for Celery and once for django-tasks, with the same bodies.

A body tells the bench what it did through a side channel in Redis (QUEUE_BENCH_SIDE_URL,
keys under the key the bench passes): one round trip a task, the same for every candidate.
Times are time.monotonic(): on Linux one clock for every process of the machine.
"""

import json
import os
import time

import django
import redis
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.queues_settings")
django.setup()

from django_tasks import task  # noqa: E402  (needs the settings above)

side = redis.Redis.from_url(os.environ.get("QUEUE_BENCH_SIDE_URL", "redis://127.0.0.1:6379/12"))

app = Celery("queue-bench")
app.config_from_object("django.conf:settings", namespace="CELERY")


def count(key: str, total: int, nap: float = 0.0) -> None:
    """Sleep `nap` seconds, then count this task; the first and the last keep their time."""
    if nap:
        time.sleep(nap)
    done = side.incr(f"{key}:count")
    if done == 1:
        side.set(f"{key}:first", time.monotonic())
    if done == total:
        side.set(f"{key}:last", time.monotonic())


def mark(key: str, nap: float = 0.0) -> None:
    """Say when the body started and in which process; after `nap` seconds, say it finished."""
    side.rpush(f"{key}:started", json.dumps([time.monotonic(), os.getpid()]))
    if nap:
        time.sleep(nap)
        side.rpush(f"{key}:finished", json.dumps([time.monotonic(), os.getpid()]))


celery_count = app.task(name="bench.count")(count)
celery_mark = app.task(name="bench.mark")(mark)


@task()
def tasks_count(key: str, total: int, nap: float = 0.0) -> None:
    count(key, total, nap)


@task()
def tasks_mark(key: str, nap: float = 0.0) -> None:
    mark(key, nap)
