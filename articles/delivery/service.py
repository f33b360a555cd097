"""Delivery: the live publications' stored bytes, at close to static-file speed.

Publishing stored each publication's exact JSON, its SHA-256, and its gzip and brotli
encodings. A public request only has to find out *which* stored bytes are live, then send
them; nothing is serialized or compressed per request.

How a request is answered
1. The pointer: which row is live for the URL (its SHA-256, when readers could first see it,
   and when the next scheduled publication anywhere is due). With Redis: from this process's
   memory while it listens for publishes (below), else from Redis; without Redis: one small
   indexed query.
2. The bytes, in the encoding the client accepts: from this process's memory, keyed by
   SHA-256 and encoding, so an entry names one byte sequence forever and can never be stale;
   else from the shared cache (same keys); else from the database — in the pointer's own query
   when this process does not hold them, so a request runs one query at most.
3. Strong ETag (the SHA-256, with the encoding's suffix), Last-Modified, Cache-Control for a
   CDN, 304 when the client's copy is current.

Why the pointer cannot go stale
- A publish, a scheduled publish or a withdrawal inserts a Publication. After its commit the
  shared cache's *generation* is replaced (`publications_changed`); every cached pointer
  records the generation it was read under and is ignored once that has changed. A reader
  reads the generation before the database, so a pointer read just before a commit lands
  under the old generation: it is never used.
- With Redis each worker also subscribes to a channel on which every publish is announced
  (after the new generation is set) and reads what has arrived before every use of a pointer
  kept in its memory: a non-blocking read, no round trip. Any announcement drops them all. A
  subscription that breaks is noticed (an error, or Redis's generation moving on without an
  announcement, checked every DELIVERY_LOCAL_POINTER_TTL seconds) and the worker asks Redis
  until it has subscribed again.
- An embargo needs no event: every pointer expires at the next scheduled `visible_from`
  (and after DELIVERY_POINTER_TTL seconds at the latest), so a scheduled publication is served
  from its second on.
- With a process-local cache (no REDIS_URL) no process could learn of another's withdrawal,
  so pointers are not cached at all: each request asks the database (one small query), and a
  withdrawal is gone at once in every process. Only content-addressed bytes are kept locally.
- Nothing read inside a transaction (ATOMIC_REQUESTS, tests) is cached or taken from the
  cache: it may be state that is rolled back.
- Redis that does not answer (hung, or away) is asked within bounds (REDIS_CONNECT_TIMEOUT,
  REDIS_SOCKET_TIMEOUT, then left alone for REDIS_RETRY_AFTER: newsroom/redis_cache.py), and
  reads fall back to the database: one small query each, as without Redis, so a publish or
  withdrawal is seen at once. A process that saw Redis fail uses nothing it kept in memory
  and, once Redis answers again, replaces the generation before using anything Redis holds
  (`Distrust`): a publish committed meanwhile may have gone unannounced. One that saw
  nothing fail may go on with what it keeps in memory for DELIVERY_LOCAL_POINTER_TTL (2 s),
  then asks Redis (and so sees it fail). A publish whose announcement failed is announced
  again every second by its process until Redis takes it; whatever happens, no pointer
  outlives DELIVERY_POINTER_TTL, and no cache downstream serves the replaced state longer
  than `stale_for()` seconds, which is what the admin tells the duty chief
  (`announcements()`).

Downstream caches (browsers, the CDN) keep a response for `max-age`, and may serve it for
`stale-while-revalidate` more seconds while they ask again; both are cut so that neither
reaches past the next scheduled publication. A withdrawn issue answers 404 with
`Cache-Control: no-cache` (see views).
"""

import contextlib
import functools
import gzip
import hashlib
import json
import logging
import math
import os
import select
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import brotli
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import parse_etags
from django.utils.http import http_date, parse_http_date_safe

from articles.delivery import reads as selectors
from articles.models import Publication
from newsroom.redis_cache import UNANSWERED, Breaker, client_for, server_of

log = logging.getLogger(__name__)
_complaints: dict[str, float] = {}


def _complain(message: str, *args) -> None:
    """Log an error with its traceback, once a minute at most: a Redis that is away would
    otherwise write one per request."""
    if time.monotonic() - _complaints.get(message, -math.inf) >= 60:
        _complaints[message] = time.monotonic()
        log.exception(message, *args)


