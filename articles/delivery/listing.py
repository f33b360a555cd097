"""The issue list: one page of live issues, rendered once for each set of live
publications (their SHA-256s are its key, so a page cannot outlive a change)."""

import hashlib
import math
import time
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone

from articles.conf import conf
from newsroom.operations.instruments import POINTER_FROM_CACHE, POINTER_FROM_DATABASE

from . import reads
from .caches import in_transaction, local_pages, shared_cache
from .encodings import ETAG_SUFFIX, IDENTITY, accepted, compress
from .kept import Held, find_kept, remember
from .rendering import to_json
from .responses import respond


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of the issue list, rendered once per set of live publications."""

    sha256: str
    bodies: dict[str, bytes]  # by content coding


def listing_response(request, view=None) -> HttpResponse | None:
    """The paginated list of live issues, rendered once per page for each set of live
    publications (their SHA-256s are the key, so it cannot outlive a change).

    Without `view` (the plain pass, before REST framework), None when the page is still to
    be rendered; what was read for it is left on the request for the pass with `view`."""
    encoding = accepted(request)
    now = time.time()
    url = request.build_absolute_uri()
    shared = shared_cache()
    key = "delivery:list:" + hashlib.sha256(url.encode()).hexdigest()
    cached = token = None
    if shared is not None and not in_transaction():
        cached, token = find_kept(key, shared, now)
    if cached is not None:
        POINTER_FROM_CACHE.inc()
        page, next_change = cached
    else:
        POINTER_FROM_DATABASE.inc()
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
            valid_until = min(now + conf.DELIVERY_POINTER_TTL, next_change or math.inf)
            remember(key, cached, valid_until, token, shared, now)
    response = respond(
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
    rows = reads.live_listing(at)
    next_change = rows[0].next_change if rows else reads.next_change(at)
    return rows, next_change.timestamp() if next_change else None


def _render_page(view, rows) -> ListPage:
    page = view.paginate_queryset(rows)  # REST framework's pagination: 404 for a bad page
    summaries = reads.listing_summaries([row.pk for row in page])
    body = to_json(view.get_paginated_response([summaries[row.pk] for row in page]).data).encode("utf-8")
    return ListPage(sha256=hashlib.sha256(body).hexdigest(), bodies={IDENTITY: body, **compress(body)})
