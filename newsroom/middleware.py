"""Answers for requests that fail outside a view's own error handling."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

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
