"""A job as the admin shows it where it was started: state, progress bar, reason, link.
jobs/static/jobs/progress.js keeps it current and reloads the page once the job ends."""

from django.contrib.admin.utils import quote
from django.template.loader import render_to_string
from django.urls import reverse

from jobs.models import Job


def status_url(job: Job) -> str:
    return reverse("admin:jobs_job_status", args=[quote(job.pk)])


def download_url(job: Job) -> str:
    return reverse("admin:jobs_job_download", args=[quote(job.pk)])


def render(job: Job | None, *, done_text: str = "") -> str:
    if job is None:
        return ""
    return render_to_string(
        "jobs/progress.html",
        {
            "job": job,
            "status_url": status_url(job),
            "download_url": download_url(job) if job.file else "",
            "done_text": done_text,
        },
    )


def as_json(job: Job) -> dict:
    """What the page's script (and the staff API) reads of a job."""
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "state_display": job.get_state_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "step": job.step,
        "error": job.error,
        "finished": job.finished,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
