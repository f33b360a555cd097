"""Conditional public reads (RFC 9110 §13): every precondition header, matching or not, `*`,
malformed, past and future dates, lists, on the issue, an article and the list, through the
production WSGI entry, the middleware pass and the views' pass, with and without Redis.

The expected status of each case is what RFC 9110 §13.2.2 says for a GET of a resource that
exists: If-Match (strong comparison; `*` holds) then, without it, If-Unmodified-Since: 412
when false; If-None-Match (weak comparison; `*` matches) then, without it,
If-Modified-Since: 304 when false; else 200. A date condition is ignored when the resource
has no Last-Modified (the list), or the date is not one valid HTTP-date; If-Range is ignored
(no Range support). Never a 5xx.
"""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from tests.delivery import test_public_reads as reads

entry = reads.entry  # the production entry around Django's handler
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def rfc850(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%A, %d-%b-%y %H:%M:%S GMT")


def asctime(seconds: int) -> str:
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return f"{moment:%a %b} {moment.day:2d} {moment:%H:%M:%S %Y}"


def cases(etag: str, last_modified: int | None) -> list[tuple[str, dict, int]]:
    """(name, headers, RFC status) for a resource with this ETag and Last-Modified (Unix
    seconds, None when it sends none)."""
    dated = last_modified is not None
    now = int(timezone.now().timestamp())
    modified = last_modified if dated else now
    past, future = http_date(modified - 3600), http_date(now + 86400)
    weak = f"W/{etag}"
    bare = etag.strip('"')
    at = http_date(modified)
    return [
        ("If-Match: its tag", {"HTTP_IF_MATCH": etag}, 200),
        ("If-Match: *", {"HTTP_IF_MATCH": "*"}, 200),
        ("If-Match: another tag", {"HTTP_IF_MATCH": '"another"'}, 412),
        ("If-Match: a list with its tag", {"HTTP_IF_MATCH": f'"another", {etag}'}, 200),
        ("If-Match: a list without it", {"HTTP_IF_MATCH": '"a", "b"'}, 412),
        ("If-Match: its tag, weak (strong comparison)", {"HTTP_IF_MATCH": weak}, 412),
        ("If-Match: unquoted (malformed)", {"HTTP_IF_MATCH": bare}, 412),
        ("If-Match: garbage", {"HTTP_IF_MATCH": "\x7f;;,,"}, 412),
        (
            "If-Match holds, If-Unmodified-Since past (ignored)",
            {"HTTP_IF_MATCH": etag, "HTTP_IF_UNMODIFIED_SINCE": past},
            200,
        ),
        (
            "If-Match fails before If-None-Match",
            {"HTTP_IF_MATCH": '"another"', "HTTP_IF_NONE_MATCH": etag},
            412,
        ),
        ("If-None-Match: its tag", {"HTTP_IF_NONE_MATCH": etag}, 304),
        ("If-None-Match: its tag, weak", {"HTTP_IF_NONE_MATCH": weak}, 304),
        ("If-None-Match: *", {"HTTP_IF_NONE_MATCH": "*"}, 304),
        ("If-None-Match: another tag", {"HTTP_IF_NONE_MATCH": '"another"'}, 200),
        ("If-None-Match: a list with it", {"HTTP_IF_NONE_MATCH": f'"another", {weak}'}, 304),
        ("If-None-Match: garbage", {"HTTP_IF_NONE_MATCH": "garbage"}, 200),
        (
            "If-None-Match fails, If-Modified-Since future (ignored)",
            {"HTTP_IF_NONE_MATCH": '"x"', "HTTP_IF_MODIFIED_SINCE": future},
            200,
        ),
        ("If-Modified-Since: its date", {"HTTP_IF_MODIFIED_SINCE": at}, 304 if dated else 200),
        (
            "If-Modified-Since: its date, RFC 850",
            {"HTTP_IF_MODIFIED_SINCE": rfc850(modified)},
            304 if dated else 200,
        ),
        (
            "If-Modified-Since: its date, asctime",
            {"HTTP_IF_MODIFIED_SINCE": asctime(modified)},
            304 if dated else 200,
        ),
        ("If-Modified-Since: past", {"HTTP_IF_MODIFIED_SINCE": past}, 200),
        ("If-Modified-Since: future", {"HTTP_IF_MODIFIED_SINCE": future}, 304 if dated else 200),
        ("If-Modified-Since: malformed", {"HTTP_IF_MODIFIED_SINCE": "yesterday"}, 200),
        ("If-Modified-Since: two dates", {"HTTP_IF_MODIFIED_SINCE": f"{at}, {at}"}, 200),
        ("If-Unmodified-Since: past", {"HTTP_IF_UNMODIFIED_SINCE": past}, 412 if dated else 200),
        ("If-Unmodified-Since: its date", {"HTTP_IF_UNMODIFIED_SINCE": at}, 200),
        ("If-Unmodified-Since: future", {"HTTP_IF_UNMODIFIED_SINCE": future}, 200),
        ("If-Unmodified-Since: malformed", {"HTTP_IF_UNMODIFIED_SINCE": "0"}, 200),
        ("If-Unmodified-Since: two dates", {"HTTP_IF_UNMODIFIED_SINCE": f"{past}, {past}"}, 200),
        (
            "If-Unmodified-Since past before If-None-Match",
            {"HTTP_IF_UNMODIFIED_SINCE": past, "HTTP_IF_NONE_MATCH": etag},
            412 if dated else 304,
        ),
        ("If-Range: its tag", {"HTTP_IF_RANGE": etag}, 200),
        ("If-Range: another tag, with Range", {"HTTP_IF_RANGE": '"x"', "HTTP_RANGE": "bytes=0-9"}, 200),
        ("If-Range: a date, with Range", {"HTTP_IF_RANGE": past, "HTTP_RANGE": "bytes=0-9"}, 200),
        ("Range alone", {"HTTP_RANGE": "bytes=0-9"}, 200),
    ]


def every_answer(client, entry, url: str) -> list[str]:
    """Each case through each way in, as 'case, way: got N, RFC says M' where they differ."""
    plain = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert plain.status_code == 200
    last_modified = plain.get("Last-Modified")
    seconds = parse_http_date(last_modified) if last_modified else None
    wrong = []
    for name, headers, expected in cases(plain["ETag"], seconds):
        for way in ("WSGI entry", "middleware", "views"):
            for method in ("GET", "HEAD"):
                if way == "WSGI entry":
                    got = reads.wsgi_get(
                        entry, url, REQUEST_METHOD=method, HTTP_ACCEPT_ENCODING="gzip", **headers
                    )
                    status, answer_headers, body = got[0], got[1], got[2]
                else:
                    response = (client.get if method == "GET" else client.head)(
                        url,
                        HTTP_ACCEPT_ENCODING="gzip",
                        **({"HTTP_ACCEPT": reads.FULL_PASS} if way == "views" else {}),
                        **headers,
                    )
                    status, body = response.status_code, response.content
                    answer_headers = {k.lower(): v for k, v in response.items()}
                if status != expected:
                    wrong.append(f"{name}, {way} {method}: got {status}, RFC says {expected}")
                elif status == 412 and method == "GET" and b'"code":"precondition_failed"' not in body:
                    wrong.append(f"{name}, {way}: a 412 without the API's error body: {body[:80]!r}")
                elif status == 304 and answer_headers.get("etag") != plain["ETag"]:
                    wrong.append(f"{name}, {way} {method}: a 304 without the current ETag")
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["issue", "article", "list"])
def test_every_precondition_gets_the_rfc_status_without_redis(client, entry, live, kind):
    assert every_answer(client, entry, live[kind]) == []


@TRANSACTIONAL
def test_every_precondition_gets_the_rfc_status_with_redis(client, entry, shared_redis, live):
    wrong = []
    for kind in ("issue", "article", "list"):
        url = live[kind]
        reads.wsgi_get(entry, url)  # pointers (and the list page) kept in Redis and memory
        wrong += every_answer(client, entry, url)
    assert wrong == []
