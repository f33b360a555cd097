"""PublicReadMiddleware: plain public reads answered before the rest of the request cycle,
with the same bytes and the same protective headers as the full pass through the views."""

import datetime as dt

import pytest
import time_machine
from django.db.utils import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.api import views
from articles.delivery import reads as selectors
from articles.delivery.fastpath import PublicReadMiddleware
from articles.publications import publishing
from articles.workflow import ArticleStatus
from tests.factories import ArticleFactory, IssueFactory, published

pytestmark = pytest.mark.django_db

FULL_PASS = "text/html, application/json;q=0.9"  # not a plain Accept: REST framework answers


def calls_to(monkeypatch, owner, name: str) -> list[tuple]:
    """The positional arguments of every call to `owner.name` from now on."""
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


@pytest.fixture
def views_called(monkeypatch):
    """Counts requests that reached a public view's REST framework pass."""
    calls = []
    dispatch = views.PublicView.dispatch

    def counted(self, request, *args, **kwargs):
        calls.append(request.path)
        return dispatch(self, request, *args, **kwargs)

    monkeypatch.setattr(views.PublicView, "dispatch", counted)
    return calls


@pytest.mark.parametrize("kind", ["issue", "article", "list"])
def test_a_plain_read_is_answered_before_the_views_with_the_same_bytes(client, live, views_called, kind):
    client.get(live[kind])  # the list renders its page once, through the view
    views_called.clear()

    fast = client.get(live[kind], HTTP_ACCEPT_ENCODING="gzip")
    assert views_called == []
    full = client.get(live[kind], HTTP_ACCEPT=FULL_PASS, HTTP_ACCEPT_ENCODING="gzip")
    assert views_called == [live[kind]]

    assert fast.status_code == full.status_code == 200
    assert fast.content == full.content
    for header in ("ETag", "Cache-Control", "Content-Encoding", "Content-Type"):
        assert fast[header] == full[header], header


def test_the_fast_answer_carries_the_protective_headers(client, live, settings):
    settings.SECURE_CONTENT_TYPE_NOSNIFF = True
    settings.CORS_ALLOWED_ORIGINS = ["https://m.news.example.cn"]

    response = client.get(live["article"], HTTP_ORIGIN="https://m.news.example.cn")

    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware, above it
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Access-Control-Allow-Origin"] == "https://m.news.example.cn"  # CORS, above it
    assert response["X-Frame-Options"] == "DENY"  # added for the middleware it skips
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", "")


def test_a_disallowed_host_is_still_refused(client, live):
    assert client.get(live["list"], HTTP_HOST="evil.example.com").status_code == 400
    assert client.get(live["issue"], HTTP_HOST="evil.example.com").status_code == 400


def test_nothing_live_goes_to_the_views_for_the_api_404_asked_once(client, live, views_called):
    missing = reverse("v1:article-detail", kwargs={"pk": 999_999})

    response = client.get(missing)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert views_called == [missing]


