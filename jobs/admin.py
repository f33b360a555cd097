"""Jobs in the admin: a read-only list (what ran, for whom, how it ended), and the two
pages a job's box on other admin pages uses: its status as JSON and its file."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import path

from jobs import display
from jobs.downloads import NO_STORE, file_response
from jobs.models import Job
from jobs.permissions import may_see
from newsroom.admin.records import RecordAdminMixin


@admin.register(Job)
class JobAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind_label",
        "target_label",
        "state",
        "progress",
        "started_by",
        "finished_at",
    ]
    list_filter = ["state", "kind", "created_at"]
    search_fields = ["target_label", "error", "started_by__username"]
    date_hierarchy = "created_at"
    list_select_related = ["started_by"]

    @admin.display(description="任务", ordering="kind")
    def kind_label(self, job):
        return job.get_kind_display()

    @admin.display(description="进度")
    def progress(self, job):
        return f"{job.done}/{job.total}" if job.total else "—"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="jobs_job_status",
            ),
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="jobs_job_download",
            ),
            *super().get_urls(),
        ]

    def _job(self, request, object_id: str) -> Job:
        job = Job.objects.filter(pk=unquote(object_id)).first() if unquote(object_id).isdigit() else None
        if job is None:
            raise Http404("没有这个后台任务。")
        if not may_see(request.user, job):
            raise PermissionDenied
        return job

    def status_view(self, request, object_id: str):
        response = JsonResponse(display.as_json(self._job(request, object_id)))
        response["Cache-Control"] = NO_STORE
        return response

    def download_view(self, request, object_id: str):
        return file_response(self._job(request, object_id))