class Distrust:
    """Whether this process saw the shared cache fail since it last replaced the generation.
    While Redis did not answer, a publish may have committed without its announcement:
    pointers Redis still holds could predate it. So the first time Redis answers again,
    this process replaces the generation (and announces it) before using any of them."""

    since: float | None = None

    @classmethod
    def failed(cls, message: str, *, unannounced: bool = False) -> None:
        """Called while handling the error: distrust follows a Redis that did not answer,
        or an announcement not made; an error of Redis's own (out of memory for a value)
        loses nothing that readers would be served."""
        if cls.since is None and (unannounced or isinstance(sys.exc_info()[1], UNANSWERED)):
            cls.since = time.monotonic()
        _complain(message)


IDENTITY = "identity"
CODINGS = ("br", "gzip")  # stored at publish time; preferred in this order at equal weight
# RFC 9110 §8.8.3: a strong validator names one byte sequence, so each content coding of a
# publication has its own entity tag.
ETAG_SUFFIX = {IDENTITY: "", "gzip": "-gzip", "br": "-br"}
GENERATION_KEY = "delivery:generation"
# Cache backends every app server shares; anything else (local memory) is per process.
SHARED_BACKENDS = (RedisCache, BaseMemcachedCache, DatabaseCache)


def compress(data: bytes) -> dict[str, bytes]:
    """The stored encodings of `data`; deterministic (no gzip time stamp), so equal bytes
    always give equal encodings."""
    return {"br": _brotli(data), "gzip": _gzip(data)}


def compress_all(texts: list[bytes]) -> list[dict[str, bytes]]:
    """`compress` for many texts, on two threads: both libraries let go of the GIL while
    they compress, so on two cores a publish spends half the time on it."""
    coders = {"br": _brotli, "gzip": _gzip}
    # Largest first, so that neither thread is left with the big issue text at the end.
    work = sorted(((len(text), n, coding) for n, text in enumerate(texts) for coding in coders), reverse=True)
    with ThreadPoolExecutor(max_workers=2) as threads:
        done = threads.map(lambda item: coders[item[2]](texts[item[1]]), work)
        forms = [{} for _ in texts]
        for (_, n, coding), encoded in zip(work, done, strict=True):
            forms[n][coding] = encoded
    return [{"br": form["br"], "gzip": form["gzip"]} for form in forms]


def _brotli(data: bytes) -> bytes:
    return brotli.compress(data, quality=settings.DELIVERY_BROTLI_QUALITY)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=settings.DELIVERY_GZIP_LEVEL, mtime=0)


@functools.lru_cache(maxsize=512)
def negotiate(accept_encoding: str) -> str:
    """The content coding to send for an Accept-Encoding value (RFC 9110 §12.5.3): the one
    with the highest weight, br before gzip before identity at equal weight; identity when
    nothing stored is acceptable (or nothing at all: it is sent rather than a 406)."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights["gzip" if coding == "x-gzip" else coding] = weight
    anything = weights.get("*")

    def weight(coding: str) -> float:
        if coding in weights:
            return weights[coding]
        if anything is not None:
            return anything
        # Unlisted identity stays acceptable (§12.5.3) but comes after any listed coding.
        return 0.001 if coding == IDENTITY else 0.0

    best = max((*CODINGS, IDENTITY), key=lambda coding: weight(coding))
    return best if weight(best) > 0 else IDENTITY


@dataclass(frozen=True, slots=True)
class Pointer:
    """Which stored bytes answer a URL now: enough for the headers and to find the bytes."""

    kind: str  # "issue" or "article": the table holding the bytes
    pk: int
    sha256: str
    last_modified: int  # Unix seconds: when readers could first see these bytes
    next_change: float | None  # Unix time of the next scheduled publication, if any


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of the issue list, rendered once per set of live publications."""

    sha256: str
    bodies: dict[str, bytes]  # by content coding


class LocalMemory:
    """This process's least-recently-used store, bounded in bytes."""

    def __init__(self, setting: str):
        self.setting = setting
        self.items: OrderedDict = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.items.get(key)
            if entry is None:
                return None
            self.items.move_to_end(key)
            return entry[0]

    def put(self, key, value, size: int) -> None:
        limit = getattr(settings, self.setting)
        if size > limit:
            return
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self.items[key] = (value, size)
            self.size += size
            while self.size > limit:
                _, (_, dropped) = self.items.popitem(last=False)
                self.size -= dropped


local_bytes = LocalMemory("DELIVERY_LOCAL_BYTES")  # by "sha256:coding"
local_pages = LocalMemory("DELIVERY_LOCAL_LIST_BYTES")  # by the page's URL and the live set
# The SHA-256 last served for each URL: lets the pointer query leave out a body this process
# already holds. Only a hint: the query compares it with the live row.
hints: dict[tuple[str, object], str] = {}
MAX_ENTRIES = 50_000


def shared_cache():
    """The cache every app server shares (Redis when REDIS_URL is set), or None."""
    cache = caches[settings.DELIVERY_CACHE]
    return cache if isinstance(cache, SHARED_BACKENDS) else None


def _redis_target(shared) -> tuple[str, str]:
    """The shared cache's primary server (where writes, and so announcements, go) and the
    channel of this deployment (named with the cache's KEY_PREFIX)."""
    location = settings.CACHES[settings.DELIVERY_CACHE]["LOCATION"]
    servers = location if isinstance(location, list | tuple) else location.replace(";", ",").split(",")
    return servers[0], shared.make_key("delivery:publications")


_redis_clients: dict[tuple[int, str], object] = {}


def redis_client(url: str):
    """A redis-py client for `url`, one per process, bounded in time like the cache's
    (REDIS_CONNECT_TIMEOUT, REDIS_SOCKET_TIMEOUT, the breaker: newsroom/redis_cache.py)."""
    key = (os.getpid(), url)
    if key not in _redis_clients:
        _redis_clients[key] = client_for(url)
    return _redis_clients[key]


class Listener:
    """This process's subscription to the channel every publish is announced on (Redis).

    While it listens, the process may keep pointers in its own memory: before each use it
    reads whatever announcements have arrived (a non-blocking read, no round trip), and any
    announcement retires them all. An announcement is sent after the publish commits, once
    the shared generation has changed, so a pointer read again from Redis is current.
    """

    def __init__(self):
        self.target = None  # (process id, server, channel) of the subscription
        self.pubsub = None
        self.generation = 0  # local: changes with every announcement and every (re)subscribe
        self.retry_at = 0.0  # after a failure, subscribe again from this time on
        self.lock = threading.Lock()
        self.known_target = None  # (the shared cache, process id, its target): worked out once
        self.poller = None  # select.poll on the subscription's socket
        self.polled = None  # the file descriptor it watches
        self.server = None  # the breaker's name for the subscription's server

    def current(self, shared) -> int | None:
        """The local generation after reading every announcement, or None when this process
        is not listening (the subscription failed: ask Redis instead)."""
        pid = os.getpid()
        if self.known_target is None or self.known_target[:2] != (shared, pid):
            self.known_target = (shared, pid, (pid, *_redis_target(shared)))
        target = self.known_target[2]
        with self.lock:
            try:
                if self.target != target:  # a forked worker, or another cache configured
                    self._close()
                    self.server = server_of(redis_client(target[1]).connection_pool)
                if Distrust.since is not None or Breaker.is_open(self.server):
                    # A call to this Redis failed: a subscription on it may hear nothing
                    # because nothing gets through, not because nothing was published.
                    # Until Redis has answered again (and the generation is replaced),
                    # nothing kept in memory is used.
                    self._close()
                    return None
                if self.pubsub is None:
                    if time.monotonic() < self.retry_at:
                        return None
                    self._subscribe(target)
                if self._something_arrived():
                    while self.pubsub.get_message(timeout=0) is not None:
                        self.generation += 1
                return self.generation
            except Exception:
                if self.server is not None:
                    Breaker.failed(self.server)
                Distrust.failed("delivery: not listening for publishes, asking Redis each time")
                self._close()
                self.retry_at = time.monotonic() + settings.REDIS_RETRY_AFTER
                return None

    def _something_arrived(self) -> bool:
        """Whether the subscription's socket has anything to read: one poll() call, where
        asking redis-py costs a dozen calls through its layers on every request. What
        arrived before was read to the end, so a socket with nothing to read means no
        announcement; a closed one reads as something (get_message then raises)."""
        sock = getattr(self.pubsub.connection, "_sock", None)
        if sock is None:
            return True  # no socket to watch: let redis-py read (or reconnect, or raise)
        if self.polled != sock.fileno():
            self.poller = select.poll()
            self.poller.register(sock.fileno(), select.POLLIN | select.POLLPRI)
            self.polled = sock.fileno()
        return bool(self.poller.poll(0))

    def reset(self) -> None:
        """Forget the subscription (an announcement was missed): subscribe afresh."""
        with self.lock:
            self._close()

    @staticmethod
    def announce(shared) -> None:
        url, channel = _redis_target(shared)
        redis_client(url).publish(channel, b"1")

    def _subscribe(self, target) -> None:
        _, url, channel = target
        self.target, self.pubsub = target, redis_client(url).pubsub()
        self.pubsub.subscribe(channel)
        # The subscription's confirmation, waited for no longer than any other answer.
        if self.pubsub.get_message(timeout=settings.REDIS_SOCKET_TIMEOUT) is None:
            raise ConnectionError("no confirmation of the subscription")
        self.generation += 1  # nothing kept before this moment is trusted

    def _close(self) -> None:
        if self.pubsub is not None:
            try:
                self.pubsub.close()
            except Exception:
                log.debug("delivery: closing the subscription failed", exc_info=True)
        self.target = self.pubsub = None
        self.generation += 1


