"""Public reads answered before the rest of the request cycle.

A published issue or article is bytes stored at publish time (articles/delivery/pointers.py):
finding and sending them takes a fraction of what Django's request cycle around them
costs. A plain public read (GET or HEAD, Accept nothing, */* or JSON) is therefore answered
early, in one of two places, both with `answer()`:

- `PublicReadsWSGI`, the production entry (newsroom/wsgi.py), in front of Django's WSGI
  handler: it skips the handler's signals and the whole middleware chain, and applies to the
  answer what the middleware above `PublicReadMiddleware` in settings.MIDDLEWARE would
  (Django's SecurityMiddleware and django-cors-headers, by their own code). It steps aside,
  handing the request to Django, whenever those would do more than add headers: an HTTP
  request that SECURE_SSL_REDIRECT sends to HTTPS, a CORS preflight. If that middleware is
  ever changed, it turns itself off rather than skip something new (and `manage.py check`
  says so: articles/checks.py).
- `PublicReadMiddleware`, right after the security, CORS and static-file middleware, for
  every other way into Django (ASGI, the test client, runserver).

The production entry also keeps each answer it made from a pointer this process keeps (with
Redis, while it listens for publishes: articles/delivery/kept.py) and sends it again as it is,
status, headers and bytes, while that pointer is still the one kept and no publish was
announced (`Ready`). A read whose answer is its own (an Origin, a precondition) never gets
one; the reader throttle counts every read all the same.

Everything `answer()` cannot answer (nothing live, a list page still to render, a throttled
client, a disallowed Host, an error) goes on into Django and down the whole chain to the
views, whose 404, 429, 400 and 503 are the API's usual ones.

A view takes part by naming its stored answer (`stored_answer`, a function of the request
and the URL's arguments, returning the response or None): the fast path finds it on the
view class `resolve()` gives, and never imports the API.

The headers of the middleware skipped below are added by `answer()`: the
Content-Security-Policy (without a nonce, as for every response that renders no template)
and X-Frame-Options. Session, CSRF, authentication and messages concern none of these reads.
"""

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

from corsheaders.middleware import CorsMiddleware
from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.db import close_old_connections
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, resolve

from articles.checks import wsgi_entry_stands_in
from newsroom.api.throttling import ReaderThrottle
from newsroom.operations.instruments import DELIVERY_READY, DELIVERY_STORED

from .kept import Held
from .responses import PRECONDITIONS, set_headers

# What front-ends send (nothing, */*, JSON): answered without REST framework parsing the
# header; anything else goes through its content negotiation (406 included).
PLAIN_ACCEPT = frozenset({"", "*/*", "application/json"})
PREFIX = "/api/v1/"
# Left in the environ by PublicReadsWSGI when it hands a read on to Django: what it found
# (the throttle's verdict, nothing live), so that the request is neither counted nor
# looked up twice.
TRIED = "newsroom.public_read_tried"


def plain_read(method: str, path: str, accept: str) -> bool:
    return method in ("GET", "HEAD") and path.startswith(PREFIX) and accept in PLAIN_ACCEPT


def answer(request):
    """The stored answer to a plain public read, or None to let Django answer it."""
    try:
        stored_answer, kwargs = stored_answer_for(request.path_info)
    except Resolver404:
        return None
    if stored_answer is None or not ReaderThrottle().allow_request(request):
        return None
    try:
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware below would check it
        response = stored_answer(request, **kwargs)
    except Exception:  # a disallowed Host, a database away: Django answers (400, 503)
        return None
    if response is None:
        request.delivery_found_nothing = True  # the view's pass answers 404 without asking again
        return None
    DELIVERY_STORED.inc()
    set_headers(response, X_Frame_Options=settings.X_FRAME_OPTIONS)
    if policy := content_security_policy():
        set_headers(response, **{CSP_HEADER: policy})
    return response


class PublicReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tried = request.META.get(TRIED)
        if tried is not None:
            for name, value in tried.items():
                setattr(request, name, value)
            return self.get_response(request)
        if plain_read(request.method, request.path_info, request.META.get("HTTP_ACCEPT", "")):
            response = answer(request)
            if response is not None:
                return response
        return self.get_response(request)


