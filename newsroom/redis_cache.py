"""Django's Redis cache, bounded in time, with one redis-py client per connection pool.

Bounded: a Redis that does not answer (hung, or a network that drops packets) must cost a
request a fraction of a second, not redis-py's default 5 s per call. Every connection gets
REDIS_CONNECT_TIMEOUT and REDIS_SOCKET_TIMEOUT (settings, small defaults) and no retries;
and once a call to a server has failed, this process stops calling it for REDIS_RETRY_AFTER
seconds (`Breaker`): calls fail at once with `RedisUnavailable`, so a Redis that hangs costs
each worker one timeout every few seconds, not one per call. Callers fall back (delivery to
the database, throttles to a count in this process): see articles/delivery/caches.py and
newsroom/api/throttling.py.

One client per pool: Django's client builds a new `redis.Redis` for every cache operation;
with redis-py 8 that sets up ~170 response callbacks each time (about 0.3 ms), more than the
Redis round trip it wraps. A `redis.Redis` is safe to share between threads (connections
come from the pool), so keeping one per pool changes nothing else. Used by CACHES when
REDIS_URL is set.
"""

import logging
import time

import redis as redis_py
from django.conf import settings
from django.core.cache.backends import redis

log = logging.getLogger(__name__)

# What a server that does not answer raises (an error of the server's own, a wrong type or
# an unknown command, says nothing about whether it answers).
UNANSWERED = (redis_py.ConnectionError, redis_py.TimeoutError, OSError)


class RedisUnavailable(redis_py.ConnectionError):
    """A call not made: this server failed a moment ago (`Breaker`)."""


class Breaker:
    """Per process: the servers that failed a call lately, and until when they are left alone."""

    down_until: dict[tuple, float] = {}

    @classmethod
    def check(cls, server: tuple) -> None:
        until = cls.down_until.get(server)
        if until is not None and time.monotonic() < until:
            raise RedisUnavailable(f"Redis {server} failed a moment ago; not asked until it may answer again")

    @classmethod
    def is_open(cls, server: tuple) -> bool:
        until = cls.down_until.get(server)
        return until is not None and time.monotonic() < until

    @classmethod
    def failed(cls, server: tuple) -> None:
        if not cls.is_open(server):
            log.error("Redis %s did not answer: not asked for %ss", server, settings.REDIS_RETRY_AFTER)
        cls.down_until[server] = time.monotonic() + settings.REDIS_RETRY_AFTER

    @classmethod
    def forget(cls) -> None:
        """Every server may be asked again (tests)."""
        cls.down_until.clear()


def server_of(pool) -> tuple:
    kwargs = pool.connection_kwargs
    return kwargs.get("host"), kwargs.get("port"), kwargs.get("path"), kwargs.get("db", 0)


def bounded(**options) -> dict:
    """Connection options with this project's bounds, unless given explicitly."""
    return {
        "socket_connect_timeout": settings.REDIS_CONNECT_TIMEOUT,
        "socket_timeout": settings.REDIS_SOCKET_TIMEOUT,
        "retry": None,  # no retries: the breaker decides when to ask again
        **options,
    }


class BoundedRedis(redis_py.Redis):
    """redis-py's client, minding the breaker: no call to a server that just failed, and a
    failed call opens it."""

    def execute_command(self, *args, **options):
        server = server_of(self.connection_pool)
        Breaker.check(server)
        try:
            return super().execute_command(*args, **options)
        except UNANSWERED:
            Breaker.failed(server)
            raise


# Django's RedisCacheClient and the private parts of it this builds on (`_get_connection_pool`,
# the cache's `_class`): no public way exists to choose the client a cache makes.
# tests/delivery/test_private_apis.py fails on a Django that changes them.
class ReusingRedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **bounded(**kwargs))
        self._client = BoundedRedis
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


def client_for(url: str) -> BoundedRedis:
    """A bounded client for `url` outside the cache (delivery's publish announcements)."""
    return BoundedRedis.from_url(url, **bounded())