listener = Listener()


def _listens(shared) -> bool:
    return isinstance(shared, RedisCache) and settings.DELIVERY_LISTEN


@dataclass(slots=True)
class Kept:
    """A pointer (or list page) this process keeps, and the generations it was read under."""

    local: int
    shared: str
    valid_until: float
    value: object


kept: dict[str, Kept] = {}


@dataclass(frozen=True, slots=True)
class Held:
    """What a public answer was made from, while this process keeps it: the kept record
    (a pointer or list page) and until when its Cache-Control stays the same. Lets the
    production entry send that answer again unchanged (articles/api/public_reads.py)."""

    key: str
    record: Kept
    steady_until: float

    @classmethod
    def of(cls, key: str, value, next_change: float | None) -> "Held | None":
        """None unless this process keeps `value` at `key` (pointers are kept only while
        it listens for publishes, with Redis, and never inside a transaction)."""
        record = kept.get(key)
        if record is None or record.value is not value:
            return None
        # cache_control() gives the same value while the next scheduled publication is
        # further away than max-age plus stale-while-revalidate.
        steady = settings.DELIVERY_MAX_AGE + settings.DELIVERY_STALE_WHILE_REVALIDATE
        return cls(key, record, math.inf if next_change is None else next_change - steady)

    def current(self, now: float) -> bool:
        """Whether an answer made from this record may still be sent as it was: the record
        is still the one kept, within its time, and no publish was announced since."""
        record = self.record
        if kept.get(self.key) is not record or now >= record.valid_until or now >= self.steady_until:
            return False
        shared = shared_cache()
        return _listens(shared) and listener.current(shared) == record.local


def _cached(key: str, shared, now: float):
    """(value, token): a current value for `key` from this process's memory or the shared
    cache, or None; the token records the generations to store a fresh value under."""
    local = listener.current(shared) if _listens(shared) else None
    held = kept.get(key)
    if local is not None and held is not None and held.local == local and now < held.valid_until:
        return held.value, (local, held.shared)
    try:
        found = shared.get_many([GENERATION_KEY, key])
        generation = _generation(shared, found)
    except Exception:
        Distrust.failed("delivery: shared cache unavailable, asking the database")
        return None, None
    if Distrust.since is not None:
        # Redis answers again after failing: nothing it holds is trusted (see Distrust).
        generation = _replace_generation(shared)
        return None, (None if generation is None else (None, generation))
    if local is not None and held is not None and held.local == local and held.shared != generation:
        # The shared generation moved on and no announcement came: the subscription is
        # broken (silently). Nothing kept is trusted until it is made again.
        listener.reset()
        local = None
    entry = found.get(key)
    if entry is not None and entry[0] == generation and now < entry[1]:
        _keep_here(key, local, generation, entry[1], entry[2], now)
        return entry[2], (local, generation)
    return None, (local, generation)


def _in_transaction() -> bool:
    """Whether reads see a transaction's own, uncommitted state (a request in ATOMIC_REQUESTS,
    a test): what is live then may still be rolled back, so it is neither cached nor taken
    from the cache. Requests normally run in autocommit."""
    return connections[router.db_for_read(Publication)].in_atomic_block


