"""The request an entry is written in: whose it is, from which address, under which
correlation id. Set by `AuditMiddleware` for the length of each request."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from axes.helpers import get_client_ip_address
from django.conf import settings

_request = ContextVar("audit_request", default=None)

# A correlation id is copied into every entry of the request: only a short token of safe
# characters (auditlog's column holds 255), or a header a client sends could break the insert.
REQUEST_ID_HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+-]{0,127}")


@contextmanager
def serving(request) -> Iterator[None]:
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def client_address(request) -> str | None:
    """The client's address by django-axes' rule (the peer's, unless AXES_IPWARE_* says which
    proxies to trust), so the trail and the log-in lock-outs name the same address; None when
    addresses are not recorded (AUDIT_CLIENT_ADDRESSES=false)."""
    if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
        return None
    return get_client_ip_address(request)


def request_user():
    """The logged-in user of the request being served, or None (no request, anonymous)."""
    user = getattr(_request.get(), "user", None)
    return user if user is not None and user.is_authenticated else None


def correlation_id() -> str | None:
    """AUDITLOG_CID_GETTER: the request's id, as the logs carry it (`request.request_id`,
    newsroom/operations/requestid.py), else its X-Request-ID header when that is sane."""
    request = _request.get()
    if request is None:
        return None
    given = getattr(request, "request_id", None) or request.headers.get(REQUEST_ID_HEADER, "")
    return given if SANE_ID.fullmatch(given) else None
