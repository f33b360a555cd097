"""The API's error responses: one shape, Chinese for readers, a stable code for front-ends.

Every error the API answers has the body ``{"code": "...", "detail": "..."}``; a validation
error adds ``errors``, the messages keyed by field name.

``code`` is REST framework's own stable code (``exc.get_codes()`` / ``default_code``:
``not_found``, ``method_not_allowed``, ``parse_error`` …), plus ``invalid_page`` for a page
number that is malformed or past the end. Front-ends switch on it.

``detail`` is Chinese whatever raised the error:

- a sentence the view wrote for readers, in Chinese, is kept:
  ``raise Http404("预览链接无效或已过期。")``, ``raise NotFound("该稿件已撤回。")``;
- anything else comes from MESSAGES, keyed by code: REST framework's own wording (its
  zh-hans catalogue has it, but in its own words: 方法 “POST” 不被允许。) and every English
  text, above all Django's ``get_object_or_404`` one ("No Issue matches the given query."),
  which names the model;
- a code missing from MESSAGES (``raise NotFound("…", code="withdrawn")``) keeps its text.

Wired in settings: ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``. Exceptions REST framework does
not handle (server errors) still end in Django's 500.
"""

import math
import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.views import exception_handler

INVALID_PAGE = "invalid_page"

MESSAGES = {
    "not_found": "未找到该内容。",
    INVALID_PAGE: "页码无效或超出范围。",
    "method_not_allowed": "不支持 {method} 请求。",
    "not_acceptable": "无法按请求的 Accept 头所要求的格式返回内容。",
    "unsupported_media_type": "不支持该请求体格式。",
    "parse_error": "请求体格式有误，无法解析。",
    "invalid": "提交的数据有误。",
    "not_authenticated": "请先登录。",
    "authentication_failed": "身份验证失败。",
    "permission_denied": "没有权限执行此操作。",
    "throttled": "请求过于频繁，请稍后再试。",
    "error": "服务器出错，请稍后再试。",
}
THROTTLED_WAIT = "请求过于频繁，请 {wait} 秒后再试。"
# Codes whose text is always the table's: the framework words these itself.
FRAMEWORK_WORDED = {INVALID_PAGE, "method_not_allowed", "throttled"}

HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\\\{\w+\\\}")  # an escaped {method}, {media_type} …


def api_exception_handler(exc, context):
    """REST framework's handler (status, headers, rollback), with the body in our shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*chinese_args(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*chinese_args(exc))

    response = exception_handler(exc, context)
    if response is None:
        return None

    code = error_code(exc, context)
    body = {"code": code, "detail": message(code, exc, context)}
    if isinstance(exc, exceptions.ValidationError):
        body["errors"] = exc.detail
    response.data = body
    return response


def chinese_args(exc: Exception) -> tuple:
    """A Django exception's message if a view wrote it in Chinese, else nothing."""
    return exc.args[:1] if exc.args and isinstance(exc.args[0], str) and HAN.search(exc.args[0]) else ()


def error_code(exc: exceptions.APIException, context) -> str:
    if is_invalid_page(exc, context):
        return INVALID_PAGE
    codes = exc.get_codes()
    # A validation error's codes are per field (a list or dict); the response's code is one.
    return codes if isinstance(codes, str) else exc.default_code


def is_invalid_page(exc: exceptions.APIException, context) -> bool:
    """Whether this 404 is the paginator's: REST framework raises a plain NotFound with the
    paginator's ``invalid_page_message``, so the message is what tells it apart."""
    if not isinstance(exc, exceptions.NotFound):
        return False
    paginator = getattr(context.get("view"), "paginator", None)
    page_message = getattr(paginator, "invalid_page_message", None)
    return page_message is not None and str(exc.detail) == str(page_message)


def message(code: str, exc: exceptions.APIException, context) -> str:
    if code == "method_not_allowed":
        return MESSAGES[code].format(method=getattr(context.get("request"), "method", ""))
    if code == "throttled" and getattr(exc, "wait", None):
        return THROTTLED_WAIT.format(wait=math.ceil(exc.wait))
    if code not in MESSAGES:
        return str(exc.detail) if isinstance(exc.detail, str) else MESSAGES["error"]
    if code not in FRAMEWORK_WORDED and is_own_chinese(exc):
        return str(exc.detail)
    return MESSAGES[code]


def is_own_chinese(exc: exceptions.APIException) -> bool:
    """Whether the detail is a Chinese sentence of the raiser's, not the exception's default
    (translated by REST framework, placeholders such as {method} filled in)."""
    detail = exc.detail
    if not isinstance(detail, str) or not HAN.search(detail):
        return False
    default = PLACEHOLDER.sub(".*", re.escape(str(exc.default_detail)))
    return re.fullmatch(default, detail) is None


class ErrorSerializer(serializers.Serializer):
    """The body of every API error: `code` to switch on, `detail` to show the reader."""

    code = serializers.CharField(
        help_text="Stable machine code to switch on: not_found, invalid_page, method_not_allowed, "
        "not_acceptable, unsupported_media_type, parse_error, invalid, disallowed_host, "
        "request_too_large, bad_request, precondition_failed, not_authenticated, "
        "authentication_failed, permission_denied, throttled, service_unavailable, error."
    )
    detail = serializers.CharField(help_text="A Chinese sentence for the reader, e.g. 未找到该内容。")
    errors = serializers.JSONField(
        required=False,
        help_text="Only with code `invalid`: the messages keyed by field name.",
    )


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@permission_classes([AllowAny])
def api_not_found(request, *args, **kwargs):
    """Unmatched paths under /api/ answer in the API's own error shape, not Django's HTML page
    (which, with DEBUG on, would list every URL pattern)."""
    raise exceptions.NotFound()


# Answers any operation may give, whatever its view: added to each in the OpenAPI document.
EVERY_OPERATION = {
    "400": (
        "在任何视图之前被拒绝（disallowed_host、request_too_large、bad_request，"
        "或查询参数中有空字符 %00 的 invalid）。",
        None,
    ),
    "429": ("请求过于频繁（throttled）：Retry-After 秒后再试。", "Retry-After"),
    "503": ("数据库暂时不可用（service_unavailable）：Retry-After 秒后再试。", "Retry-After"),
}


def document_every_operations_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation may be refused before its view
    (400: newsroom/middleware.py), throttled (429) and answers 503 while the database is
    away; say so in each."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for status, (description, header) in EVERY_OPERATION.items():
                answer = {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                if header:
                    answer["headers"] = {header: {"schema": {"type": "integer"}, "description": "秒数"}}
                operation["responses"].setdefault(status, answer)
    return result
