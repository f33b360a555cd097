"""The HTTP of a stored answer: validators (strong ETag, Last-Modified), preconditions
evaluated as RFC 9110 orders them (304, 412), CDN caching, and the headers written."""

import functools
import json
import math
from collections.abc import Callable

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import parse_etags
from django.utils.http import http_date, parse_http_date_safe

from articles.conf import conf

from .encodings import IDENTITY


def respond(
    request,
    encoding: str,
    *,
    etag: str,
    last_modified: tuple[str, int] | None,
    next_change: float | None,
    now: float,
    body: Callable[[], bytes],
) -> HttpResponse | None:
    """A stored answer: its validators (`last_modified` as HTTP date and Unix seconds) and
    CDN headers, then a 304 for a current copy, else `body()` in `encoding`; None when
    there are no such bytes."""
    response = HttpResponse(content_type="application/json")
    set_headers(response, ETag=etag)
    if last_modified is not None:
        set_headers(response, Last_Modified=last_modified[0])
    set_headers(response, Cache_Control=cache_control(next_change, now), Vary="Accept-Encoding")
    answer = _conditional(request, response, etag, last_modified[1] if last_modified else None)
    if answer is not response:
        return answer  # 304 (or 412): no bytes needed
    data = body()
    if not data:
        return None
    _send(response, request, data, encoding)
    return response


@functools.lru_cache(maxsize=4096)
def validators(sha256: str, suffix: str, last_modified: int) -> tuple[str, str]:
    return f'"{sha256}{suffix}"', http_date(last_modified)


PRECONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
PRECONDITION_FAILED = {
    "code": "precondition_failed",
    "detail": "所请求的版本已不是当前版本（If-Match 或 If-Unmodified-Since 的条件不成立）：请去掉这些条件重新请求，取得当前内容。",
}


def _conditional(request, response, etag: str, last_modified: int | None = None):
    """The request's preconditions evaluated as RFC 9110 §13.2.2 orders them, for a GET or
    HEAD of a representation that exists: `response` when they hold (or there are none), a
    412 when If-Match (strong comparison) or, without it, If-Unmodified-Since fails, a 304
    when If-None-Match (weak comparison) or, without it, If-Modified-Since fails.

    Django's get_conditional_response is not used: it fails If-Unmodified-Since for a
    resource without a Last-Modified (the list), which §13.1.4 says to ignore, and its 412
    has none of the API's error shape. A date that is not one valid HTTP-date is ignored
    (§13.1.3, §13.1.4); an If-Match that names no valid entity tag matches nothing."""
    meta = request.META
    if not any(header in meta for header in PRECONDITIONS):
        return response
    if_match = meta.get("HTTP_IF_MATCH", "").strip()
    if if_match:
        if not _tag_matches(etag, if_match, weak=False):
            return _precondition_failed(request, response)
    elif last_modified is not None:
        since = _http_date(meta.get("HTTP_IF_UNMODIFIED_SINCE"))
        if since is not None and last_modified > since:
            return _precondition_failed(request, response)
    if_none_match = meta.get("HTTP_IF_NONE_MATCH", "").strip()
    if if_none_match:
        if _tag_matches(etag, if_none_match, weak=True):
            return _not_modified(response)
    elif last_modified is not None:
        since = _http_date(meta.get("HTTP_IF_MODIFIED_SINCE"))
        if since is not None and last_modified <= since:
            return _not_modified(response)
    return response


def _tag_matches(etag: str, field: str, *, weak: bool) -> bool:
    """Whether an If-Match / If-None-Match value names `etag` (a strong tag of ours): `*`
    names any current representation; weak comparison ignores a W/ prefix (§8.8.3.2)."""
    tags = parse_etags(field)
    if tags == ["*"]:
        return True
    if weak:
        return any(tag.removeprefix("W/") == etag for tag in tags)
    return etag in tags


def _http_date(value: str | None) -> int | None:
    """Unix seconds of one valid HTTP-date (any of the three formats), else None."""
    return parse_http_date_safe(value.strip()) if value else None


# What a 304 carries of the 200 it stands for (RFC 9110 §15.4.5).
NOT_MODIFIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary")


def _not_modified(response: HttpResponse) -> HttpResponseNotModified:
    answer = HttpResponseNotModified()
    for name in NOT_MODIFIED_HEADERS:
        if name in response:
            set_headers(answer, **{name.replace("-", "_"): response[name]})
    return answer


def _precondition_failed(request, response: HttpResponse) -> HttpResponse:
    """412 in the API's error shape, with the current ETag (what the client may ask for
    instead); an error, so no CDN keeps it (views.PublicView.finalize_response agrees)."""
    answer = HttpResponse(status=412, content_type="application/json")
    set_headers(answer, ETag=response["ETag"], Cache_Control="no-cache", Vary="Accept-Encoding")
    body = json.dumps(PRECONDITION_FAILED, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _send(answer, request, body, IDENTITY)
    return answer


def _send(response: HttpResponse, request, body: bytes, encoding: str) -> None:
    if encoding != IDENTITY:
        set_headers(response, Content_Encoding=encoding)
    # HEAD: the length GET would send (RFC 9110 §9.3.2), and no body.
    set_headers(response, Content_Length=str(len(body)))
    if request.method != "HEAD":
        response.content = body


def set_headers(response: HttpResponse, **headers: str) -> None:
    """Set headers whose names and values this module makes itself (ASCII, no line
    breaks: hex digests, HTTP dates, fixed words), without Django's per-header checks of
    what a view might have been handed: on a public read those checks took longer than
    finding the bytes. `Content_Length` is `Content-Length`."""
    # Django's private header store (ResponseHeaders._store: lower-case name → (name,
    # value)), kept because its public setter checks and encodes every value: ~1% of a
    # read answered by the fast path. tests/delivery/test_private_apis.py fails on a
    # Django that stores headers otherwise.
    store = response.headers._store
    for name, value in headers.items():
        name = name.replace("_", "-")
        store[name.lower()] = (name, value)


def cache_control(next_change: float | None, now: float) -> str:
    """Short-lived public caching for a CDN, never reaching past the next scheduled
    publication (an embargoed issue must appear at its second)."""
    max_age, stale = conf.DELIVERY_MAX_AGE, conf.DELIVERY_STALE_WHILE_REVALIDATE
    if next_change is not None:
        window = max(0, math.floor(next_change - now))
        max_age = min(max_age, window)
        stale = min(stale, window - max_age)
    value = f"public, max-age={max_age}"
    return f"{value}, stale-while-revalidate={stale}" if stale > 0 else value
