"""What each kind of job does, registered by the app that owns the work (media registers
"renditions", articles "export"), so this app imports none of them."""

from collections.abc import Callable
from dataclasses import dataclass


class Permanent(Exception):  # noqa: N818 - reads as "raise Permanent(reason)"
    """A failure that running again cannot mend (a broken file, a refused export): the job
    fails at once with this message instead of being retried."""


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    run: Callable  # run(job, progress) -> dict (the job's result)
    permits: Callable  # permits(user) -> bool: who besides its starter may watch a job and take its file


_kinds: dict[str, Kind] = {}


def handler(name: str, *, label: str, permits: Callable):
    """Register `run(job, progress)` as what a job of kind `name` does; `progress(done,
    total, step="")` reports how far it is. It must be idempotent: a job whose worker dies
    under it is run again."""

    def register(run: Callable) -> Callable:
        _kinds[name] = Kind(name, label, run, permits)
        return run

    return register


def kind(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"没有“{name}”这种后台任务。") from None


def label_of(name: str) -> str:
    found = _kinds.get(name)
    return found.label if found else name