def test_a_database_away_is_the_views_503_not_a_500(client, live, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("articles.delivery.reads.live_article", away)

    response = client.get(live["article"])

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


@pytest.mark.parametrize(
    "request_fields",
    [
        {"method": "POST"},
        {"path": "/api/schema/"},
        {"path": "/admin/"},
        {"accept": "text/html"},
    ],
)
def test_anything_else_goes_down_the_chain(rf, request_fields):
    passed_on = []
    middleware = PublicReadMiddleware(lambda request: passed_on.append(request) or "chain")
    request = rf.generic(
        request_fields.get("method", "GET"),
        request_fields.get("path", "/api/v1/issues/"),
        HTTP_ACCEPT=request_fields.get("accept", "*/*"),
    )

    assert middleware(request) == "chain"
    assert passed_on == [request]


# The production entry, PublicReadsWSGI (newsroom/wsgi.py), in front of Django's handler.


@pytest.fixture
def entry(monkeypatch):
    """PublicReadsWSGI around Django's handler, which records what reaches it."""
    from django.core.handlers.wsgi import WSGIHandler

    from articles.delivery.fastpath import PublicReadsWSGI

    # As Django's test client does: the test's transaction must outlive the request.
    monkeypatch.setattr("articles.delivery.fastpath.close_old_connections", lambda: None)
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    django = WSGIHandler()
    reached = []

    def recorded(environ, start_response):
        reached.append(environ["PATH_INFO"])
        return django(environ, start_response)

    application = PublicReadsWSGI(recorded)
    application.reached = reached
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def wsgi_get(application, path, **headers):
    environ = RequestFactory().get(path, **headers).environ
    started = {}

    def start_response(status, response_headers, exc_info=None):
        # Header names are case-insensitive (django-cors-headers sets its own in lower case).
        started["status"], started["headers"] = status, {n.lower(): v for n, v in response_headers}

    body = b"".join(application(environ, start_response))
    return int(started["status"].split()[0]), started["headers"], body


@pytest.mark.parametrize("kind", ["issue", "article", "list"])
def test_the_wsgi_entry_answers_as_the_whole_chain_does(client, live, entry, kind):
    client.get(live[kind])  # the list renders its page once, through the view

    status, headers, body = wsgi_get(entry, live[kind], HTTP_ACCEPT_ENCODING="br")
    assert entry.reached == []
    full = client.get(live[kind], HTTP_ACCEPT=FULL_PASS, HTTP_ACCEPT_ENCODING="br")

    assert status == full.status_code == 200
    assert body == full.content
    # Every header the whole chain sends, the same (Date and Server are the web server's),
    # but REST framework's Allow, which only the view's pass adds, and X-Request-ID, which the
    # production entry adds around both (newsroom/operations/requestid.py).
    own = ("Allow", "X-Request-ID")
    assert headers == {name.lower(): value for name, value in full.items() if name not in own}


def test_the_wsgi_entry_adds_cors_headers_for_an_allowed_origin(live, entry, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://m.news.example.cn"]

    status, headers, _ = wsgi_get(entry, live["article"], HTTP_ORIGIN="https://m.news.example.cn")

    assert status == 200 and entry.reached == []
    assert headers["access-control-allow-origin"] == "https://m.news.example.cn"
    assert headers["vary"] == "Accept-Encoding, origin"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_HOST": "evil.example.com"}, 400),  # ALLOWED_HOSTS
        ({"HTTP_ACCEPT": "text/csv"}, 406),  # REST framework's content negotiation
        ({"REQUEST_METHOD": "POST"}, 405),
    ],
)
def test_the_wsgi_entry_hands_everything_else_to_django(live, entry, headers, status):
    method = headers.pop("REQUEST_METHOD", "GET")
    environ = RequestFactory().generic(method, live["issue"], **headers).environ
    answered = []
    entry(environ, lambda s, h, e=None: answered.append(s))

    assert entry.reached == [live["issue"]]
    assert answered[0].startswith(str(status))


def test_an_http_request_is_redirected_to_https_by_django(live, settings):
    from articles.delivery.fastpath import PublicReadsWSGI

    settings.SECURE_SSL_REDIRECT = True
    reached = []
    application = PublicReadsWSGI(lambda environ, start_response: reached.append(environ) or [b""])

    application(RequestFactory().get(live["issue"]).environ, lambda *args: None)

    assert len(reached) == 1


def test_the_wsgi_entry_steps_aside_if_the_middleware_above_it_changes(settings, live):
    from articles.delivery.fastpath import PublicReadsWSGI

    settings.MIDDLEWARE = ["newsroom.middleware.FailureAnswersMiddleware", *settings.MIDDLEWARE]
    reached = []
    application = PublicReadsWSGI(lambda environ, start_response: reached.append(environ) or [b""])

    assert application.on is False
    application(RequestFactory().get(live["issue"]).environ, lambda *args: None)
    assert len(reached) == 1


@pytest.mark.parametrize("path", ["/api/v1/articles/\U000d7abb\x8d/", "/api/v1/issues/专题/"])
def test_a_path_beyond_ascii_gets_the_apis_404_through_both_passes(live, entry, path):
    """The entry reads the request, then hands it to Django, which reads it again: the
    environ must be as the server gave it (PEP 3333: one character per byte)."""
    environ = RequestFactory().get("/").environ
    environ["PATH_INFO"] = path.encode("utf-8").decode("latin-1")
    answered = []
    body = b"".join(entry(environ, lambda status, headers, exc_info=None: answered.append(status)))

    assert answered[0].startswith("404")
    assert b'"code":"not_found"' in body


def test_a_read_handed_on_to_django_is_counted_and_looked_up_once(live, entry, settings, monkeypatch):
    from newsroom.api.throttling import ReaderThrottle

    ReaderThrottle.forget()
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "reader": "3/minute"}
    lookups = calls_to(monkeypatch, selectors, "live_article")
    missing = reverse("v1:article-detail", kwargs={"pk": 999_999})
    try:
        statuses = [wsgi_get(entry, missing)[0] for _ in range(4)]
    finally:
        ReaderThrottle.forget()

    assert statuses == [404, 404, 404, 429]  # the fourth, not the second: counted once each
    assert len(lookups) == 3  # and asked once each; the refused one not at all
    assert entry.reached == [missing] * 4


