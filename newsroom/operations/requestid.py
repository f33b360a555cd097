"""One id per request: taken from a sane incoming X-Request-ID or made up, sent back as
X-Request-ID, and on every log record made while the request runs (`current`, read by
newsroom.operations.logs.RequestIdFilter). Nothing here touches the database or the apps.

Two ways in, one id. The production entry (newsroom/wsgi.py) wraps the whole WSGI
application in `RequestIdWSGI`, so that public reads answered before Django's handler
(articles/delivery/fastpath.py) get one too, at the cost of a few microseconds. Every
other way into Django (the test client, ASGI) meets `RequestIdMiddleware`, which steps aside
when the WSGI entry has already given the request its id.
"""

import os
import re
from contextvars import ContextVar

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
# Left in the environ by the WSGI entry: the id it chose and will send back itself.
ENVIRON_KEY = "newsroom.request_id"
# What a proxy or a client may hand us and have written into our logs: a bounded token of
# safe characters (a UUID, a hex string, a load balancer's "Root=1-…" id). Anything else is
# replaced, so that no header can forge a log line or fill the disk.
SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+-]{0,127}")

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def accepted(given: str | None) -> str:
    """The incoming id when it is sane, else a new one."""
    if given and SANE.fullmatch(given):
        return given
    # 128 random bits as 32 hex digits, like uuid4().hex at a sixth of its cost (measured
    # 2 µs against 14 on these machines): every public read pays it.
    return os.urandom(16).hex()


class RequestIdWSGI:
    """The outermost WSGI application: every answer, however early, carries the id."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        request_id = environ[ENVIRON_KEY] = accepted(environ.get(META_KEY))

        def start_with_id(status, headers, exc_info=None):
            # A new list: the fast path keeps its header lists to send again.
            return start_response(status, [*headers, (HEADER, request_id)], exc_info)

        token = current.set(request_id)
        try:
            return self.application(environ, start_with_id)
        finally:
            current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.META.get(ENVIRON_KEY)
        if request_id is not None:  # the WSGI entry set it, and sends the header itself
            request.request_id = request_id
            return self.get_response(request)
        request.request_id = request_id = accepted(request.META.get(META_KEY))
        # Not reset on the way out: Django logs a 4xx or 5xx (django.request) after the whole
        # middleware chain has returned, and that line needs the id most. Dropped once the
        # response is closed (`forget`).
        current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def forget(**kwargs) -> None:
    """request_finished: the request is over; nothing logged after it is its."""
    current.set(None)
