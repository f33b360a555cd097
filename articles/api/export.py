"""The export endpoint: an issue's package (docs/export-format.md) for logged-in staff who
may export it (`services.export.may_export`: editors and duty chiefs). POST starts an export
job and answers 202 with the job's URL (jobs/<id>/: progress, then the download); GET still
streams the package from the request, for small issues and scripts. Never public and never
cached: session authentication only, `Cache-Control: private, no-store` on every answer,
errors included."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.exchange import export
from articles.exchange import jobs as export_jobs
from articles.exchange.download import NO_STORE, package_response
from jobs.api import JobSerializer, job_document
from newsroom.api.errors import ErrorSerializer

from ..models import Issue


class NotFinished(exceptions.APIException):
    status_code = 409
    default_code = "not_finished"
    default_detail = "专题尚未完成，不能导出。"


def _issue(slug: str) -> Issue:
    issue = Issue.objects.filter(slug=slug).first()
    if issue is None:
        raise Http404("没有这个专题。")
    return issue


class MayExport(permissions.BasePermission):
    message = "没有导出专题的权限：只有编辑和值班主任可以导出。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return export.may_export(user)


class IssueExportView(APIView):
    """The whole special report as a self-contained zip package."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [MayExport]
    http_method_names = ["get", "post", "options"]

    @extend_schema(
        operation_id="issues_export",
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH, description="专题的网址标识。")],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="导出包（ZIP）。"),
            403: OpenApiResponse(ErrorSerializer, description="未登录（not_authenticated）或无权导出。"),
            404: OpenApiResponse(ErrorSerializer, description="没有这个专题。"),
            409: OpenApiResponse(ErrorSerializer, description="专题尚未完成（not_finished）。"),
        },
    )
    def get(self, request, slug: str):
        try:
            return package_response(_issue(slug))
        except export.ExportRefused as refusal:
            raise NotFinished(str(refusal)) from refusal

    @extend_schema(
        operation_id="issues_export_job",
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH, description="专题的网址标识。")],
        request=None,
        responses={
            202: OpenApiResponse(JobSerializer, description="导出任务已排队；Location 为任务地址。"),
            403: OpenApiResponse(ErrorSerializer, description="未登录（not_authenticated）或无权导出。"),
            404: OpenApiResponse(ErrorSerializer, description="没有这个专题。"),
            409: OpenApiResponse(ErrorSerializer, description="专题尚未完成（not_finished）。"),
        },
    )
    def post(self, request, slug: str):
        try:
            job = export_jobs.start(_issue(slug), by=request.user)
        except export.ExportRefused as refusal:
            raise NotFinished(str(refusal)) from refusal
        document = job_document(request, job)
        return Response(document, status=202, headers={"Location": document["url"]})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        response["X-Robots-Tag"] = "noindex"
        return response
