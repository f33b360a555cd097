"""/metrics for Prometheus: django-prometheus's request counts and latencies by view, the
project's own instruments (instruments.py), and, asked at each scrape, the task queues'
depths and the jobs by kind and state. Only for the configured addresses or the bearer token.
"""

import functools
import hmac
import ipaddress
import logging
import os

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from .bounded import ask_all
from .broker import broker_url, queue_depths, queue_names

log = logging.getLogger(__name__)

# Set on a request a proxy passed on: its REMOTE_ADDR is the proxy's (often 127.0.0.1), not
# the client's, so it is never let in by its address.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


@require_safe
def metrics(request):
    if not may_read_metrics(request):
        return HttpResponse("403 Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def may_read_metrics(request) -> bool:
    """With the bearer token METRICS_TOKEN, or straight from a METRICS_ALLOWED_ADDRESSES address."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    if any(name in request.META for name in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in allowed_networks(tuple(settings.METRICS_ALLOWED_ADDRESSES)))


@functools.lru_cache(maxsize=8)
def allowed_networks(entries: tuple[str, ...]) -> tuple:
    """The entries as networks; one that is neither an address nor a network is left out
    (and reported by `manage.py check`: operations.E001)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def exposition() -> bytes:
    """The text Prometheus reads: every worker's counts under gunicorn (multiprocess mode),
    this process's otherwise, and what is asked at scrape time."""
    asked = CollectorRegistry()
    asked.register(AskedAtScrape())
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.MultiProcessCollector(asked)
        return generate_latest(asked)
    return generate_latest(REGISTRY) + generate_latest(asked)


class AskedAtScrape:
    """Gauges read when Prometheus asks: the broker's queues (within READINESS_TIMEOUT) and
    the jobs by kind and state."""

    def describe(self):
        return []

    def collect(self):
        url = broker_url()
        if url:
            yield from self.queues(url)
        yield from self.jobs()

    def jobs(self):
        try:
            counts = job_counts()
        except DatabaseError:
            # A database that is away must not cost the scrape everything else it shows.
            log.warning("metrics: jobs not counted, the database did not answer", exc_info=True)
            return
        jobs = GaugeMetricFamily(
            "newsroom_jobs", "Background jobs by kind and state.", labels=["kind", "state"]
        )
        for (kind, state), count in sorted(counts.items()):
            jobs.add_metric([kind, state], count)
        yield jobs

    def queues(self, url: str):
        timeout = settings.READINESS_TIMEOUT
        answer = ask_all(
            {"queue depths": lambda: queue_depths(url, queue_names(), timeout=timeout)}, timeout=timeout
        )
        answer = answer["queue depths"]
        up = GaugeMetricFamily("newsroom_task_broker_up", "Whether the task broker answered this scrape.")
        up.add_metric([], 1 if answer.ok else 0)
        yield up
        if answer.ok:
            depth = GaugeMetricFamily(
                "newsroom_task_queue_depth", "Tasks waiting in a queue.", labels=["queue"]
            )
            for queue, count in answer.value.items():
                depth.add_metric([queue], count)
            yield depth


def job_counts() -> dict[tuple[str, str], int]:
    """Jobs by kind and state (failures among them): the jobs app's rows, counted; {} when
    that app is not installed. Looked up by name: shared plumbing imports no app."""
    if not apps.is_installed("jobs"):
        return {}
    job = apps.get_model("jobs", "Job")
    rows = job.objects.order_by().values_list("kind", "state").annotate(n=Count("pk"))
    return {(kind, state): n for kind, state, n in rows}
