"""An issue's export package as a background job: the editor asks, a worker writes the
zip (the 200-article issue takes seconds), the issue's page shows the progress and then a
download link, kept JOB_FILES_KEEP_DAYS days (jobs.services.delete_old_files)."""

import secrets
import tempfile

from django.core.files import File

from articles.exchange import export
from articles.exchange.snapshots import source_publication, unfinished_reason
from articles.models import Issue
from jobs import registry, services
from jobs.models import Job

KIND = "export"


@registry.handler(KIND, label="导出专题", permits=export.may_export)
def package(job: Job, progress) -> dict:
    issue = Issue.objects.filter(pk=job.target_id).first()
    if issue is None:
        raise registry.Permanent("专题已被删除。")
    filename = export.package_filename(issue)
    with tempfile.TemporaryFile() as out:
        try:
            result = export.export_issue(issue, out, progress=progress, user=job.started_by)
        except export.ExportRefused as refusal:
            raise registry.Permanent(f"未能导出：{refusal}") from refusal
        out.seek(0)
        # A fresh, unguessable name per package: a retried job never overwrites one handed out.
        job.file.save(f"{secrets.token_hex(8)}-{filename}", File(out), save=False)
    return {
        "filename": filename,
        "bytes": result.bytes_written,
        "articles": result.articles,
        "photos": result.photos,
    }


def start(issue: Issue, *, by) -> Job:
    """Queue the issue's export; ExportRefused at once, with the reason, while the issue is
    unfinished (the job checks again when it runs)."""
    reason = unfinished_reason(issue, source_publication(issue))
    if reason:
        raise export.ExportRefused(reason)
    return services.start(KIND, issue, by=by)


def latest(issue: Issue) -> Job | None:
    return Job.objects.latest_of(issue, KIND)
