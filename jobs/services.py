"""Starting jobs and running them: the one place that knows where work runs (the broker,
a thread of this process, or inline) and how a job's row follows it."""

import contextlib
import contextvars
import datetime as dt
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from auditlog import context as auditlog_context
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.utils import timezone

from jobs import registry
from jobs.models import Job, JobState

log = logging.getLogger(__name__)

# The embedded default's "worker": one thread, so two jobs never fight over SQLite's lock.
_in_process = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs")


def start(kind: str, target=None, *, by=None, params: dict | None = None) -> Job:
    """A new queued job of `kind` about `target`, sent to run once the caller's transaction
    commits (nothing runs for a save that is rolled back)."""
    registry.kind(kind)  # an unknown kind fails here, in the caller, not in a worker
    job = Job.objects.create(
        kind=kind,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        params=params or {},
        started_by=by if by is not None and by.is_authenticated else None,
    )
    transaction.on_commit(partial(send, job.pk), robust=True)
    return job


def send(job_pk: int) -> None:
    """Hand the job to whatever runs jobs here (see newsroom/settings/tasks.py)."""
    if settings.CELERY_BROKER_URL:
        from jobs.tasks import run

        try:
            run.apply_async(args=[job_pk])
        except Exception as error:  # noqa: BLE001 - a broker that is down must not fail the save
            log.warning("任务 %s 未能送入任务队列（稍后自动重发）：%s", job_pk, error)
            Job.objects.filter(pk=job_pk).update(step="任务队列暂不可用，稍后自动重发")
    elif settings.JOBS_IN_PROCESS == "inline":
        run_quietly(job_pk)
    else:
        # The caller's context goes along: its request id on the job's log lines.
        _in_process.submit(contextvars.copy_context().run, _in_thread, job_pk)


def _in_thread(job_pk: int) -> None:
    try:
        run_quietly(job_pk)
    finally:
        # This thread's own connections (Django keeps one per thread): not left open
        # between jobs, where nothing would ever close them.
        connections.close_all()


def run_quietly(job_pk: int) -> Job | None:
    """`execute` as the only attempt: a failure is the job's (state failed, the reason
    kept), never the caller's."""
    try:
        return execute(job_pk, last_attempt=True)
    except Exception:
        log.exception("后台任务 %s 失败", job_pk)
        return Job.objects.filter(pk=job_pk).first()


def execute(job_pk: int, *, last_attempt: bool) -> Job | None:
    """Run the job once. A job already finished (a message delivered twice) is left as it
    is. A failure on the last attempt marks the job failed; on an earlier one the job is
    queued again, the reason shown, and the error raised for the queue to retry."""
    job = _claim(job_pk)
    if job is None:
        return None
    kind = registry.kind(job.kind)
    try:
        with _acting_as(job):
            result = kind.run(job, Progress(job))
    except registry.Permanent as refusal:
        return _finish(job, JobState.FAILED, error=str(refusal))
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:2000]
        if last_attempt:
            _finish(job, JobState.FAILED, error=reason)
        else:
            Job.objects.filter(pk=job.pk).update(
                state=JobState.QUEUED, step=f"第 {job.attempts} 次未成功，稍后重试：{reason}"[:200]
            )
        raise
    return _finish(job, JobState.DONE, result=result or {})


def _acting_as(job: Job):
    """What the job changes is recorded in the audit trail as done by whoever started it
    (a worker has no request to take the user from)."""
    if job.started_by is None:
        return contextlib.nullcontext()
    return auditlog_context.set_actor(job.started_by)


def _claim(job_pk: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_pk).first()
        if job is None or job.finished:
            return None
        job.state = JobState.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.error = ""
        job.save(update_fields=["state", "attempts", "started_at", "error", "updated_at"])
    return job


def _finish(job: Job, state: str, *, error: str = "", result: dict | None = None) -> Job:
    job.state, job.error, job.finished_at = state, error, timezone.now()
    fields = ["state", "error", "finished_at", "updated_at", "step", "file"]
    job.step = ""
    if result is not None:
        job.result = result
        fields.append("result")
    job.save(update_fields=fields)
    return job


class Progress:
    """What a running job reports: how many of how many, and the step. Written to the row
    at most a few times a second (a job's loop may call it per item)."""

    interval = 0.25

    def __init__(self, job: Job):
        self.job = job
        self._written = 0.0

    def __call__(self, done: int, total: int, step: str = "") -> None:
        now = time.monotonic()
        if done < total and now - self._written < self.interval:
            return
        self._written = now
        self.job.done, self.job.total, self.job.step = done, total, step[:200]
        Job.objects.filter(pk=self.job.pk).update(
            done=done, total=total, step=step[:200], updated_at=timezone.now()
        )


def requeue_stalled() -> int:
    """Send again the jobs nobody has worked on for JOBS_STALLED_AFTER (their message was
    never sent, or their worker died and the broker kept quiet); returns how many."""
    stalled = list(
        Job.objects.stalled(timezone.now() - settings.JOBS_STALLED_AFTER).values_list("pk", flat=True)
    )
    for pk in stalled:
        Job.objects.filter(pk=pk).update(updated_at=timezone.now())
        send(pk)
    return len(stalled)


def delete_old_files() -> int:
    """Delete the files (export packages) of jobs finished more than JOB_FILES_KEEP_DAYS
    ago; the rows stay as the record of what was done."""
    before = timezone.now() - dt.timedelta(days=settings.JOB_FILES_KEEP_DAYS)
    old = Job.objects.filter(finished_at__lt=before).exclude(file="")
    count = 0
    for job in old:
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="")
        count += 1
    return count
