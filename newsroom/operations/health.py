"""/healthz and /readyz: what a load balancer or an orchestrator asks before sending traffic.

/healthz says the process answers, and asks nothing of anyone: a database that is away must
not get every app server restarted. /readyz asks what a request needs — the database, Redis
(when the cache is Redis), the file storage, the task broker (when there is one) — each within
READINESS_TIMEOUT seconds, all at once, and answers 503 naming what did not answer.
"""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from .bounded import ask_all
from .broker import broker_url, queue_depths, queue_names

PROBE_NAME = "readiness-probe"  # asked for, never written


def database() -> None:
    try:
        for alias in connections:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
    finally:
        connections.close_all()  # this thread's own connections: it ends here


def storage() -> None:
    default_storage.exists(PROBE_NAME)


def broker() -> None:
    queue_depths(broker_url(), queue_names(), timeout=settings.READINESS_TIMEOUT)


def readiness_checks() -> dict:
    """What this deployment needs to answer requests: Redis only when it is the cache, the
    broker only when tasks go through one."""
    checks = {"database": database}
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # This thread's cache, asked from the question's thread: its connection pool is
        # kept (a cache fetched there would be a new one each time).
        checks["redis"] = lambda: cache.get(PROBE_NAME)
    checks["storage"] = storage
    if broker_url():
        checks["broker"] = broker
    return checks


@require_safe
def healthz(request):
    return _json({"status": "ok"}, 200)


@require_safe
def readyz(request):
    answers = ask_all(readiness_checks(), timeout=settings.READINESS_TIMEOUT)
    down = [name for name, answer in answers.items() if not answer.ok]
    checks = {
        name: {
            "ok": answer.ok,
            "ms": round(answer.seconds * 1000, 1),
            **({"error": answer.error} if answer.error else {}),
        }
        for name, answer in answers.items()
    }
    if down:
        response = _json({"status": "unavailable", "down": down, "checks": checks}, 503)
        # Not Django's "Service Unavailable" error line for every probe while Redis is away
        # (each one would reach Sentry): each check that failed was logged as a warning, with
        # its reason (bounded.py). Django's own flag for a response already logged.
        response._has_been_logged = True
        return response
    return _json({"status": "ok", "checks": checks}, 200)


def _json(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, headers={"Cache-Control": "no-store"})
