"""Requests Django refuses before any view (a disallowed Host, a body too large) and query
parameters with a NUL: each a 400 that says what really happened, in the API's JSON shape
under /api/ and as a Chinese page elsewhere; never a 500 (PostgreSQL refuses NUL in a query
parameter outright)."""

import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.core.exceptions import (
    BadRequest,
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousMultipartForm,
    TooManyFieldsSent,
)
from django.urls import reverse

from newsroom.middleware import bad_request
from tests.conftest import logged_in
from tests.factories import ArticleFactory, IssueFactory, published

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")
NUL = "\x00"


def changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def filter_parameters(page: bytes) -> set[str]:
    """The query parameters the change list's own filter and search links use."""
    soup = BeautifulSoup(page, "html.parser")
    names = {"q", "o", "p"}
    for link in soup.select("#changelist-filter a[href], .paginator a[href], th a[href]"):
        names |= {name for name, _ in parse_qsl(urlsplit(link["href"]).query, keep_blank_values=True)}
    return names


def assert_nul_refused(response):
    assert response.status_code == 400, response.content[:300]
    page = response.content.decode()
    assert "空字符" in page and "删除" in page  # what is wrong, and what to do


def test_a_nul_in_any_change_list_parameter_is_a_400_in_words(superuser):
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    published(issue)
    browser = logged_in(superuser)
    tried = 0
    for url in changelists():
        page = browser.get(url)
        assert page.status_code == 200, url
        for name in filter_parameters(page.content):
            assert_nul_refused(browser.get(url, {name: NUL}))
            assert_nul_refused(browser.get(url, {name: f"草稿{NUL}"}))
            tried += 1
    assert tried > 2 * len(changelists())  # the filters were found, not only q, o and p


def test_a_nul_in_a_parameter_name_is_a_400_too(superuser):
    response = logged_in(superuser).get(reverse("admin:articles_article_changelist") + "?status%00=draft")

    assert_nul_refused(response)


@pytest.mark.parametrize("field", ["term", "app_label", "model_name", "field_name"])
def test_a_nul_in_an_autocomplete_parameter_is_a_400(superuser, field):
    query = {"term": "张", "app_label": "articles", "model_name": "byline", "field_name": "contributor"}
    query[field] += NUL

    response = logged_in(superuser).get(reverse("admin:autocomplete"), query)

    assert_nul_refused(response)


def test_a_nul_in_an_api_parameter_is_a_json_400(client):
    response = client.get(reverse("v1:issue-list"), {"page": NUL})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and HAN.search(body["detail"])
    assert list(body["errors"]) == ["page"]


def test_a_disallowed_host_under_the_api_is_the_json_error_with_a_true_message(client):
    response = client.get(reverse("v1:issue-list"), HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "disallowed_host"
    assert "主机" in body["detail"] and "过大" not in body["detail"]
    assert "evil.example.com" not in body["detail"]  # what the client sent is not echoed


def test_a_disallowed_host_in_the_admin_is_a_page_that_says_so(client):
    response = client.get(reverse("admin:login"), HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    page = response.content.decode()
    assert "主机" in page and "过大" not in page


@pytest.mark.parametrize(
    ("exception", "code", "words"),
    [
        (RequestDataTooBig("x"), "request_too_large", "过大"),
        (TooManyFieldsSent("x"), "request_too_large", "过大"),
        (DisallowedHost("x"), "disallowed_host", "主机"),
        (SuspiciousMultipartForm("x"), "bad_request", "无法理解"),
        (BadRequest("x"), "bad_request", "无法理解"),
    ],
)
def test_every_400_django_raises_says_what_happened_in_either_shape(rf, exception, code, words):
    """Django's handler400 gets every SuspiciousOperation: each has its own words."""
    api = bad_request(rf.get("/api/v1/issues/"), exception)
    page = bad_request(rf.get("/admin/"), exception)

    assert api.status_code == page.status_code == 400
    assert json.loads(api.content)["code"] == code and words in json.loads(api.content)["detail"]
    assert words in page.content.decode() and 'href="/admin/"' in page.content.decode()
