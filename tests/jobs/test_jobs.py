"""Jobs without a worker: what a run does to its row (state, attempts, reason), what a
broker that is down does to a save, the schedule's chores, and the admin's read-only list.
tests/jobs/test_worker.py has the same on a real worker and broker."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from jobs import registry, services
from jobs.models import Job
from jobs.probe import KIND as PROBE
from newsroom.celery import app as celery_app
from tests.conftest import logged_in
from tests.factories import PhotoFactory
from tests.jobs.worker import forget_broker

pytestmark = pytest.mark.django_db


def queued(**params) -> Job:
    return Job.objects.create(kind=PROBE, params=params)


def test_a_run_marks_the_job_done_with_its_result():
    job = services.execute(queued().pk, last_attempt=True)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == ("done", 1, "")
    assert job.started_at and job.finished_at and job.result["attempt"] == 1


def test_a_message_delivered_twice_runs_the_job_once():
    job = queued()
    services.execute(job.pk, last_attempt=True)
    assert services.execute(job.pk, last_attempt=True) is None
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_failure_before_the_last_attempt_queues_the_job_again_with_the_reason():
    job = queued(fail_times=1)
    with pytest.raises(RuntimeError):  # raised for the queue to retry
        services.execute(job.pk, last_attempt=False)
    job.refresh_from_db()
    assert (
        job.state == "queued" and job.step == "第 1 次未成功，稍后重试：RuntimeError: 自检按要求第 1 次失败"
    )
    services.execute(job.pk, last_attempt=False)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.step) == ("done", 2, "")


def test_the_last_failure_marks_the_job_failed_with_the_reason():
    job = queued(fail_times=3)
    with pytest.raises(RuntimeError):
        services.execute(job.pk, last_attempt=True)
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "RuntimeError: 自检按要求第 1 次失败")


def test_a_permanent_failure_is_not_retried(monkeypatch):
    def refuse(job, progress):
        raise registry.Permanent("文件坏了")

    monkeypatch.setitem(
        registry._kinds, "refused", registry.Kind("refused", "测试", refuse, lambda user: True)
    )
    job = Job.objects.create(kind="refused")
    services.execute(job.pk, last_attempt=False)  # nothing raised: nothing to retry
    job.refresh_from_db()
    assert (job.state, job.error, job.attempts) == ("failed", "文件坏了", 1)


def test_an_unknown_kind_is_refused_when_started_not_in_a_worker():
    with pytest.raises(LookupError, match="没有“nope”这种后台任务"):
        services.start("nope")
    assert not Job.objects.exists()


def test_a_broker_that_is_down_never_fails_the_save_and_the_job_is_sent_again_later(
    settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens there
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = settings.CELERY_BROKER_URL
    forget_broker()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.start(PROBE)
    finally:
        celery_app.conf.broker_url = saved
        forget_broker()
    job.refresh_from_db()
    assert job.state == "queued" and job.step == "任务队列暂不可用，稍后自动重发"

    settings.CELERY_BROKER_URL = ""  # the broker is back (here: run in process)
    assert services.requeue_stalled() == 0  # not stalled yet
    with time_machine.travel(timezone.now() + settings.JOBS_STALLED_AFTER + dt.timedelta(minutes=1)):
        assert services.requeue_stalled() == 1
    job.refresh_from_db()
    assert job.state == "done"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_the_job_runs_in_a_thread_after_the_commit(settings):
    settings.JOBS_IN_PROCESS = "thread"
    with transaction.atomic():
        job = services.start(PROBE, params={"seconds": 0.3})
    assert Job.objects.get(pk=job.pk).state in ("queued", "running")  # the caller did not wait
    services._in_process.submit(lambda: None).result(timeout=30)  # the thread's queue drained
    job.refresh_from_db()
    assert job.state == "done"


def test_old_job_files_are_deleted_and_the_rows_kept(settings):
    job = queued()
    job.file.save("pkg.zip", ContentFile(b"zip"), save=False)
    job.state, job.finished_at = "done", timezone.now()
    job.save()
    name = job.file.name
    assert services.delete_old_files() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=settings.JOB_FILES_KEEP_DAYS, hours=1)):
        assert services.delete_old_files() == 1
    job.refresh_from_db()
    assert not job.file and not job.file.storage.exists(name) and Job.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_check_queue_reports_the_worker_that_ran_the_probe():
    out = io.StringIO()
    call_command("check_queue", "--timeout", "5", stdout=out)
    assert out.getvalue().startswith("任务队列正常：自检任务 #")


def test_the_schedule_names_only_tasks_that_exist():
    celery_app.loader.import_default_modules()  # what a worker does as it starts
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


def test_the_chores_run(settings):
    from axes.models import AccessLog

    from articles.tasks import delete_expired_preview_links
    from media.tasks import prune_retired_files
    from newsroom.maintenance import delete_old_axes_records

    AccessLog.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="t", http_accept="", path_info="/"
    )
    AccessLog.objects.update(
        attempt_time=timezone.now() - dt.timedelta(days=settings.AXES_RECORDS_KEEP_DAYS + 1)
    )
    assert delete_old_axes_records() == 1 and not AccessLog.objects.exists()
    assert prune_retired_files() == 0
    assert delete_expired_preview_links() == 0


def test_the_jobs_list_is_read_only_and_a_job_shows_to_who_may_see_it(editor, reporter, superuser):
    job = services.execute(queued().pk, last_attempt=True)
    admin = logged_in(superuser)
    assert admin.get("/admin/jobs/job/").status_code == 200
    assert admin.get(f"/admin/jobs/job/{job.pk}/change/").status_code == 200  # a view, no form
    assert admin.post(f"/admin/jobs/job/{job.pk}/delete/").status_code == 403
    assert admin.get("/admin/jobs/job/add/").status_code == 403
    # The probe is the superusers'; a photo's renditions job, whoever sees photos.
    assert logged_in(editor).get(f"/admin/jobs/job/{job.pk}/status/").status_code == 403
    assert admin.get(f"/admin/jobs/job/{job.pk}/status/").json()["state"] == "done"
    assert admin.get("/admin/jobs/job/x/status/").status_code == 404
    photo = PhotoFactory()
    renditions = services.start("renditions", photo)
    assert logged_in(reporter).get(f"/admin/jobs/job/{renditions.pk}/status/").json()["state"] == "queued"


def test_a_queued_renditions_job_shows_on_the_photo_page(editor):
    photo = PhotoFactory(renditions=False)
    job = services.start("renditions", photo, by=editor)  # never committed here: stays queued
    page = logged_in(editor).get(f"/admin/media/photo/{photo.pk}/change/").content.decode()
    assert f'data-job-status="/admin/jobs/job/{job.pk}/status/"' in page
    assert "排队中" in page and "jobs/progress.js" in page


def test_a_job_file_is_never_served_as_an_upload_even_to_staff(rf, superuser):
    from django.http import Http404

    from media.views import media_file

    job = queued()
    job.file.save("pkg.zip", ContentFile(b"zip"), save=True)
    photo = PhotoFactory(renditions=False)
    request = rf.get("/")
    request.user = superuser
    assert media_file(request, photo.image.name).status_code == 200  # staff see other uploads
    with pytest.raises(Http404):
        media_file(request, job.file.name)
    assert logged_in(superuser).get(f"/admin/jobs/job/{job.pk}/download/").status_code == 200
