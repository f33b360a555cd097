"""Odd and hostile requests, and failures outside the views: clear answers, never a 500 page."""

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from tests.factories import ArticleFactory, IssueFactory, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue():
    issue = IssueFactory(slug="zhuan-ti")
    ArticleFactory(issue=issue)
    return published(issue)


@pytest.mark.parametrize("page", ["", "abc", "0", "-1", "99999999999999999999", "1 OR 1=1"])
def test_malformed_page_numbers_are_refused(client, issue, page):
    response = client.get(reverse("v1:issue-list"), {"page": page})

    assert response.status_code == 404
    assert response.json()["code"] == "invalid_page"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/issues/%0A/",
        "/api/v1/issues/%C3%BB%C3%8E%0A%1D/",
        "/api/v1/issues/'%20OR%201=1--/",
        "/api/v1/issues/%E2%80%AE%E2%80%8B/",  # a bidi override and a zero-width space
        "/api/v1/articles/1%3B%20DROP%20TABLE%20articles_article/",
    ],
)
def test_odd_paths_answer_a_json_404(client, issue, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_sql_looking_query_string_changes_nothing(client, issue):
    response = client.get(reverse("v1:issue-list"), {"slug": "x' OR '1'='1", "ordering": "-id; DROP"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


def fail_with(error):
    def wrapper(execute, sql, params, many, context):
        raise error("the database went away")

    return wrapper


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_that_is_away_answers_503_with_retry_after(client, issue, error):
    with connection.execute_wrapper(fail_with(error)):
        response = client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug}))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert response.json()["code"] == "service_unavailable"


def test_the_admin_answers_503_too_while_the_database_is_away(client, superuser, issue):
    client.force_login(superuser)
    url = reverse("admin:articles_issue_changelist")
    with connection.execute_wrapper(fail_with(OperationalError)):
        response = client.get(url)

    assert response.status_code == 503
    assert "数据库" in response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_an_unexpected_error_under_api_is_json_with_debug_on_or_off(client, settings, issue, debug):
    settings.DEBUG = debug
    with connection.execute_wrapper(fail_with(RuntimeError)):
        response = client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug}))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "error", "detail": "服务器出错，请稍后再试。"}


@pytest.mark.parametrize("pk", ["9223372036854775808", "49186510118116210507776", "0"])
def test_article_ids_beyond_any_row_are_a_404_not_an_overflow(client, pk):
    response = client.get(f"/api/v1/articles/{pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
