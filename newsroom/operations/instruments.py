"""What the apps measure for Prometheus (/metrics): the metric objects, created once.

Counted where it happens: the delivery counters in articles/delivery (a public read pays one
`inc()` of a child bound here, no label worked out per request), the publish duration around
`publish_issue`, the SQL queries per request by `QueryCountMiddleware`. Under gunicorn each
worker writes its counts to PROMETHEUS_MULTIPROC_DIR and /metrics adds them up
(newsroom/gunicorn.conf.py).
"""

import time
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

PUBLISH_SECONDS = Histogram(
    "newsroom_publish_seconds",
    "Publishing an issue (render, checks, states, stored publication), seconds; refusals not counted.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120),
)

REQUEST_QUERIES = Histogram(
    "newsroom_request_queries",
    "SQL queries a request made, by view.",
    ["view"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 1000),
)

_delivery_answers = Counter(
    "newsroom_delivery_answers",
    "Public reads answered before Django's views: sent again whole by the WSGI entry (ready) "
    "or made from stored bytes (stored).",
    ["way"],
)
DELIVERY_READY = _delivery_answers.labels(way="ready")
DELIVERY_STORED = _delivery_answers.labels(way="stored")

_delivery_pointers = Counter(
    "newsroom_delivery_pointers",
    "Which publication is live for a public URL (issue, article or list page): found in this "
    "process's memory or Redis (cache) or asked of the database (database).",
    ["source"],
)
POINTER_FROM_CACHE = _delivery_pointers.labels(source="cache")
POINTER_FROM_DATABASE = _delivery_pointers.labels(source="database")

_delivery_bytes = Counter(
    "newsroom_delivery_bytes",
    "A publication's stored bytes for a public read: from this process's memory, Redis (shared) "
    "or the database.",
    ["source"],
)
BYTES_FROM_MEMORY = _delivery_bytes.labels(source="memory")
BYTES_FROM_SHARED = _delivery_bytes.labels(source="shared")
BYTES_FROM_DATABASE = _delivery_bytes.labels(source="database")


@contextmanager
def timed(histogram: Histogram):
    """Observe the block's duration when it ends without an exception (a refusal is quick
    and says nothing of how long the work takes)."""
    started = time.perf_counter()
    yield
    histogram.observe(time.perf_counter() - started)
