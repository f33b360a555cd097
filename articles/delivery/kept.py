"""Pointers and list pages this process keeps, and whether they are still current.

A value is kept under the generations it was read under: the shared one (Redis) and this
process's own (the listener's, changed by every announcement). It is used only while both
are current and its time has not run out; `Held` tells the production entry whether an
answer made from it may be sent again unchanged.
"""

import math
from dataclasses import dataclass

from articles.conf import conf

from .caches import MAX_ENTRIES, Distrust, shared_cache
from .listener import GENERATION_KEY, listener, listens, replace_generation, shared_generation


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
    production entry send that answer again unchanged (articles/delivery/fastpath.py)."""

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
        steady = conf.DELIVERY_MAX_AGE + conf.DELIVERY_STALE_WHILE_REVALIDATE
        return cls(key, record, math.inf if next_change is None else next_change - steady)

    def current(self, now: float) -> bool:
        """Whether an answer made from this record may still be sent as it was: the record
        is still the one kept, within its time, and no publish was announced since."""
        record = self.record
        if kept.get(self.key) is not record or now >= record.valid_until or now >= self.steady_until:
            return False
        shared = shared_cache()
        return listens(shared) and listener.current(shared) == record.local


def find_kept(key: str, shared, now: float):
    """(value, token): a current value for `key` from this process's memory or the shared
    cache, or None; the token records the generations to store a fresh value under."""
    local = listener.current(shared) if listens(shared) else None
    held = kept.get(key)
    if local is not None and held is not None and held.local == local and now < held.valid_until:
        return held.value, (local, held.shared)
    try:
        found = shared.get_many([GENERATION_KEY, key])
        generation = shared_generation(shared, found)
    except Exception:
        Distrust.failed("delivery: shared cache unavailable, asking the database")
        return None, None
    if Distrust.since is not None:
        # Redis answers again after failing: nothing it holds is trusted (see Distrust).
        generation = replace_generation(shared)
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


def remember(key: str, value, valid_until: float, token, shared, now: float) -> None:
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
    kept[key] = Kept(local, generation, min(valid_until, now + conf.DELIVERY_LOCAL_POINTER_TTL), value)
