"""A job for the staff API: where it stands (GET jobs/<id>/) and its file once done
(GET jobs/<id>/download/). Session authentication only, never cached, for the people
`jobs.permissions.may_see` lets watch it."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs import display
from jobs.downloads import NO_STORE, file_response
from jobs.models import Job
from jobs.permissions import may_see
from newsroom.api.errors import ErrorSerializer

JobSerializer = inline_serializer(
    "Job",
    {
        "id": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "state": serializers.ChoiceField(["queued", "running", "done", "failed"]),
        "state_display": serializers.CharField(),
        "done": serializers.IntegerField(),
        "total": serializers.IntegerField(),
        "percent": serializers.IntegerField(),
        "step": serializers.CharField(),
        "error": serializers.CharField(),
        "finished": serializers.BooleanField(),
        "created_at": serializers.DateTimeField(),
        "finished_at": serializers.DateTimeField(allow_null=True),
        "url": serializers.URLField(),
        "download": serializers.URLField(allow_null=True),
    },
)


def job_document(request, job: Job) -> dict:
    download = reverse("v1:job-download", args=[job.pk]) if job.file else None
    return {
        **display.as_json(job),
        "url": request.build_absolute_uri(reverse("v1:job-detail", args=[job.pk])),
        "download": request.build_absolute_uri(download) if download else None,
    }


class StaffJobView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "options"]

    def job(self, request, pk: int) -> Job:
        job = Job.objects.filter(pk=pk).first()
        # Another person's job is as absent as a missing one: ids say nothing.
        if job is None or not may_see(request.user, job):
            raise Http404("没有这个后台任务。")
        return job

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        return response


class JobDetailView(StaffJobView):
    """A background job (an export package, renditions): state, progress, download link."""

    @extend_schema(
        operation_id="jobs_retrieve",
        responses={
            200: JobSerializer,
            403: OpenApiResponse(ErrorSerializer, description="未登录（not_authenticated）。"),
            404: OpenApiResponse(ErrorSerializer, description="没有这个后台任务。"),
        },
    )
    def get(self, request, pk: int):
        return Response(job_document(request, self.job(request, pk)))


class JobDownloadView(StaffJobView):
    """The file a finished job made (an export package)."""

    @extend_schema(
        operation_id="jobs_download",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="任务生成的文件。"),
            403: OpenApiResponse(ErrorSerializer, description="未登录（not_authenticated）。"),
            404: OpenApiResponse(
                ErrorSerializer, description="没有这个任务，或它没有文件（未完成或已过保留期）。"
            ),
        },
    )
    def get(self, request, pk: int):
        return file_response(self.job(request, pk))
