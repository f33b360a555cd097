"""API throttling: public reads counted per process, everything else in the shared cache,
every refusal a Chinese 429 with Retry-After, and the OpenAPI document saying so."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from newsroom.api.throttling import ReaderThrottle
from tests.conftest import logged_in
from tests.factories import ArticleFactory, IssueFactory, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """Real limits (the test settings' are out of reach), every count starting afresh."""
    ReaderThrottle.forget()
    cache.clear()
    settings.API_THROTTLE_RATES = {"reader": "3/minute", "anon": "2/minute", "user": "2/minute"}
    yield settings.API_THROTTLE_RATES
    ReaderThrottle.forget()
    cache.clear()


@pytest.fixture
def live_article():
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    published(issue)
    return reverse("v1:article-detail", kwargs={"pk": article.pk})


def assert_throttled(response):
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "throttled"
    assert "请求过于频繁" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 60
    # A CDN must not keep the refusal.
    assert {"no-cache", "no-store"} & set(response["Cache-Control"].replace(",", " ").split())


def test_public_reads_are_refused_past_the_rate_with_a_chinese_429(client, rates, live_article):
    for _ in range(3):
        assert client.get(live_article).status_code == 200

    assert_throttled(client.get(live_article))
    # Another reader is not held up by the first one's requests.
    assert client.get(live_article, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_misses_head_and_the_list_count_against_the_same_limit(client, rates, live_article):
    assert client.get(reverse("v1:article-detail", kwargs={"pk": 999_999})).status_code == 404
    assert client.head(live_article).status_code == 200
    assert client.get(reverse("v1:issue-list")).status_code == 200

    assert_throttled(client.get(live_article))


def test_a_read_through_rest_framework_is_counted_once(client, rates, live_article):
    """Accept: text/html goes past the middleware to the view: one request, one count."""
    for _ in range(3):
        assert client.get(live_article, HTTP_ACCEPT="text/html, application/json;q=0.9").status_code == 200

    assert_throttled(client.get(live_article))


def test_behind_a_proxy_readers_are_told_apart_by_x_forwarded_for(client, rates, settings, live_article):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(3):
        assert client.get(live_article, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 200

    assert_throttled(client.get(live_article, HTTP_X_FORWARDED_FOR="203.0.113.7"))
    assert client.get(live_article, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_a_rate_of_off_turns_the_reader_limit_off(client, rates, live_article):
    rates["reader"] = None
    for _ in range(10):
        assert client.get(live_article).status_code == 200


def test_other_api_requests_are_counted_in_the_shared_cache(client, rates):
    garbage_preview = reverse("v1:preview", kwargs={"token": "not-a-token"})
    for _ in range(2):
        assert client.get(garbage_preview).status_code == 404

    assert_throttled(client.get(garbage_preview))
    # Counted in the default cache (Redis when REDIS_URL is set), so every worker and app
    # server sees the same count.
    assert len(cache.get("throttle_anon_127.0.0.1")) == 2


def test_staff_are_counted_by_account(rates, editor):
    IssueFactory(slug="zhuan-ti")
    browser = logged_in(editor)
    url = reverse("v1:issue-export", kwargs={"slug": "zhuan-ti"})
    for _ in range(2):
        assert browser.get(url).status_code in (200, 409)

    assert_throttled(browser.get(url))
    assert len(cache.get(f"throttle_user_{editor.pk}")) == 2


def test_the_schema_documents_429_and_503_on_every_operation(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert len(operations) >= 5
    for operation in operations:
        for status in ("429", "503"):
            answer = operation["responses"][status]
            assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            assert "Retry-After" in answer["headers"]
