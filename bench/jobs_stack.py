"""The stack bench/jobs.py measures: a throw-away PostgreSQL database, a RabbitMQ queue of
its own, one Celery worker and three production servers (gunicorn) that differ only in
where jobs run; and an editor's browser on each (requests, cookies kept by hand: with DEBUG
off the session and CSRF cookies are `Secure`, which a cookie jar never sends over plain
HTTP). Every process started here is stopped, and the database, queue and cache keys
dropped, when the `with` block ends, however it ends."""

import datetime as dt
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
MODES = ("broker", "thread", "inline")
REDIS_URL = "redis://127.0.0.1:6379/11"
BOOT = 180  # seconds a server or worker may take to answer, on a loaded two-core machine
# Variables of the calling shell that would change what is measured.
FOREIGN = ("CELERY_BROKER_URL", "CELERY_QUEUE", "JOBS_IN_PROCESS", "REDIS_URL", "CACHE_KEY_PREFIX")
FOREIGN += ("DATABASE_URL", "STORAGE_BACKEND", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SITE_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.02, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(interval)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise TimeoutError(f"waited {timeout} s for {what}\n{tail}")


TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu(*groups: int) -> float:
    """CPU seconds (user + system) spent so far by the live processes of these process
    groups: what a job or a request costs, whatever else the machine is running."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # After the command's ")": state, ppid, pgrp, … utime and stime are the 12th and 13th.
        if int(fields[2]) in groups:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / TICKS


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (gunicorn's or celery's workers too), SIGKILL after 20 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Server:
    """One gunicorn (newsroom/gunicorn.conf.py, two workers) and an editor logged in to it."""

    def __init__(self, mode: str, env: dict, log: Path, worker: int):
        self.mode, self.port, self.worker = mode, free_port(), worker
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "2"}
        self.log, self.cookies, self.process = log, {}, None

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "--config", "newsroom/gunicorn.conf.py"]
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [*command, "newsroom.wsgi:application"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"the {self.mode} server exited:\n{self.log.read_text()[-3000:]}")
        try:
            return requests.get(self.base + "/healthz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def request(self, method: str, path: str, **options) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        response = requests.request(
            method, url, cookies=dict(self.cookies), allow_redirects=False, timeout=120, **options
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def log_in(self, username: str, password: str) -> None:
        """Through the admin's own log-in page, as a browser does."""
        from tests.admin_forms import page

        form = page(self.request("GET", "/admin/login/"))
        token = form.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
        answer = self.request(
            "POST",
            "/admin/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )
        assert answer.status_code == 302 and answer.headers["Location"] == "/admin/", answer.text[:2000]

    def upload(self, photo: bytes, caption: str) -> dict:
        """The photo add form posted with `photo`; seconds from sending it to the answer and
        to the renditions job's end (its finished_at, written by whoever ran it)."""
        from urllib3 import encode_multipart_formdata

        from jobs.models import Job
        from media.models import Photo
        from tests.admin_forms import form_data

        data = form_data(self.request("GET", "/admin/media/photo/add/"))
        data.update(caption=caption, alt_text="基准测试照片")
        fields = [
            (k, v) for k, values in data.items() for v in (values if isinstance(values, list) else [values])
        ]
        fields.append(("image", ("DSC_0001.JPG", photo, "image/jpeg")))
        body, content_type = encode_multipart_formdata(fields)
        newest = Photo.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        server, worker = group_cpu(self.process.pid), group_cpu(self.worker)

        sent, started = time.time(), time.perf_counter()
        answer = self.request(
            "POST", "/admin/media/photo/add/", data=body, headers={"Content-Type": content_type}
        )
        responded = time.perf_counter() - started
        response_cpu = group_cpu(self.process.pid) - server
        assert answer.status_code == 302, answer.text[:3000]
        uploaded = Photo.objects.get(pk__gt=newest)

        def finished():
            job = Job.objects.of(uploaded, "renditions").first()
            return job if job is not None and job.finished else None

        job = wait_for(finished, 120, f"the renditions of photo {uploaded.pk}")
        uploaded.refresh_from_db()
        assert job.state == "done" and uploaded.renditions_ready, (job.state, job.error)
        return {
            "response": responded,
            "response_cpu": response_cpu,
            "ready": job.finished_at.timestamp() - sent,
            "cpu": group_cpu(self.process.pid) - server + group_cpu(self.worker) - worker,
        }

    def export_job(self, slug: str) -> dict:
        """POST → 202, the job URL polled until it is finished, then the download."""
        cpu = group_cpu(self.process.pid, self.worker)
        sent, started = time.time(), time.perf_counter()
        answer = self.request(
            "POST", f"/api/v1/issues/{slug}/export/", headers={"X-CSRFToken": self.cookies["csrftoken"]}
        )
        accepted = time.perf_counter() - started
        assert answer.status_code == 202, answer.text[:2000]
        job_url = answer.json()["url"]

        def finished():
            document = self.request("GET", job_url).json()
            return document if document["finished"] else None

        document = wait_for(finished, 300, "the export job", interval=0.1)
        assert document["state"] == "done", document
        cpu = group_cpu(self.process.pid, self.worker) - cpu  # the polls' own cost included
        fetched = time.perf_counter()
        package = self.request("GET", document["download"])
        assert package.status_code == 200, package.text[:2000]
        return {
            "accepted": accepted,
            "done": dt.datetime.fromisoformat(document["finished_at"]).timestamp() - sent,
            "download": time.perf_counter() - fetched,
            "cpu": cpu,
            "bytes": len(package.content),
            "sha256": hashlib.sha256(package.content).hexdigest(),
        }

    def export_sync(self, slug: str) -> dict:
        """GET: the package made and streamed inside the request (what export was before)."""
        cpu, started = group_cpu(self.process.pid), time.perf_counter()
        answer = self.request("GET", f"/api/v1/issues/{slug}/export/", stream=True)
        first_byte = time.perf_counter() - started
        content = answer.content
        assert answer.status_code == 200, content[:2000]
        return {
            "first_byte": first_byte,
            "done": time.perf_counter() - started,
            "cpu": group_cpu(self.process.pid) - cpu,
            "bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }


class Stack:
    def __init__(self, tmp: Path, *, database: str, broker: str, queue: str):
        self.tmp, self.database, self.broker, self.queue = tmp, database, broker, queue
        self.cache_prefix = f"bench-jobs-{queue}"
        clean = {k: v for k, v in os.environ.items() if k not in FOREIGN}
        self.env = {
            **clean,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-jobs-" + os.urandom(32).hex(),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": self.cache_prefix,
            "VAR_DIR": str(tmp),
            "MEDIA_ROOT": str(tmp / "uploads"),
            "STATIC_ROOT": str(tmp / "static"),
            "LOG_FORMAT": "text",
            "PYTHONPATH": str(ROOT),
        }
        self.broker_env = {**self.env, "CELERY_BROKER_URL": broker, "CELERY_QUEUE": queue}
        self.servers: dict[str, Server] = {}
        self.worker: subprocess.Popen | None = None
        self.bench_slug = ""

    def __enter__(self) -> "Stack":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", self.database], check=True)
        # This process reads the rows the servers and the worker write, and sends the
        # worker its warm-up probe: the broker's settings.
        os.environ.update(self.broker_env)
        for name in set(FOREIGN) - set(self.broker_env):
            os.environ.pop(name, None)
        return self

    def __exit__(self, *exc) -> None:
        for server in self.servers.values():
            if server.process is not None:
                stop(server.process)
        if self.worker is not None:
            stop(self.worker)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", self.database]
        )
        self._drop_queue_and_keys()

    def _drop_queue_and_keys(self) -> None:
        import redis
        from kombu import Connection

        try:
            with Connection(self.broker, connect_timeout=2) as channel_owner:
                channel_owner.SimpleQueue(self.queue).queue.delete()
        except Exception as error:  # noqa: BLE001 - a clean-up that fails is reported, not fatal
            print(f"could not delete queue {self.queue}: {error}", file=sys.stderr)
        server = redis.Redis.from_url(REDIS_URL)
        for key in server.scan_iter(f"{self.cache_prefix}:*"):
            server.delete(key)

    # --- Setting up ---

    def prepare(self, *, articles: int, password: str) -> None:
        import django
        from django.core.management import call_command

        os.environ["EDITOR_PASSWORD"] = password
        django.setup()
        print("migrating, collecting static files, building the bench issue …", file=sys.stderr)
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("ensure_editor", stdout=open(os.devnull, "w"))  # noqa: SIM115 - the password is ours
        self.bench_slug = f"bench-jobs-{articles}"
        call_command("make_bench_issue", articles=articles, slug=self.bench_slug, stdout=sys.stderr)

        self.worker = self._start_worker()
        for mode in MODES:
            env = self.broker_env if mode == "broker" else {**self.env, "JOBS_IN_PROCESS": mode}
            server = Server(
                mode, {**env, "VAR_DIR": str(self.tmp / mode)}, self.tmp / f"{mode}.log", self.worker.pid
            )
            (self.tmp / mode).mkdir()
            server.start()
            self.servers[mode] = server
        for server in self.servers.values():
            wait_for(server.answers, BOOT, f"the {server.mode} server", 0.2, server.log)
            server.log_in("editor", password)
        self._probe_worker()

    def _start_worker(self) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "newsroom", "worker", "--concurrency", "1"]
        command += ["--queues", self.queue, "--without-mingle", "--without-gossip", "--loglevel", "INFO"]
        with (self.tmp / "worker.log").open("a") as out:
            return subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.broker_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _probe_worker(self) -> None:
        """The queue's self-check job, run by the worker: it has booted and taken a job."""
        from django.db import transaction

        from jobs import services
        from jobs.models import Job

        with transaction.atomic():
            probe = services.start("probe")
        wait_for(
            lambda: Job.objects.filter(pk=probe.pk, state="done").exists(),
            BOOT,
            "the worker's first job",
            0.2,
            self.tmp / "worker.log",
        )

    # --- Facts ---

    def postgres_version(self) -> str:
        from django.db import connection

        version = connection.pg_version
        return f"{version // 10000}.{version % 10000}"

    def rabbitmq_version(self) -> str:
        from kombu import Connection

        with Connection(self.broker, connect_timeout=2) as conn:
            conn.connect()
            return conn.connection.server_properties.get("version", "?")

    def profile_upload(self, photo: Path, saved: str | None) -> str:
        """bench/jobs.py --profile-child in a process of its own, with the broker server's
        settings (the worker makes the renditions meanwhile, as after a real upload)."""
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "jobs.py"), "--profile-child", str(photo)]
            + (["--save-profile", saved] if saved else []),
            cwd=ROOT,
            env=self.broker_env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout
