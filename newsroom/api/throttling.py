"""API throttling: how often one client may ask.

Three scopes, rates from settings.API_THROTTLE_RATES (environment: API_THROTTLE_READER,
API_THROTTLE_ANON, API_THROTTLE_USER; "off" turns one off):

- ``reader``: public reads of published issues and articles. They send bytes stored at
  publish time and cost less than a round trip to Redis would, so they are counted in each
  worker process's memory, in fixed windows: the limit is per process (a client may reach
  rate × workers on one app server). It still stops one client from taking every worker.
- ``anon`` and ``user``: everything else under /api/ (preview links, the staff export, the
  OpenAPI document, errors). REST framework's own throttles, counted in the default cache:
  Redis, shared by every process and app server, when REDIS_URL is set.

When the shared cache does not answer (Redis hung or away), ``anon`` and ``user`` count in
this process's memory instead, as ``reader`` does, and say so in the log once a minute: a
preview link or the API document is still served, limited per worker, not a 500.

Behind a CDN or a proxy, set REST framework's NUM_PROXIES (environment: API_NUM_PROXIES) so
that clients are told apart by X-Forwarded-For, not by the proxy's address.
"""

import functools
import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from newsroom.redis_cache import UNANSWERED

log = logging.getLogger(__name__)


class RatesFromSettings:
    """Rates read when the throttle is made, not when REST framework is imported: a rate
    changed in settings (an override in a test, a reload) applies at once."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class SharedCountOrOwn:
    """REST framework's count in the shared cache, or, while that does not answer, in this
    process's memory (logged once a minute): a Redis that is away must not turn every
    preview link and the API document into a 500."""

    own_counts = LocMemCache("newsroom-throttle-counts", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
    complained_at = -60.0

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except UNANSWERED:
            if time.monotonic() - SharedCountOrOwn.complained_at >= 60:
                SharedCountOrOwn.complained_at = time.monotonic()
                log.exception("throttling: the shared cache does not answer; counting in this process")
            self.cache = self.own_counts
            return super().allow_request(request, view)


class AnonThrottle(RatesFromSettings, SharedCountOrOwn, AnonRateThrottle):
    pass


class UserThrottle(RatesFromSettings, SharedCountOrOwn, UserRateThrottle):
    pass


class ReaderThrottle(RatesFromSettings, SimpleRateThrottle):
    """Public reads, counted in this process's memory (see the module's text).

    The public-read middleware counts a request before any view runs and leaves its verdict
    on the request; the view's pass (a 404, a list page still to render, a refusal to send
    with its 429) takes that verdict instead of counting the request twice.
    """

    scope = "reader"
    MAX_CLIENTS = 100_000  # then the counts start afresh: memory stays bounded
    counts: dict[str, tuple[int, int]] = {}  # client → (window number, requests in it)
    lock = threading.Lock()

    def allow_request(self, request, view=None) -> bool:
        verdict = getattr(request, "reader_throttle_wait", None)
        if verdict is not None:  # counted by the middleware already
            self.wait_seconds = verdict
            return verdict == 0
        if self.rate is None:
            return True
        self.wait_seconds = self.count(self.get_ident(request))
        request.reader_throttle_wait = self.wait_seconds
        return self.wait_seconds == 0

    def count_environ(self, environ) -> float:
        """Count one request from its WSGI environ: 0 when allowed, else the seconds to
        wait (a ready answer in the production entry is sent without a request object)."""
        if self.rate is None:
            return 0
        return self.count(self.get_ident(_Environ(environ)))

    def parse_rate(self, rate):
        return _parsed(rate)  # once per rate, not on every public read

    def count(self, client: str) -> float:
        """Count one request of `client`: 0 when allowed, else the seconds to wait."""
        now = self.timer()
        window = int(now // self.duration)
        with self.lock:
            seen, requests = self.counts.get(client, (window, 0))
            if seen != window:
                requests = 0
            if requests >= self.num_requests:
                return (window + 1) * self.duration - now
            if len(self.counts) >= self.MAX_CLIENTS:
                self.counts.clear()
            self.counts[client] = (window, requests + 1)
        return 0

    def wait(self) -> float | None:
        return self.wait_seconds or None

    def get_ident(self, request) -> str:
        """REST framework's reading of the client's address, from META directly: its own
        builds `request.headers`, every header parsed, on each public read."""
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
        address = request.META.get("REMOTE_ADDR")
        proxies = api_settings.NUM_PROXIES
        if proxies is not None:
            if proxies == 0 or forwarded is None:
                return address
            addresses = forwarded.split(",")
            return addresses[-min(proxies, len(addresses))].strip()
        return "".join(forwarded.split()) if forwarded else address

    @classmethod
    def forget(cls) -> None:
        """Start every count afresh (tests)."""
        with cls.lock:
            cls.counts.clear()


class _Environ:
    """What get_ident reads of a request: its META."""

    __slots__ = ("META",)

    def __init__(self, environ):
        self.META = environ


@functools.lru_cache(maxsize=16)
def _parsed(rate):
    return SimpleRateThrottle.parse_rate(None, rate)