def _remember(key: str, value, valid_until: float, token, shared, now: float) -> None:
    local, generation = token
    try:
        shared.set(key, (generation, valid_until, value), timeout=math.ceil(valid_until - now) + 1)
    except Exception:
        Distrust.failed("delivery: could not share a pointer")
    _keep_here(key, local, generation, valid_until, value, now)


def _keep_here(key, local, generation, valid_until, value, now) -> None:
    if local is None:
        return
    if len(kept) > MAX_ENTRIES:
        kept.clear()
    # Kept here at most DELIVERY_LOCAL_POINTER_TTL seconds: then checked against Redis, which
    # also tells whether an announcement was missed.
    kept[key] = Kept(local, generation, min(valid_until, now + settings.DELIVERY_LOCAL_POINTER_TTL), value)


def publications_changed(using: str = "default") -> None:
    """What readers see may have changed: after commit, retire every cached pointer."""
    transaction.on_commit(new_generation, using=using)


def new_generation() -> None:
    """Retire every cached pointer: a new shared generation, announced to every worker.

    When Redis does not answer, the publish stays committed and readers may be served
    the state before it for a while: `stale_for()` seconds at most (pointers expire; a
    worker that saw Redis fail replaces the generation itself once it answers again:
    `Distrust`). This process also tries again every second until it gets through, and the
    admin tells the duty chief (`announcements()`)."""
    if _replace_generation(shared_cache()) is None:
        record = getattr(_announcing, "current", None)
        if record is not None:
            record.failed = True
        _retire_later(time.monotonic() + settings.DELIVERY_POINTER_TTL)


def _replace_generation(shared) -> str | None:
    """Set and announce a new generation: it, or None when Redis did not take it."""
    if shared is None:
        return ""
    generation = uuid.uuid4().hex
    try:
        shared.set(GENERATION_KEY, generation, timeout=None)
        if isinstance(shared, RedisCache):
            listener.announce(shared)
    except Exception:
        log.exception(
            "delivery: could not retire cached pointers; readers may get what they held for up to %ss",
            stale_for(),
        )
        Distrust.failed("delivery: could not retire cached pointers", unannounced=True)
        return None
    Distrust.since = None
    return generation


def stale_for() -> int:
    """Seconds after a publish or withdrawal whose announcement failed within which no
    cache serves what it replaced: a pointer lives DELIVERY_POINTER_TTL at most, and a
    browser or CDN that fetched an answer just then keeps it for max-age, then serves it
    stale-while-revalidate more while it asks again."""
    return (
        settings.DELIVERY_POINTER_TTL + settings.DELIVERY_MAX_AGE + settings.DELIVERY_STALE_WHILE_REVALIDATE
    )


_retiring = {"until": 0.0}
_retiring_lock = threading.Lock()


def _retire_later(until: float) -> None:
    """Try to replace the generation again, every second, until it works or `until` (when
    every pointer it was to retire has expired anyway); one thread at a time."""
    with _retiring_lock:
        running = _retiring["until"] > time.monotonic()
        _retiring["until"] = max(_retiring["until"], until)
        if running:
            return

    def attempts():
        while True:
            time.sleep(1)
            if time.monotonic() >= _retiring["until"]:
                return
            if _replace_generation(shared_cache()) is not None:
                with _retiring_lock:
                    _retiring["until"] = 0.0
                return

    threading.Thread(target=attempts, name="delivery-retire-pointers", daemon=True).start()


_announcing = threading.local()


class Announcements:
    """What became of the announcements of the publishes committed inside
    `announcements()`: whether one could not be made, and what to tell the duty chief."""

    def __init__(self):
        self.failed = False

    @property
    def late(self) -> str | None:
        """None when every change reached every worker at once, else the truth, in Chinese."""
        if not self.failed:
            return None
        return (
            f"缓存服务器（Redis）没有应答，这次变动未能立即通知各台服务器：读者最迟 {stale_for()} 秒后才看到变动，"
            "在此之前仍可能看到原来的内容（缓存将在这段时间内过期）。如需更快生效，请清除 CDN 缓存，并请技术部门检查 Redis。"
        )


