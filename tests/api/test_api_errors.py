"""Every API error answers {"code", "detail"}: a stable code to switch on, Chinese to read."""

import datetime as dt
import hashlib
import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions, serializers
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from articles.models import Issue
from newsroom.api.errors import MESSAGES
from tests.factories import IssueFactory
from tests.seed import SEED_PATH

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def assert_chinese_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert HAN.search(body["detail"]), body
    return body


# Through the real endpoints.


def test_unknown_issue_is_a_chinese_404_that_names_no_model(client):
    response = client.get(reverse("v1:issue-detail", kwargs={"slug": "mei-you-zhe-ge"}))

    body = assert_chinese_error(response, 404, "not_found")
    assert set(body) == {"code", "detail"}
    assert not LATIN_WORD.search(body["detail"])  # no "Issue", no "No … matches the given query."


def test_draft_issue_answers_exactly_like_an_unknown_one(client):
    draft = Issue.objects.create(title="未发布的专题", slug="wei-fa-bu", issue_date=dt.date(2022, 6, 20))

    unknown = client.get(reverse("v1:issue-detail", kwargs={"slug": "mei-you-zhe-ge"}))
    hidden = client.get(reverse("v1:issue-detail", kwargs={"slug": draft.slug}))

    assert (hidden.status_code, hidden.json()) == (unknown.status_code, unknown.json())


def test_unknown_article_is_a_chinese_404(client):
    response = client.get(reverse("v1:article-detail", kwargs={"pk": 987654}))

    body = assert_chinese_error(response, 404, "not_found")
    assert not LATIN_WORD.search(body["detail"])  # no "Article"


@pytest.mark.parametrize(
    ("method", "url_name", "kwargs"),
    [
        ("post", "v1:issue-list", {}),
        ("put", "v1:issue-detail", {"slug": "wo-men-zhe-shi-nian"}),
        ("delete", "v1:article-detail", {"pk": 1}),
    ],
)
def test_writing_to_a_read_endpoint_is_a_chinese_405(client, method, url_name, kwargs):
    response = getattr(client, method)(reverse(url_name, kwargs=kwargs))

    body = assert_chinese_error(response, 405, "method_not_allowed")
    assert body["detail"] == f"不支持 {method.upper()} 请求。"
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("page", ["999", "abc", "0"])
def test_a_bad_page_number_is_a_chinese_404(client, page):
    IssueFactory()

    response = client.get(reverse("v1:issue-list"), {"page": page})

    body = assert_chinese_error(response, 404, "invalid_page")
    assert not LATIN_WORD.search(body["detail"])  # no "Invalid page."


def test_an_unsupported_accept_header_is_a_chinese_406(client):
    response = client.get(reverse("v1:issue-list"), HTTP_ACCEPT="text/csv")

    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"
    assert HAN.search(response.json()["detail"])


def test_the_schema_documents_the_error_body_on_every_endpoint(client):
    response = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()

    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail"}
    for path in ("/api/v1/issues/", "/api/v1/issues/{slug}/", "/api/v1/articles/{id}/"):
        responses = schema["paths"][path]["get"]["responses"]
        assert "200" in responses, path
        not_found = responses["404"]["content"]["application/json"]["schema"]
        assert not_found == {"$ref": "#/components/schemas/Error"}, path


def test_the_schema_documents_refusals_before_any_view_and_failed_preconditions(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], (method, path)  # a NUL parameter, a wrong Host
    for path in ("/api/v1/issues/", "/api/v1/issues/{slug}/", "/api/v1/articles/{id}/"):
        failed = schema["paths"][path]["get"]["responses"]["412"]["content"]["application/json"]["schema"]
        assert failed == {"$ref": "#/components/schemas/Error"}, path


# The handler itself, on every kind of error REST framework raises.


class Raising(APIView):
    """Raises whatever it is given; no authentication or throttling of its own."""

    error: Exception = exceptions.APIException()

    def get(self, request):
        raise self.error


def raise_through_a_view(error: Exception):
    return Raising.as_view(error=error)(APIRequestFactory().get("/"))


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Http404("No Issue matches the given query."), 404, "not_found"),
        (Http404(), 404, "not_found"),
        (exceptions.NotFound(), 404, "not_found"),
        (exceptions.ParseError("JSON parse error - Expecting value"), 400, "parse_error"),
        (exceptions.NotAuthenticated(), 403, "not_authenticated"),
        (exceptions.AuthenticationFailed(), 403, "authentication_failed"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (DjangoPermissionDenied("Forbidden"), 403, "permission_denied"),
        (exceptions.UnsupportedMediaType("text/csv"), 415, "unsupported_media_type"),
        (exceptions.Throttled(), 429, "throttled"),
        (exceptions.APIException(), 500, "error"),
    ],
)
def test_framework_and_english_texts_are_replaced_by_the_table(error, status, code):
    response = raise_through_a_view(error)

    assert response.status_code == status
    assert response.data == {"code": code, "detail": MESSAGES[code]}


def test_a_validation_error_keeps_the_field_messages_under_errors():
    class Form(serializers.Serializer):
        title = serializers.CharField(max_length=4)

    form = Form(data={"title": "太长的一个标题"})
    with pytest.raises(exceptions.ValidationError) as raised:
        form.is_valid(raise_exception=True)

    response = raise_through_a_view(raised.value)

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["detail"] == MESSAGES["invalid"]
    assert list(response.data["errors"]) == ["title"]
    assert HAN.search(str(response.data["errors"]["title"][0]))  # Django's zh-hans message


def test_a_throttled_error_says_how_long_to_wait_and_keeps_retry_after():
    response = raise_through_a_view(exceptions.Throttled(wait=2.5))

    assert response.data == {"code": "throttled", "detail": "请求过于频繁，请 3 秒后再试。"}
    assert response.has_header("Retry-After")  # REST framework's header is kept


@pytest.mark.parametrize(
    "error",
    [Http404("预览链接无效或已过期。"), exceptions.NotFound("该稿件已撤回。")],
)
def test_a_chinese_sentence_the_view_wrote_reaches_the_reader(error):
    response = raise_through_a_view(error)

    assert response.status_code == 404
    assert response.data == {"code": "not_found", "detail": str(error.args[0])}


def test_a_custom_code_keeps_its_own_text():
    response = raise_through_a_view(exceptions.NotFound("该稿件已撤回。", code="withdrawn"))

    assert response.data == {"code": "withdrawn", "detail": "该稿件已撤回。"}


# The repository is self-contained.


def test_the_seed_page_is_read_from_inside_the_repository():
    repository = settings.BASE_DIR.resolve()

    assert SEED_PATH.resolve().is_relative_to(repository / "tests" / "fixtures")
    assert ".." not in SEED_PATH.parts
    assert SEED_PATH.is_file()


def test_the_seed_copy_is_the_one_its_readme_describes():
    readme = (SEED_PATH.parent / "README.md").read_text(encoding="utf-8")

    assert SEED_PATH.name.removeprefix("seed_") in readme
    assert hashlib.sha256(SEED_PATH.read_bytes()).hexdigest() in readme


@pytest.mark.parametrize("path", ["/api/v1/articles/abc/", "/api/v1/nothing/", "/api/v2/issues/"])
def test_unmatched_api_paths_answer_json_in_chinese(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert HAN.search(response.json()["detail"])


def test_a_missing_trailing_slash_still_redirects(client):
    response = client.get("/api/v1/issues")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/issues/"
