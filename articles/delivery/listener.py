"""Every worker learns of a publish at once: a shared *generation* replaced after each
publish commits, and announced on a Redis channel this process listens to.

Any announcement retires every pointer a worker keeps in memory; a pointer read from Redis
records the generation it was read under and is ignored once that has changed. When Redis
does not answer, a publish stays committed and `announcements()` tells the duty chief how
long readers may still be served what it replaced (`stale_for()`). See
articles/delivery/__init__.py for the whole argument.
"""

import contextlib
import logging
import os
import select
import threading
import time
import uuid

from django.core.cache.backends.redis import RedisCache
from django.db import transaction

from articles.conf import conf
from newsroom.redis_cache import Breaker, server_of

from .caches import Distrust, redis_client, redis_target, shared_cache

log = logging.getLogger(__name__)

GENERATION_KEY = "delivery:generation"


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
            self.known_target = (shared, pid, (pid, *redis_target(shared)))
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
                self.retry_at = time.monotonic() + conf.REDIS_RETRY_AFTER
                return None

    def _something_arrived(self) -> bool:
        """Whether the subscription's socket has anything to read: one poll() call, where
        asking redis-py costs a dozen calls through its layers on every request. What
        arrived before was read to the end, so a socket with nothing to read means no
        announcement; a closed one reads as something (get_message then raises)."""
        # redis-py's private socket of the subscription (tests/delivery/test_private_apis.py
        # fails on a version without it); were it gone, every read would ask redis-py.
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
        url, channel = redis_target(shared)
        redis_client(url).publish(channel, b"1")

    def _subscribe(self, target) -> None:
        _, url, channel = target
        self.target, self.pubsub = target, redis_client(url).pubsub()
        self.pubsub.subscribe(channel)
        # The subscription's confirmation, waited for no longer than any other answer.
        if self.pubsub.get_message(timeout=conf.REDIS_SOCKET_TIMEOUT) is None:
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


def listens(shared) -> bool:
    """Whether this process keeps pointers in memory while it listens for publishes."""
    return isinstance(shared, RedisCache) and conf.DELIVERY_LISTEN


def shared_generation(shared, found) -> str:
    """The shared generation among the values `found` in the shared cache."""
    current = found.get(GENERATION_KEY)
    if current is None:  # never set, or evicted: start one no old pointer can carry
        shared.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        current = shared.get(GENERATION_KEY)
    return current


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
    if replace_generation(shared_cache()) is None:
        record = getattr(_announcing, "current", None)
        if record is not None:
            record.failed = True
        _retire_later(time.monotonic() + conf.DELIVERY_POINTER_TTL)


def replace_generation(shared) -> str | None:
    """Set and announce a new generation: it, or None when Redis did not take it."""
    if shared is None:
        return ""
    fresh = uuid.uuid4().hex
    try:
        shared.set(GENERATION_KEY, fresh, timeout=None)
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
    return fresh


def stale_for() -> int:
    """Seconds after a publish or withdrawal whose announcement failed within which no
    cache serves what it replaced: a pointer lives DELIVERY_POINTER_TTL at most, and a
    browser or CDN that fetched an answer just then keeps it for max-age, then serves it
    stale-while-revalidate more while it asks again."""
    return conf.DELIVERY_POINTER_TTL + conf.DELIVERY_MAX_AGE + conf.DELIVERY_STALE_WHILE_REVALIDATE


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
            if replace_generation(shared_cache()) is not None:
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