@contextlib.contextmanager
def announcements():
    """Collects what became of the announcements of publishes committed inside the block
    (the admin's publish and withdraw buttons tell the chief)."""
    outer = getattr(_announcing, "current", None)
    _announcing.current = record = Announcements()
    try:
        yield record
    finally:
        _announcing.current = outer
        if outer is not None:
            outer.failed |= record.failed


def _generation(shared, found) -> str:
    generation = found.get(GENERATION_KEY)
    if generation is None:  # never set, or evicted: start one no old pointer can carry
        shared.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = shared.get(GENERATION_KEY)
    return generation


# Public requests


def issue_response(request, slug: str) -> HttpResponse | None:
    """The live publication of the issue, or None when readers may not see it."""
    return _stored_response(request, "issue", slug)


def article_response(request, pk: int) -> HttpResponse | None:
    """The article as its issue's live publication carries it, or None."""
    return _stored_response(request, "article", pk)


def _stored_response(request, kind: str, lookup) -> HttpResponse | None:
    encoding = negotiate(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    now = time.time()
    shared = shared_cache()
    key = f"delivery:live:{kind}:{lookup}"
    pointer, fetched = _pointer(key, kind, lookup, encoding, shared, now)
    if pointer is None:
        return None
    response = _answer(request, pointer, encoding, shared, fetched, now)
    if response is None:  # a row stored before encodings were (the migration fills them)
        response = _answer(request, pointer, IDENTITY, shared, None, now)
    if response is not None:
        response.delivery_held = Held.of(key, pointer, pointer.next_change)
    return response


def _answer(request, pointer: Pointer, encoding: str, shared, fetched, now: float) -> HttpResponse | None:
    etag, last_modified = _validators(pointer.sha256, ETAG_SUFFIX[encoding], pointer.last_modified)
    return _respond(
        request,
        encoding,
        etag=etag,
        last_modified=(last_modified, pointer.last_modified),
        next_change=pointer.next_change,
        now=now,
        body=lambda: _bytes(pointer, encoding, shared, fetched),
    )


def _respond(
    request,
    encoding: str,
    *,
    etag: str,
    last_modified: tuple[str, int] | None,
    next_change: float | None,
    now: float,
    body: Callable[[], bytes],
) -> HttpResponse | None:
    """A stored answer: its validators (`last_modified` as HTTP date and Unix seconds) and
    CDN headers, then a 304 for a current copy, else `body()` in `encoding`; None when
    there are no such bytes."""
    response = HttpResponse(content_type="application/json")
    set_headers(response, ETag=etag)
    if last_modified is not None:
        set_headers(response, Last_Modified=last_modified[0])
    set_headers(response, Cache_Control=cache_control(next_change, now), Vary="Accept-Encoding")
    answer = _conditional(request, response, etag, last_modified[1] if last_modified else None)
    if answer is not response:
        return answer  # 304 (or 412): no bytes needed
    data = body()
    if not data:
        return None
    _send(response, request, data, encoding)
    return response


@functools.lru_cache(maxsize=4096)
def _validators(sha256: str, suffix: str, last_modified: int) -> tuple[str, str]:
    return f'"{sha256}{suffix}"', http_date(last_modified)


PRECONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
PRECONDITION_FAILED = {
    "code": "precondition_failed",
    "detail": "所请求的版本已不是当前版本（If-Match 或 If-Unmodified-Since 的条件不成立）：请去掉这些条件重新请求，取得当前内容。",
}


def _conditional(request, response, etag: str, last_modified: int | None = None):
    """The request's preconditions evaluated as RFC 9110 §13.2.2 orders them, for a GET or
    HEAD of a representation that exists: `response` when they hold (or there are none), a
    412 when If-Match (strong comparison) or, without it, If-Unmodified-Since fails, a 304
    when If-None-Match (weak comparison) or, without it, If-Modified-Since fails.

    Django's get_conditional_response is not used: it fails If-Unmodified-Since for a
    resource without a Last-Modified (the list), which §13.1.4 says to ignore, and its 412
    has none of the API's error shape. A date that is not one valid HTTP-date is ignored
    (§13.1.3, §13.1.4); an If-Match that names no valid entity tag matches nothing."""
    meta = request.META
    if not any(header in meta for header in PRECONDITIONS):
        return response
    if_match = meta.get("HTTP_IF_MATCH", "").strip()
    if if_match:
        if not _tag_matches(etag, if_match, weak=False):
            return _precondition_failed(request, response)
    elif last_modified is not None:
        since = _http_date(meta.get("HTTP_IF_UNMODIFIED_SINCE"))
        if since is not None and last_modified > since:
            return _precondition_failed(request, response)
    if_none_match = meta.get("HTTP_IF_NONE_MATCH", "").strip()
    if if_none_match:
        if _tag_matches(etag, if_none_match, weak=True):
            return _not_modified(response)
    elif last_modified is not None:
        since = _http_date(meta.get("HTTP_IF_MODIFIED_SINCE"))
        if since is not None and last_modified <= since:
            return _not_modified(response)
    return response


def _tag_matches(etag: str, field: str, *, weak: bool) -> bool:
    """Whether an If-Match / If-None-Match value names `etag` (a strong tag of ours): `*`
    names any current representation; weak comparison ignores a W/ prefix (§8.8.3.2)."""
    tags = parse_etags(field)
    if tags == ["*"]:
        return True
    if weak:
        return any(tag.removeprefix("W/") == etag for tag in tags)
    return etag in tags


def _http_date(value: str | None) -> int | None:
    """Unix seconds of one valid HTTP-date (any of the three formats), else None."""
    return parse_http_date_safe(value.strip()) if value else None


# What a 304 carries of the 200 it stands for (RFC 9110 §15.4.5).
NOT_MODIFIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary")


def _not_modified(response: HttpResponse) -> HttpResponseNotModified:
    answer = HttpResponseNotModified()
    for name in NOT_MODIFIED_HEADERS:
        if name in response:
            set_headers(answer, **{name.replace("-", "_"): response[name]})
    return answer


def _precondition_failed(request, response: HttpResponse) -> HttpResponse:
    """412 in the API's error shape, with the current ETag (what the client may ask for
    instead); an error, so no CDN keeps it (views.PublicView.finalize_response agrees)."""
    answer = HttpResponse(status=412, content_type="application/json")
    set_headers(answer, ETag=response["ETag"], Cache_Control="no-cache", Vary="Accept-Encoding")
    body = json.dumps(PRECONDITION_FAILED, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _send(answer, request, body, IDENTITY)
    return answer


def _send(response: HttpResponse, request, body: bytes, encoding: str) -> None:
    if encoding != IDENTITY:
        set_headers(response, Content_Encoding=encoding)
    # HEAD: the length GET would send (RFC 9110 §9.3.2), and no body.
    set_headers(response, Content_Length=str(len(body)))
    if request.method != "HEAD":
        response.content = body


def set_headers(response: HttpResponse, **headers: str) -> None:
    """Set headers whose names and values this module makes itself (ASCII, no line
    breaks: hex digests, HTTP dates, fixed words), without Django's per-header checks of
    what a view might have been handed: on a public read those checks took longer than
    finding the bytes. `Content_Length` is `Content-Length`."""
    store = response.headers._store
    for name, value in headers.items():
        name = name.replace("_", "-")
        store[name.lower()] = (name, value)


def cache_control(next_change: float | None, now: float) -> str:
    """Short-lived public caching for a CDN, never reaching past the next scheduled
    publication (an embargoed issue must appear at its second)."""
    max_age, stale = settings.DELIVERY_MAX_AGE, settings.DELIVERY_STALE_WHILE_REVALIDATE
    if next_change is not None:
        window = max(0, math.floor(next_change - now))
        max_age = min(max_age, window)
        stale = min(stale, window - max_age)
    value = f"public, max-age={max_age}"
    return f"{value}, stale-while-revalidate={stale}" if stale > 0 else value


def _pointer(
    key: str, kind: str, lookup, encoding: str, shared, now: float
) -> tuple[Pointer | None, bytes | None]:
    """The live pointer for (kind, lookup), kept at `key`, and the bytes if they came with it."""
    token = None
    if shared is not None and not _in_transaction():
        pointer, token = _cached(key, shared, now)
        if pointer is not None:
            return pointer, None
    hint = hints.get((kind, lookup))
    held = hint if hint is not None and local_bytes.get(f"{hint}:{encoding}") is not None else ""
    find = selectors.live_issue if kind == "issue" else selectors.live_article
    row = find(lookup, encoding=encoding, unless_sha256=held)
    if row is None:
        return None, None
    pointer = Pointer(
        kind=kind,
        pk=row.pk,
        sha256=row.sha256,
        last_modified=int(row.last_modified.timestamp()),
        next_change=row.next_change.timestamp() if row.next_change else None,
    )
    if len(hints) > MAX_ENTRIES:
        hints.clear()
    hints[(kind, lookup)] = pointer.sha256
    if token is not None:
        valid_until = min(now + settings.DELIVERY_POINTER_TTL, pointer.next_change or math.inf)
        _remember(key, pointer, valid_until, token, shared, now)
    body = row.stored
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif body is not None:
        body = bytes(body)  # memoryview from some drivers
    if body is not None:
        _keep(pointer.sha256, encoding, body, shared)
    return pointer, body


def _bytes(pointer: Pointer, encoding: str, shared, fetched: bytes | None) -> bytes:
    if fetched is not None:
        return fetched
    key = f"{pointer.sha256}:{encoding}"
    body = local_bytes.get(key)
    if body is not None:
        return body
    if shared is not None:
        try:
            body = shared.get(f"delivery:bytes:{key}")
        except Exception:
            Distrust.failed("delivery: shared cache unavailable, asking the database")
            shared = None
        if body is not None:
            local_bytes.put(key, body, len(body))
            return body
    body = selectors.stored_bytes(pointer.kind, pointer.pk, encoding)
    _keep(pointer.sha256, encoding, body, shared)
    return body


def _keep(sha256: str, encoding: str, body: bytes, shared) -> None:
    key = f"{sha256}:{encoding}"
    local_bytes.put(key, body, len(body))
    if shared is not None and body:
        try:
            shared.set(f"delivery:bytes:{key}", body, timeout=settings.DELIVERY_SHARED_BYTES_TTL)
        except Exception:
            Distrust.failed("delivery: could not share stored bytes")


# The issue list


def listing_response(request, view=None) -> HttpResponse | None:
    """The paginated list of live issues, rendered once per page for each set of live
    publications (their SHA-256s are the key, so it cannot outlive a change).

    Without `view` (the plain pass, before REST framework), None when the page is still to
    be rendered; what was read for it is left on the request for the pass with `view`."""
    encoding = negotiate(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    now = time.time()
    url = request.build_absolute_uri()
    shared = shared_cache()
    key = "delivery:list:" + hashlib.sha256(url.encode()).hexdigest()
    cached = token = None
    if shared is not None and not _in_transaction():
        cached, token = _cached(key, shared, now)
    if cached is not None:
        page, next_change = cached
    else:
        rows, next_change = getattr(request, "delivery_listing", None) or _live_listing()
        state = hashlib.sha256("\n".join([url, *(row.sha256 for row in rows)]).encode()).hexdigest()
        page = local_pages.get(state)
        if page is None:
            if view is None:
                request.delivery_listing = (rows, next_change)
                return None
            page = _render_page(view, rows)
            local_pages.put(state, page, sum(map(len, page.bodies.values())))
        cached = (page, next_change)
        if token is not None:
            valid_until = min(now + settings.DELIVERY_POINTER_TTL, next_change or math.inf)
            _remember(key, cached, valid_until, token, shared, now)
    response = _respond(
        request,
        encoding,
        etag=f'"{page.sha256}{ETAG_SUFFIX[encoding]}"',
        last_modified=None,
        next_change=next_change,
        now=now,
        body=lambda: page.bodies[encoding],
    )
    if response.status_code == 200:
        response.delivery_held = Held.of(key, cached, next_change)
    return response


def _live_listing() -> tuple[list, float | None]:
    at = timezone.now()
    rows = selectors.live_listing(at)
    next_change = rows[0].next_change if rows else selectors.next_change(at)
    return rows, next_change.timestamp() if next_change else None


def _render_page(view, rows) -> ListPage:
    from articles.delivery.rendering import to_json  # rendering imports the serializers

    page = view.paginate_queryset(rows)  # REST framework's pagination: 404 for a bad page
    summaries = selectors.listing_summaries([row.pk for row in page])
    body = to_json(view.get_paginated_response([summaries[row.pk] for row in page]).data).encode("utf-8")
    return ListPage(sha256=hashlib.sha256(body).hexdigest(), bodies={IDENTITY: body, **compress(body)})