class PublicReadsWSGI:
    """The WSGI application: plain public reads answered here, everything else by Django."""

    def __init__(self, django_application):
        self.django = django_application
        self.security = SecurityMiddleware(lambda request: None)
        self.cors = CorsMiddleware(lambda request: None)
        self.on = wsgi_entry_stands_in(settings.MIDDLEWARE)  # else articles.checks reports it
        self.ready: dict[tuple, Ready] = {}
        self.ready_bytes = 0
        setting_changed.connect(self.forget_ready)

    def forget_ready(self, **kwargs) -> None:
        """A setting changed (tests): the headers a ready answer carries may have too."""
        self.ready.clear()
        self.ready_bytes = 0

    def __call__(self, environ, start_response):
        if self.on and plain_read(
            environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""), environ.get("HTTP_ACCEPT", "")
        ):
            key = ready_key(environ)
            ready = self.ready.get(key) if key is not None else None
            if ready is not None and ready.held.current(time.time()):
                wait = ReaderThrottle().count_environ(environ)
                if wait:
                    environ[TRIED] = {"reader_throttle_wait": wait, "delivery_found_nothing": False}
                    return self.django(environ, start_response)
                DELIVERY_READY.inc()
                start_response(ready.status, list(ready.headers))  # a server may add to it
                return [ready.body]
            response = self.answer(environ)
            if response is not None:
                status = f"{response.status_code} {response.reason_phrase}"
                headers = list(response.items())
                start_response(status, headers)
                held = getattr(response, "delivery_held", None)
                if key is not None and held is not None and response.status_code == 200:
                    self.keep_ready(key, Ready(status, headers, response.content, held))
                return [response.content]
        return self.django(environ, start_response)

    def keep_ready(self, key: tuple, ready: "Ready") -> None:
        if len(self.ready) >= MAX_READY or self.ready_bytes + len(ready.body) > MAX_READY_BYTES:
            self.ready.clear()
            self.ready_bytes = 0
        old = self.ready.pop(key, None)
        self.ready_bytes += len(ready.body) - (len(old.body) if old else 0)
        self.ready[key] = ready

    def answer(self, environ):
        # A copy: Django's request writes the decoded path back into the environ it is
        # given, and Django's handler, if it answers after all, must read the original.
        request = WSGIRequest(environ.copy())
        if self.security.process_request(request) is not None:  # an HTTP → HTTPS redirect
            return None
        # django-cors-headers' middleware in two halves (check_preflight, then
        # add_response_headers or what it adds without an Origin, read from the
        # request._cors_enabled that check_preflight leaves): not its public API, which is
        # the whole middleware around a view, but the preflight must be known before the
        # read is looked up, and its header parsing is skipped for the usual read without an
        # Origin. tests/delivery/test_private_apis.py fails on a version that changes them.
        if self.cors.check_preflight(request) is not None:
            return None
        if environ.get("SCRIPT_NAME") or settings.FORCE_SCRIPT_NAME:
            return None  # mounted under a prefix: Django's handler sets it up
        try:
            response = answer(request)
        finally:
            # What Django's request_finished signal does for the database: a connection past
            # CONN_MAX_AGE, or broken, is not kept; a kept one is health-checked before its
            # next use (CONN_HEALTH_CHECKS), as after request_started.
            close_old_connections()
        if response is None:
            environ[TRIED] = {
                "reader_throttle_wait": getattr(request, "reader_throttle_wait", None),
                "delivery_found_nothing": getattr(request, "delivery_found_nothing", False),
                # A list page still to render: the live publications it lists.
                "delivery_listing": getattr(request, "delivery_listing", None),
            }
            return None
        self.security.process_response(request, response)
        if "HTTP_ORIGIN" in environ:
            self.cors.add_response_headers(request, response)
        elif request._cors_enabled:
            # All django-cors-headers adds without an Origin (its add_response_headers
            # would parse every request header to find that out).
            vary = response.headers.get("Vary")
            response.headers["Vary"] = f"{vary}, origin" if vary else "origin"
        return response


@dataclass(frozen=True, slots=True)
class Ready:
    """A public read's whole answer, sent again as it is while what it was made from is
    current (`Held.current`): the same live pointer or list page, no publish
    announced since, the same Cache-Control. A read that differs in anything the answer
    depends on has another key (`ready_key`); one the answer is personal to has none."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    held: Held


# What the answer to a plain read depends on, besides the stored bytes: the method, the
# URL (with Host and scheme: the list page's links, ALLOWED_HOSTS, HSTS on HTTPS, the
# HTTPS redirect), and the content coding asked for. The Accept header is not among them:
# every plain Accept gets the same JSON.
READY_KEY = (
    "REQUEST_METHOD",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_ACCEPT_ENCODING",
)
# Headers that make the answer the asker's own: CORS headers for an Origin, a 304 or 412
# for a precondition. Such reads always go the whole way.
OWN_ANSWER = ("HTTP_ORIGIN", *PRECONDITIONS, "SCRIPT_NAME")
MAX_READY = 10_000
MAX_READY_BYTES = 64 * 1024 * 1024  # mostly the same bytes objects as delivery's own memory


def ready_key(environ) -> tuple | None:
    """The key of the ready answer to this plain read, or None when it has its own answer."""
    for name in OWN_ANSWER:
        if environ.get(name):
            return None
    if settings.SECURE_PROXY_SSL_HEADER and settings.SECURE_PROXY_SSL_HEADER[0] not in READY_KEY:
        return None  # the scheme comes from a header this key does not hold
    return tuple(map(environ.get, READY_KEY))


@functools.lru_cache(maxsize=4096)
def stored_answer_for(path: str) -> tuple[Callable | None, dict]:
    """The stored answer of the public view serving `path` and its arguments, or None for
    any other view."""
    match = resolve(path)
    stored_answer = getattr(getattr(match.func, "view_class", None), "stored_answer", None)
    if stored_answer is None:
        return None, {}
    return stored_answer, match.kwargs


@functools.lru_cache(maxsize=1)
def content_security_policy() -> str:
    """The policy CSPMiddleware would send with a response that uses no nonce."""
    return build_policy()


def _settings_changed(*, setting, **kwargs):
    if setting == "CONTENT_SECURITY_POLICY":
        content_security_policy.cache_clear()
    if setting == "ROOT_URLCONF":
        stored_answer_for.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="public_read_settings")
