"""Answers for requests that fail outside a view's own error handling, and for requests
no view should be handed."""

import logging

from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class FailureAnswersMiddleware:
    """A database that is away answers 503 with Retry-After (a clean, retryable error for
    front-ends and the CDN, instead of a 500); under /api/ every other unhandled error answers
    the API's JSON error shape too, with DEBUG on or off (Django's debug page would list
    settings and URL patterns to whoever asked)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        is_api = request.path.startswith("/api/")
        if isinstance(exception, OperationalError | InterfaceError):
            log.error("database unavailable: %s", exception)
            detail = "服务暂时不可用（数据库连接中断），请稍后再试。"
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
            if is_api:
                return JsonResponse(
                    {"code": "service_unavailable", "detail": detail},
                    status=503,
                    headers=headers,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponse(detail, status=503, headers=headers, content_type="text/plain; charset=utf-8")
        if is_api:
            log.exception("API error on %s", request.path)
            return JsonResponse(
                {"code": "error", "detail": "服务器出错，请稍后再试。"},
                status=500,
                headers={"Cache-Control": "no-store"},
                json_dumps_params={"ensure_ascii": False},
            )
        return None


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _json(body: dict, status: int) -> JsonResponse:
    return JsonResponse(
        body, status=status, headers={"Cache-Control": "no-store"}, json_dumps_params={"ensure_ascii": False}
    )


def _page(status: int, heading: str, *paragraphs: str) -> HttpResponse:
    """The Chinese error page (newsroom/templates/400.html), rendered without the request:
    a request refused for its Host must not be asked for it again."""
    body = loader.render_to_string("400.html", {"heading": heading, "paragraphs": paragraphs})
    return HttpResponse(body, status=status)


# Query parameters

NUL_TEXT = "请求参数中有空字符（NUL，%00），无法处理：请删除网址中的 %00 后重试。"
NUL_FIELD_TEXT = "此参数中有空字符（NUL，%00），请删除。"


class RefuseNulParametersMiddleware:
    """A NUL in a query parameter (its name or its value) is a 400 before any view runs.
    No text of ours may hold one (media/validators.py refuses control characters), so such
    a parameter can only be a mistake or a probe; handed on, it reached the admin's search,
    list filters and autocomplete lookups, where PostgreSQL refuses NUL in a query parameter
    and the request ended in a 500. Form posts are Django's forms' to refuse (every
    CharField rejects NUL)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            names = [name for name, values in request.GET.lists() if "\x00" in name + "".join(values)]
            if names:
                return self.refuse(request, names)
        return self.get_response(request)

    @staticmethod
    def refuse(request, names: list[str]) -> HttpResponse:
        if _is_api(request):
            errors = {name.replace("\x00", "%00"): [NUL_FIELD_TEXT] for name in names}
            return _json({"code": "invalid", "detail": NUL_TEXT, "errors": errors}, 400)
        return _page(
            400,
            "网址中有空字符，无法打开",
            NUL_TEXT,
            "如果是从书签或别人发来的链接打开的，请从后台首页重新进入。",
        )


# Django's 400 (handler400 in newsroom/urls.py): each refusal in its own words. Django sends
# every SuspiciousOperation here, a disallowed Host as much as a body too large to read.

# Each: the API's code and detail, then the page's heading and paragraphs.
TOO_LARGE = (
    "request_too_large",
    "请求过大（内容太多或字段太多），超过了服务器一次能接收的大小，没有处理：请减小后重试。",
    "提交的内容过大或有误，没有保存",
    "这次提交没有保存任何内容。最常见的原因是一次提交的文字太多，超过了后台一次能接收的大小，"
    "例如把整个文件粘贴进了一个文本框。",
    "请用浏览器的“后退”按钮回到刚才的页面（输入的内容通常还在），把过长的文字分成几段，或分几次保存。"
    "整版稿件请在“导入稿件”页上传 .txt 或 .docx 文件。",
)
BAD_REQUESTS = [
    (
        DisallowedHost,
        (
            "disallowed_host",
            "请求所用的主机名（Host）不是本服务的地址，没有处理：请通过正式域名访问。",
            "这个网址的主机名不在本站允许的名单中",
            "请求所用的主机名（Host）不是本站的地址，服务器没有处理这个请求。",
            "请通过本站的正式网址访问；如果这是新启用的域名，请技术部门把它加入 ALLOWED_HOSTS。",
        ),
    ),
    (RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent, TOO_LARGE),
]
BAD_REQUEST = (
    "bad_request",
    "请求有误，服务器无法理解，没有处理：请检查请求后重试。",
    "请求有误，无法处理",
    "服务器无法理解这个请求，没有保存任何内容。",
    "请用浏览器的“后退”按钮回到刚才的页面重试；如果一再出现，请告诉技术部门。",
)


def bad_request(request, exception=None):
    """handler400: what really happened, as the API's JSON error under /api/ (README, "API
    errors") and as a Chinese page elsewhere."""
    code, detail, heading, *paragraphs = next(
        (words for kind, words in BAD_REQUESTS if isinstance(exception, kind)), BAD_REQUEST
    )
    if _is_api(request):
        return _json({"code": code, "detail": detail}, 400)
    return _page(400, heading, *paragraphs)