# Ready answers: with Redis (the production shape), the entry sends a read's whole answer
# again while the pointer or list page it was made from is kept and no publish came since.

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def made(monkeypatch):
    """The plain reads the entry made an answer for (not sent ready)."""
    from articles.delivery import fastpath

    return calls_to(monkeypatch, fastpath, "answer")


@TRANSACTIONAL
@pytest.mark.parametrize(("kind", "making"), [("issue", 1), ("article", 1), ("list", 2)])
def test_with_redis_a_repeated_read_is_sent_ready_and_unchanged(
    live, entry, shared_redis, made, kind, making
):
    # The first read makes the answer and keeps it ready; the list's first read renders its
    # page through the view, and the second makes the answer from that page.
    answers = [wsgi_get(entry, live[kind], HTTP_ACCEPT_ENCODING="gzip") for _ in range(4)]

    assert len(made) == making
    assert answers[3] == answers[2] == answers[1]
    assert answers[3][0] == 200 and answers[3][1]["content-encoding"] == "gzip"


@TRANSACTIONAL
def test_a_withdrawal_is_not_answered_from_a_ready_answer(entry, shared_redis, chief):
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    published(issue)
    url = reverse("v1:issue-detail", kwargs={"slug": issue.slug})
    assert [wsgi_get(entry, url)[0] for _ in range(3)] == [200, 200, 200]

    publishing.withdraw_issue(issue, user=chief, note="撤回")

    assert wsgi_get(entry, url)[0] == 404


@TRANSACTIONAL
def test_a_read_that_asks_differently_gets_its_own_answer(live, entry, shared_redis, settings, made):
    settings.CORS_ALLOWED_ORIGINS = ["https://m.news.example.cn"]
    url = live["article"]
    for _ in range(3):
        status, headers, body = wsgi_get(entry, url)
    assert len(made) == 1  # ready from the second on

    assert wsgi_get(entry, url, HTTP_IF_NONE_MATCH=headers["etag"])[0] == 304
    cors = wsgi_get(entry, url, HTTP_ORIGIN="https://m.news.example.cn")[1]
    assert cors["access-control-allow-origin"] == "https://m.news.example.cn"
    assert wsgi_get(entry, url, HTTP_ACCEPT_ENCODING="br")[1]["content-encoding"] == "br"
    head = wsgi_get(entry, url, REQUEST_METHOD="HEAD")
    assert head[2] == b"" and head[1]["content-length"] == str(len(body))
    assert wsgi_get(entry, url, HTTP_HOST="evil.example.com")[0] == 400
    assert wsgi_get(entry, url) == (status, headers, body)  # and the plain one is still ready


@TRANSACTIONAL
def test_ready_answers_are_counted_by_the_reader_throttle(live, entry, shared_redis, settings, made):
    from newsroom.api.throttling import ReaderThrottle

    ReaderThrottle.forget()
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "reader": "4/minute"}
    try:
        statuses = [wsgi_get(entry, live["article"])[0] for _ in range(5)]
    finally:
        ReaderThrottle.forget()

    assert statuses == [200, 200, 200, 200, 429]
    assert len(made) == 1 and entry.reached == [live["article"]]  # the 429 is the view's


@TRANSACTIONAL
def test_a_ready_answer_lasts_only_while_its_pointer_is_kept(live, entry, shared_redis, settings, made):
    url = live["issue"]
    for _ in range(3):
        wsgi_get(entry, url)
    assert len(made) == 1

    later = timezone.now() + dt.timedelta(seconds=settings.DELIVERY_LOCAL_POINTER_TTL + 1)
    with time_machine.travel(later, tick=False):
        wsgi_get(entry, url)

    assert len(made) == 2  # made afresh from a pointer checked against Redis


@TRANSACTIONAL
def test_near_a_scheduled_publication_every_answer_is_made_afresh(live, entry, shared_redis, chief, made):
    # Another issue's embargo lifts in 40 s: every max-age counts down to it from now on.
    embargoed = IssueFactory()
    ArticleFactory(issue=embargoed, status=ArticleStatus.APPROVED)
    lift = timezone.now() + dt.timedelta(seconds=40)
    publishing.publish_issue(embargoed, user=chief, at=lift)

    answers = [wsgi_get(entry, live["issue"]) for _ in range(4)]

    assert len(made) == 4
    max_age = int(answers[-1][1]["cache-control"].split("max-age=")[1].split(",")[0])
    assert max_age <= 40


def test_a_list_page_still_to_render_reads_the_live_listing_once(live, entry, monkeypatch):
    listings = calls_to(monkeypatch, selectors, "live_listing")

    status, _, body = wsgi_get(entry, live["list"])

    assert status == 200 and b'"zhuan-ti"' in body
    assert entry.reached == [live["list"]]  # rendered by the view's pass
    assert len(listings) == 1  # with what the entry had read
