"""Public reads answered before the rest of the request cycle.

A published issue or article is bytes stored at publish time (articles/delivery.py); sending
them took a sixth of a request's time, Django's middleware, URL resolving and view machinery
the rest. This middleware sits right after the security, CORS and static-file middleware,
so their checks and headers still apply, and answers a plain public read (GET or HEAD,
Accept nothing, */* or JSON) itself. Everything else goes on down the chain as before: other
methods and Accept values, and every request it cannot answer (nothing live to send, a list
page still to render, a throttled client, an error), which the views answer in full: their
404, 429 and 503 are the API's usual ones.

The headers the skipped middleware would add to these responses are added here: the
Content-Security-Policy (without a nonce, as for every response that renders no template)
and X-Frame-Options. Session, CSRF, authentication and messages concern none of them.
"""

import functools

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.urls import Resolver404, resolve

from newsroom.throttling import ReaderThrottle

from .views import PLAIN_ACCEPT, PublicView

PREFIX = "/api/v1/"


class PublicReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and request.path_info.startswith(PREFIX)
            and request.META.get("HTTP_ACCEPT", "") in PLAIN_ACCEPT
        ):
            response = self.answer(request)
            if response is not None:
                return response
        return self.get_response(request)

    def answer(self, request):
        try:
            view_class, kwargs = public_view(request.path_info)
        except Resolver404:
            return None
        if view_class is None or not ReaderThrottle().allow_request(request):
            return None
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware below would check it
            response = view_class.answer(request, **kwargs)
        except Exception:  # a disallowed Host, a database away: the chain answers (400, 503)
            return None
        if response is None:
            request.delivery_found_nothing = True  # the view's pass answers 404 without asking again
            return None
        response.headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        if policy := content_security_policy():
            response.headers[CSP_HEADER] = policy
        return response


@functools.lru_cache(maxsize=4096)
def public_view(path: str) -> tuple[type[PublicView] | None, dict]:
    """The public view serving `path` and its arguments, or None for any other view."""
    match = resolve(path)
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, PublicView):
        return None, {}
    return view_class, match.kwargs


@functools.lru_cache(maxsize=1)
def content_security_policy() -> str:
    """The policy CSPMiddleware would send with a response that uses no nonce."""
    return build_policy()


def _settings_changed(*, setting, **kwargs):
    if setting == "CONTENT_SECURITY_POLICY":
        content_security_policy.cache_clear()
    if setting == "ROOT_URLCONF":
        public_view.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="public_read_settings")
