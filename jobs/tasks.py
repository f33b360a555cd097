"""The Celery tasks of jobs: running one (retried with backoff) and the schedule's chores."""

from celery import shared_task
from django.conf import settings

from jobs import services


@shared_task(
    name="jobs.run",
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=settings.JOBS_RETRY_BACKOFF,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=settings.JOBS_MAX_RETRIES,
)
def run(self, job_pk: int) -> None:
    services.execute(job_pk, last_attempt=self.request.retries >= self.max_retries)


@shared_task(name="jobs.requeue_stalled")
def requeue_stalled() -> int:
    return services.requeue_stalled()


@shared_task(name="jobs.delete_old_files")
def delete_old_files() -> int:
    return services.delete_old_files()
