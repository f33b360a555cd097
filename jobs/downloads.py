"""A finished job's file as a download, for both doors that hand it out (the admin's job
pages and the staff API): private, never kept by a cache."""

from django.http import FileResponse, Http404

from jobs.models import Job

NO_STORE = "private, no-store"


def file_response(job: Job) -> FileResponse:
    if not job.file:
        raise Http404("这个任务没有可下载的文件（未完成或已过保留期）。")
    name = job.result.get("filename") or job.file.name.rsplit("/", 1)[-1]
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = NO_STORE
    return response
