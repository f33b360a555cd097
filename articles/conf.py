"""The articles app's settings with their defaults, read in one place.

newsroom/settings.py sets those a deployment chooses (from the environment); a default here
applies when a settings module leaves one out. Read at each use, so that a test's
`settings` fixture (or override_settings) takes effect at once.
"""

from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings

T = TypeVar("T")


class Setting(Generic[T]):
    """The Django setting of the attribute's name, else `default` (typed by it)."""

    def __init__(self, default: T):
        self.default = default

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None) -> T:
        return getattr(settings, self.name, self.default)


class Settings:
    # Links in what publishing stores are absolute on the public site's origin: no reader's
    # request exists at publish time.
    SITE_URL = Setting("http://127.0.0.1:8000")
    # Dates printed for readers are the newsroom's (Beijing) dates.
    NEWSROOM_TIME_ZONE = Setting(ZoneInfo("Asia/Shanghai"))
    PREVIEW_LINK_MAX_AGE = Setting(60 * 60 * 24)  # seconds a preview link stays valid
    IMPORT_MAX_BYTES = Setting(4 * 1024**3)  # an imported package, unpacked

    # Delivery (articles/delivery/). The cache of pointers and stored bytes: shared by every
    # app server when it is Redis (or another shared backend), else per process.
    DELIVERY_CACHE = Setting("default")
    # What browsers and the CDN may keep: fresh for max-age seconds, then served while they
    # ask again for stale-while-revalidate more; both cut short before a scheduled publication.
    DELIVERY_MAX_AGE = Setting(30)
    DELIVERY_STALE_WHILE_REVALIDATE = Setting(30)
    # Longest a cached pointer lives without a publish: a missed invalidation cannot last longer.
    DELIVERY_POINTER_TTL = Setting(60)
    # With Redis, workers keep pointers in memory while they listen for publishes (False:
    # ask Redis on every request), each checked against Redis at least this often, which
    # bounds a silently broken subscription.
    DELIVERY_LISTEN = Setting(True)
    DELIVERY_LOCAL_POINTER_TTL = Setting(2)
    # Stored bytes are named by their SHA-256, so never stale: kept a day in the shared cache.
    DELIVERY_SHARED_BYTES_TTL = Setting(60 * 60 * 24)
    # Per worker: stored bytes kept in memory, and rendered pages of the issue list.
    DELIVERY_LOCAL_BYTES = Setting(64 * 1024 * 1024)
    DELIVERY_LOCAL_LIST_BYTES = Setting(4 * 1024 * 1024)
    # Compression at publish time, levels chosen for publishing speed (newsroom/settings.py).
    DELIVERY_GZIP_LEVEL = Setting(4)
    DELIVERY_BROTLI_QUALITY = Setting(5)

    # The bounds of every Redis call belong to newsroom/redis_cache.py; delivery's
    # subscription waits no longer than they allow, and retries no sooner.
    REDIS_SOCKET_TIMEOUT = Setting(0.5)
    REDIS_RETRY_AFTER = Setting(5.0)


conf = Settings()
