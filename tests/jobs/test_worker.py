"""Jobs on a real worker and broker (RabbitMQ and Redis): run, retried with backoff, and
not lost when the worker is SIGKILLed in the middle of one. PostgreSQL only (tests/jobs/
worker.py); `.ci/run` runs them with REQUIRE_SERVICES set, so a missing broker fails."""

import pytest
from django.db import transaction

from jobs import services
from jobs.models import Job
from jobs.probe import KIND as PROBE
from tests.jobs.worker import VISIBILITY_TIMEOUT, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BOOT = 60  # a worker's start with Django, on a loaded two-core machine


def started(**params) -> Job:
    with transaction.atomic():  # sent to the broker when this commits
        return services.start(PROBE, params=params)


def state_of(job: Job, *states):
    job.refresh_from_db()
    return job if job.state in states else None


def test_a_worker_runs_a_job_sent_through_the_broker(worker):
    process = worker.start()
    job = started()
    done = wait_for(lambda: state_of(job, "done", "failed"), BOOT, "the probe to finish", worker.log)
    assert done.state == "done" and done.attempts == 1
    assert done.result["pid"] != process.pid  # run by the pool's child, not this process


def test_a_failing_job_is_retried_with_backoff_until_it_succeeds(worker):
    worker.start()
    job = started(fail_times=2)
    done = wait_for(lambda: state_of(job, "done", "failed"), BOOT + 20, "the retried probe", worker.log)
    assert (done.state, done.attempts, done.result["attempt"]) == ("done", 3, 3)
    assert done.error == ""


def test_a_job_failing_every_attempt_ends_failed_with_the_reason(worker, settings):
    worker.env["JOBS_MAX_RETRIES"] = "1"
    worker.start()
    job = started(fail_times=5)
    failed = wait_for(lambda: state_of(job, "done", "failed"), BOOT + 20, "the probe to fail", worker.log)
    assert (failed.state, failed.attempts) == ("failed", 2)
    assert failed.error == "RuntimeError: 自检按要求第 2 次失败"


def test_a_worker_killed_mid_job_loses_nothing(worker):
    first = worker.start()
    job = started(seconds=8)
    wait_for(lambda: state_of(job, "running"), BOOT, "the probe to start", worker.log)
    running_in = first.pid

    worker.kill(first)  # SIGKILL: no acknowledgement, no clean-up
    job.refresh_from_db()
    assert job.state == "running" and job.attempts == 1  # the row still says so; nobody runs it
    worker.start()

    # RabbitMQ gives the message back when the dead worker's connection drops; Redis once
    # its visibility timeout has passed.
    done = wait_for(
        lambda: state_of(job, "done", "failed"), BOOT + VISIBILITY_TIMEOUT + 20, "redelivery", worker.log
    )
    assert done.state == "done" and done.attempts == 2
    assert done.result["pid"] != running_in
    assert Job.objects.count() == 1
