"""A published issue or article: which stored bytes are live for its URL (the pointer),
and those bytes in the reader's coding with their validators.

The pointer comes from this process's memory or the shared cache while they are current
(articles/delivery/kept.py), else from one small query that also brings the bytes unless
this process holds them; the bytes from memory, the shared cache or the database.
"""

import math
import time
from dataclasses import dataclass

from django.http import HttpResponse

from articles.conf import conf
from newsroom.operations.instruments import (
    BYTES_FROM_DATABASE,
    BYTES_FROM_MEMORY,
    BYTES_FROM_SHARED,
    POINTER_FROM_CACHE,
    POINTER_FROM_DATABASE,
)

from . import reads
from .caches import MAX_ENTRIES, Distrust, hints, in_transaction, local_bytes, shared_cache
from .encodings import ETAG_SUFFIX, IDENTITY, accepted
from .kept import Held, find_kept, remember
from .responses import respond, validators


@dataclass(frozen=True, slots=True)
class Pointer:
    """Which stored bytes answer a URL now: enough for the headers and to find the bytes."""

    kind: str  # "issue" or "article": the table holding the bytes
    pk: int
    sha256: str
    last_modified: int  # Unix seconds: when readers could first see these bytes
    next_change: float | None  # Unix time of the next scheduled publication, if any


def issue_response(request, slug: str) -> HttpResponse | None:
    """The live publication of the issue, or None when readers may not see it."""
    return _stored_response(request, "issue", slug)


def article_response(request, pk: int) -> HttpResponse | None:
    """The article as its issue's live publication carries it, or None."""
    return _stored_response(request, "article", pk)


def _stored_response(request, kind: str, lookup) -> HttpResponse | None:
    encoding = accepted(request)
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
    etag, last_modified = validators(pointer.sha256, ETAG_SUFFIX[encoding], pointer.last_modified)
    return respond(
        request,
        encoding,
        etag=etag,
        last_modified=(last_modified, pointer.last_modified),
        next_change=pointer.next_change,
        now=now,
        body=lambda: _bytes(pointer, encoding, shared, fetched),
    )


def _pointer(
    key: str, kind: str, lookup, encoding: str, shared, now: float
) -> tuple[Pointer | None, bytes | None]:
    """The live pointer for (kind, lookup), kept at `key`, and the bytes if they came with it."""
    token = None
    if shared is not None and not in_transaction():
        pointer, token = find_kept(key, shared, now)
        if pointer is not None:
            POINTER_FROM_CACHE.inc()
            return pointer, None
    POINTER_FROM_DATABASE.inc()
    hint = hints.get((kind, lookup))
    held = hint if hint is not None and local_bytes.get(f"{hint}:{encoding}") is not None else ""
    find = reads.live_issue if kind == "issue" else reads.live_article
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
        valid_until = min(now + conf.DELIVERY_POINTER_TTL, pointer.next_change or math.inf)
        remember(key, pointer, valid_until, token, shared, now)
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
        BYTES_FROM_DATABASE.inc()  # with the pointer, in its one query
        return fetched
    key = f"{pointer.sha256}:{encoding}"
    body = local_bytes.get(key)
    if body is not None:
        BYTES_FROM_MEMORY.inc()
        return body
    if shared is not None:
        try:
            body = shared.get(f"delivery:bytes:{key}")
        except Exception:
            Distrust.failed("delivery: shared cache unavailable, asking the database")
            shared = None
        if body is not None:
            BYTES_FROM_SHARED.inc()
            local_bytes.put(key, body, len(body))
            return body
    BYTES_FROM_DATABASE.inc()
    body = reads.stored_bytes(pointer.kind, pointer.pk, encoding)
    _keep(pointer.sha256, encoding, body, shared)
    return body


def _keep(sha256: str, encoding: str, body: bytes, shared) -> None:
    key = f"{sha256}:{encoding}"
    local_bytes.put(key, body, len(body))
    if shared is not None and body:
        try:
            shared.set(f"delivery:bytes:{key}", body, timeout=conf.DELIVERY_SHARED_BYTES_TTL)
        except Exception:
            Distrust.failed("delivery: could not share stored bytes")
