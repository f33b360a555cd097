"""A real Celery worker on a real broker for the tests of tests/jobs/: a subprocess on the
test's own PostgreSQL database (a second process cannot share SQLite's in-memory test
database) and a queue of its own, killed at the end."""

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from kombu import Connection, pools

from newsroom.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
BROKERS = {
    "rabbitmq": os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    "redis": os.environ.get("TEST_BROKER_REDIS_URL", "redis://127.0.0.1:6379/13"),
}
# Redis gives an unacknowledged message back only after this long (RabbitMQ at once).
VISIBILITY_TIMEOUT = 3


def reachable(url: str) -> bool:
    try:
        with Connection(url, connect_timeout=1) as probe:
            probe.ensure_connection(max_retries=1)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


@dataclass
class Worker:
    broker: str
    queue: str
    env: dict
    log: Path
    processes: list = field(default_factory=list)

    def start(self) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "newsroom", "worker", "--concurrency", "1"]
        command += ["--queues", self.queue, "--without-mingle", "--without-gossip", "--loglevel", "INFO"]
        with self.log.open("a") as out:
            process = subprocess.Popen(  # noqa: S603 - the product's own worker
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to the worker and its pool: nothing gets to acknowledge or clean up."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_for(condition, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"waited {timeout} s for {what}\n{tail}")


@pytest.fixture(params=list(BROKERS))
def worker(request, settings, tmp_path):
    """A worker factory on each broker (RabbitMQ, Redis); the test process sends to it."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database only on PostgreSQL (DATABASE_URL)")
    url = BROKERS[request.param]
    if not reachable(url):
        if os.environ.get("REQUIRE_SERVICES") or os.environ.get("CI"):
            pytest.fail(f"broker {url} is not reachable, and CI or REQUIRE_SERVICES is set")
        pytest.skip(f"broker {url} is not reachable")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "SECRET_KEY": "a-test-key-of-the-worker-only-" + uuid.uuid4().hex,
        "CELERY_BROKER_URL": url,
        "CELERY_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "JOBS_RETRY_BACKOFF": "1",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "VAR_DIR": str(tmp_path),
        "LOG_FORMAT": "text",
    }
    env.pop("JOBS_IN_PROCESS", None)
    settings.CELERY_BROKER_URL = url
    saved = {
        key: celery_app.conf[key] for key in ("broker_url", "task_default_queue", "broker_transport_options")
    }
    celery_app.conf.update(
        broker_url=url,
        task_default_queue=queue,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT, "unacked_restore_throttle": 1},
    )
    forget_broker()
    started = Worker(request.param, queue, env, tmp_path / "worker.log")
    yield started
    started.stop_all()
    with Connection(url, connect_timeout=2) as channel_owner:
        channel_owner.SimpleQueue(queue).queue.delete()
    celery_app.conf.update(saved)
    forget_broker()


def forget_broker() -> None:
    """Drop what the app built for the previous broker and queue: its connection pool and
    its AMQP helper, which keeps the queues it declared (Celery caches both). Not
    `app.close()`: that also unregisters the app, and tasks imported later miss it.
    kombu keeps the pools in registries of its own, keyed by the broker's URL: emptied too,
    or the next test on the same broker is handed the closed pool ("Acquire on closed pool")."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)
    pools.reset()
