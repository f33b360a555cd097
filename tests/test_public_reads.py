"""PublicReadMiddleware: plain public reads answered before the rest of the request cycle,
with the same bytes and the same protective headers as the full pass through the views."""

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

from articles.api import views
from articles.api.middleware import PublicReadMiddleware

from .factories import ArticleFactory, IssueFactory, published

pytestmark = pytest.mark.django_db

FULL_PASS = "text/html, application/json;q=0.9"  # not a plain Accept: REST framework answers


@pytest.fixture
def live():
    issue = IssueFactory(slug="zhuan-ti")
    article = ArticleFactory(issue=issue)
    published(issue)
    return {
        "issue": reverse("v1:issue-detail", kwargs={"slug": "zhuan-ti"}),
        "article": reverse("v1:article-detail", kwargs={"pk": article.pk}),
        "list": reverse("v1:issue-list"),
    }


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

    monkeypatch.setattr("articles.selectors.live_article", away)

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
