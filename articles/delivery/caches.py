"""Where delivery keeps what it has read: this process's bounded memory, the cache every
app server shares (Redis when REDIS_URL is set), and this process's distrust of that cache
after it failed to answer.

Content-addressed bytes (keyed by SHA-256 and coding) name one byte sequence forever, so
they are kept anywhere; pointers (which bytes are live) are kept only under the rules of
articles/delivery/kept.py.
"""

import logging
import math
import os
import sys
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router

from articles.conf import conf
from articles.models import Publication
from newsroom.redis_cache import UNANSWERED, client_for

log = logging.getLogger(__name__)
_complaints: dict[str, float] = {}

# Cache backends every app server shares; anything else (local memory) is per process.
SHARED_BACKENDS = (RedisCache, BaseMemcachedCache, DatabaseCache)
MAX_ENTRIES = 50_000


def complain(message: str, *args) -> None:
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
        complain(message)


class LocalMemory:
    """This process's least-recently-used store, bounded in bytes by the setting named."""

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
        limit = getattr(conf, self.setting)
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


def shared_cache():
    """The cache every app server shares (Redis when REDIS_URL is set), or None."""
    cache = caches[conf.DELIVERY_CACHE]
    return cache if isinstance(cache, SHARED_BACKENDS) else None


def redis_target(shared) -> tuple[str, str]:
    """The shared cache's primary server (where writes, and so announcements, go) and the
    channel of this deployment (named with the cache's KEY_PREFIX)."""
    location = settings.CACHES[conf.DELIVERY_CACHE]["LOCATION"]
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


def in_transaction() -> bool:
    """Whether reads see a transaction's own, uncommitted state (a request in ATOMIC_REQUESTS,
    a test): what is live then may still be rolled back, so it is neither cached nor taken
    from the cache. Requests normally run in autocommit."""
    return connections[router.db_for_read(Publication)].in_atomic_block
