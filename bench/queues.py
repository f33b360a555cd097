"""Measure the task-queue candidates: Celery 5 on Redis or RabbitMQ, django-tasks' database backend.

For each candidate, in the same run, with workers this script starts and always stops:
- enqueue cost: µs per enqueue from the web side, N=1000, no worker running (django-tasks:
  each enqueue in its own transaction, commit included);
- latency to start: enqueue → the task body starts, one idle worker, after a random pause of
  0–100 ms (so a polling worker is met at every phase of its poll);
- throughput: 2000 no-op tasks and 100 tasks sleeping 50 ms, queued first, then one worker
  process at concurrency 1 and 2 (db_worker has no concurrency: two processes stand for 2);
- a worker SIGKILLed 1 s into a 5 s task, a new worker started at once: does the task run
  again, and after how long; for Celery also the pool process alone killed (what the kernel's
  out-of-memory killer does), which `task_reject_on_worker_lost` answers;
- CPU per enqueue and per no-op task (workers, and their PostgreSQL sessions), from /proc:
  steadier than the times when others share the machine.
Celery runs with the product's options (acks_late, reject_on_worker_lost, prefetch 1, no
results), Redis with a 10 s visibility_timeout swept every second (bench/queues_settings.py).

django-tasks 0.12 ships no database backend (since 0.12 it is the package django-tasks-db,
not a dependency of this project). To measure it, put it beside the venv, not in it:

    .venv/bin/pip install --no-deps --target /tmp/queue-bench-extra django-tasks-db==0.13.0
    PYTHONPATH=/tmp/queue-bench-extra .venv/bin/python bench/queues.py [--only celery-redis,tasks-postgres]

Without it the django-tasks rows are skipped. Needs Redis, RabbitMQ (rabbitmqctl for a
throw-away vhost) and PostgreSQL on 127.0.0.1. Took 6 minutes on a lightly loaded machine, 11
under heavy load, most of it the database backend draining its queue; each candidate's time is
printed.
"""

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The parent names the run; its measuring children inherit the name.
RUN = os.environ.get("QUEUE_BENCH_RUN") or f"queue-bench-{os.getpid()}"
SIDE_URL = "redis://127.0.0.1:6379/12"  # tests use 15 (and 13 as a broker), bench/delivery.py 14
CANDIDATES = {
    "celery-redis": "Celery + Redis",
    "celery-rabbitmq": "Celery + RabbitMQ",
    "tasks-postgres": "django-tasks DatabaseBackend, PostgreSQL",
    "tasks-postgres-nosync": "django-tasks DatabaseBackend, PostgreSQL, synchronous_commit off",
    "tasks-sqlite": "django-tasks DatabaseBackend, SQLite",
}
# Every candidate is timed enqueueing and draining the queue; these phases only where they
# tell something new: PostgreSQL without a commit's fsync, and SQLite, on a quarter of the
# tasks and enqueues (these run at tens of tasks a second here), to stay within minutes.
PHASES = {
    "celery-redis": {"latency", "kill"},
    "celery-rabbitmq": {"latency", "kill"},
    "tasks-postgres": {"latency", "kill"},
    "tasks-postgres-nosync": set(),
    "tasks-sqlite": {"latency"},
}
SHARE = {"tasks-postgres-nosync": 4, "tasks-sqlite": 4}
POLL_INTERVAL = 0.1  # db_worker --interval for every row but the default-interval one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(CANDIDATES))
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure, options)))
        return
    names = [name for name in options.only.split(",") if name]
    if any(name.startswith("tasks-") for name in names) and not has_tasks_db():
        print("django-tasks-db is not importable: django-tasks rows skipped (see the docstring)\n")
        names = [name for name in names if not name.startswith("tasks-")]
    print_machine()
    results, took = {}, []
    with resources() as env:
        for name in names:
            print(f"… {CANDIDATES[name]}", file=sys.stderr, flush=True)
            started = time.monotonic()
            child = [sys.executable, __file__, "--measure", name]
            child += ["--samples", str(options.samples), "--tasks", str(options.tasks)]
            out = subprocess.run(child, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
            took.append(f"{name} {time.monotonic() - started:.0f} s")
    print_tables(results)
    print(f"\nTime per candidate: {', '.join(took)}")
    print(f"Load average after: {os.getloadavg()}")


def has_tasks_db() -> bool:
    probe = [sys.executable, "-c", "import django_tasks_db"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


@contextlib.contextmanager
def resources():
    """A throw-away database, vhost and key prefix for this run; every worker gone at the end."""
    tmp = Path(tempfile.mkdtemp(prefix="queue-bench-"))
    database = RUN.replace("-", "_")
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    vhost = RUN if rabbitmqctl("add_vhost", RUN) else ""
    if vhost:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        DJANGO_SETTINGS_MODULE="bench.queues_settings",
        QUEUE_BENCH_RUN=RUN,
        QUEUE_BENCH_SIDE_URL=SIDE_URL,
        QUEUE_BENCH_QUEUE=RUN,
        QUEUE_BENCH_KEYPREFIX=f"{RUN}:kombu:",
        QUEUE_BENCH_AMQP=f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
        QUEUE_BENCH_POSTGRES=f"postgres://postgres@127.0.0.1:5432/{database}",
        QUEUE_BENCH_SQLITE=f"sqlite:///{tmp / 'tasks.sqlite3'}",
        QUEUE_BENCH_LOGS=str(tmp),
    )
    failed = False
    try:
        yield env
    except BaseException:
        failed = True
        print(f"worker logs kept in {tmp}", file=sys.stderr)
        raise
    finally:
        leftovers = subprocess.run(["pgrep", "-f", RUN], capture_output=True, text=True, check=False)
        for pid in leftovers.stdout.split():
            print(f"stopping leftover worker {pid}", file=sys.stderr)
            os.kill(int(pid), signal.SIGKILL)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True)
        if vhost:
            rabbitmqctl("delete_vhost", vhost)
        if not failed:
            shutil.rmtree(tmp, ignore_errors=True)
        import redis

        side = redis.Redis.from_url(SIDE_URL)
        for key in side.scan_iter(match=f"{RUN}:*"):
            side.delete(key)


def rabbitmqctl(*args: str) -> bool:
    command = ["rabbitmqctl", "-q", *args]
    try:
        return subprocess.run(command, capture_output=True, check=False, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def print_machine() -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    packages = ["celery", "kombu", "redis", "amqp", "django", "django-tasks", "django-tasks-db", "psycopg"]
    versions = []
    for package in packages:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions.append(f"{package} {importlib.metadata.version(package)}")
    servers = []
    for command in (
        ["redis-server", "--version"],
        ["rabbitmqctl", "-q", "version"],
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"],
    ):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            servers.append(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip())
    print(
        f"Machine: {cpu}, {os.cpu_count()} cores; {platform.platform()}; Python {platform.python_version()}"
    )
    print(f"Packages: {', '.join(versions)}")
    print(f"Servers: {' · '.join(servers)}")
    print(f"Load average before: {os.getloadavg()}\n")


def print_tables(results: dict) -> None:
    print(
        "| candidate | enqueue µs, mean / p99 | start latency ms, p50 / p95 (samples) | worker ready s "
        "| no-op tasks/s, c1 / c2 (tasks) | 50 ms tasks/s, c1 / c2 |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        e, lat = r["enqueue"], r.get("latency")
        started = f"{lat['p50_ms']:.1f} / {lat['p95_ms']:.1f} ({lat['samples']})" if lat else "–"
        ready = f"{lat['ready_s']:.1f}" if lat else "–"
        print(
            f"| {CANDIDATES[name]} | {e['mean_us']:.0f} / {e['p99_us']:.0f} | {started} "
            f"| {ready} "
            f"| {r['c1']['noop']:.0f} / {r['c2']['noop']:.0f} ({r['tasks']}) "
            f"| {r['c1']['nap']:.1f} / {r['c2']['nap']:.1f} |"
        )
        if slow := r.get("latency_default_interval"):
            print(
                "| … db_worker at its default `--interval 1`, 0–1 s pauses "
                f"| | {slow['p50_ms']:.1f} / {slow['p95_ms']:.1f} ({slow['samples']}) | | | |"
            )
    print("\nCPU, less disturbed by the machine's other users than the times above:\n")
    print(
        "| candidate | enqueue, web process µs | no-op task, worker µs, c1 / c2 | no-op task, database server µs, c1 / c2 |"
    )
    print("| --- | ---: | ---: | ---: |")
    for name, r in results.items():
        worker, server = (f"{r['c1']['cpu_us'][n]:.0f} / {r['c2']['cpu_us'][n]:.0f}" for n in (0, 1))
        server = server if name.startswith("tasks-postgres") else "–"
        print(f"| {CANDIDATES[name]} | {r['enqueue']['cpu_us']:.0f} | {worker} | {server} |")
    print(
        "\n| candidate | worker SIGKILLed 1 s into a 5 s task, a new one started | pool process SIGKILLed |"
    )
    print("| --- | --- | --- |")
    for name, r in results.items():
        if "kill_worker" in r:
            kills = describe_kill(r["kill_worker"]), describe_kill(r.get("kill_pool"))
            print(f"| {CANDIDATES[name]} | {kills[0]} | {kills[1]} |")


def describe_kill(outcome: dict | None) -> str:
    if outcome is None:
        return "the same process (db_worker runs the task itself)"
    if outcome["rerun_after_s"] is None:
        return f"not run again within {outcome['waited_s']:.0f} s; {outcome.get('state', '')}".rstrip("; ")
    finished = "finished" if outcome["finished"] else "did not finish"
    return f"run again {outcome['rerun_after_s']:.1f} s after the kill, {finished}"


# --- in the child process: one candidate ------------------------------------------------------


def measure(name: str, options) -> dict:
    os.environ.update(
        {
            "celery-redis": {"QUEUE_BENCH_BROKER": SIDE_URL},
            "celery-rabbitmq": {"QUEUE_BENCH_BROKER": os.environ["QUEUE_BENCH_AMQP"]},
            "tasks-postgres": {"QUEUE_BENCH_DATABASE_URL": os.environ["QUEUE_BENCH_POSTGRES"]},
            "tasks-postgres-nosync": {
                "QUEUE_BENCH_DATABASE_URL": os.environ["QUEUE_BENCH_POSTGRES"]
                + "?options=-c%20synchronous_commit%3Doff"
            },
            "tasks-sqlite": {"QUEUE_BENCH_DATABASE_URL": os.environ["QUEUE_BENCH_SQLITE"]},
        }[name]
    )
    sys.path.insert(0, str(ROOT))
    queue = (CeleryQueue if name.startswith("celery") else TasksQueue)(f"{RUN}:{name}")
    share, phases = SHARE.get(name, 1), PHASES[name]
    results = {
        "enqueue": enqueue_cost(queue, f"{queue.key}:enqueue", 1000 // share),
        "tasks": options.tasks // share,
    }
    if "latency" in phases:
        samples = options.samples // share
        results["latency"] = latency(queue, f"{queue.key}:latency", samples, gap=0.1)
    if name == "tasks-postgres":
        queue.interval = 1.0
        results["latency_default_interval"] = latency(queue, f"{queue.key}:slow", 20, gap=1.0)
        queue.interval = POLL_INTERVAL
    for concurrency in (1, 2):
        key = f"{queue.key}:c{concurrency}"
        results[f"c{concurrency}"] = throughput(queue, key, concurrency, results["tasks"])
    if "kill" in phases:
        results["kill_worker"] = killed(queue, f"{queue.key}:kill", whole_worker=True)
    if "kill" in phases and isinstance(queue, CeleryQueue):
        results["kill_pool"] = killed(queue, f"{queue.key}:killpool", whole_worker=False)
    return results


class Workers:
    """Worker processes, each the leader of its own process group (Celery's pool goes with it)."""

    def __init__(self, commands: list[list[str]], log: Path):
        self.started = time.monotonic()
        with log.open("ab") as out:
            self.processes = [
                subprocess.Popen(
                    command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
                for command in commands
            ]

    def pids(self) -> list[int]:
        """Every process of the workers' groups: Celery's pool processes too."""
        leaders, found = {process.pid for process in self.processes}, []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[2]) in leaders:
                    found.append(int(stat.parent.name))
        return found

    def kill(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class CeleryQueue:
    reclaim_wait = 30.0  # Redis: the 10 s visibility_timeout, then a sweep

    def __init__(self, key: str):
        from bench import queue_tasks

        self.key, self.tasks, self.log = key, queue_tasks, Path(os.environ["QUEUE_BENCH_LOGS"]) / "celery.log"

    def count(self, key: str, total: int, nap: float = 0.0) -> None:
        self.tasks.celery_count.delay(key, total, nap)

    def mark(self, key: str, nap: float = 0.0) -> None:
        self.tasks.celery_mark.delay(key, nap)

    def batch(self):
        return contextlib.nullcontext()

    def start(self, concurrency: int) -> Workers:
        command = [sys.executable, "-m", "celery", "-A", "bench.queue_tasks", "worker", "-P", "prefork"]
        command += ["-c", str(concurrency), "-n", f"{RUN}@%h", "-Q", os.environ["QUEUE_BENCH_QUEUE"]]
        command += ["--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        return Workers([command], self.log)

    def purge(self) -> None:
        self.tasks.app.control.purge()

    def server_pids(self) -> list[int]:
        return []  # Redis and RabbitMQ serve others on this machine too: not counted

    def state(self) -> str:
        return ""


class TasksQueue:
    interval = POLL_INTERVAL
    reclaim_wait = 10.0  # nothing in django-tasks-db looks for a dead worker's task

    def __init__(self, key: str):
        from django.core.management import call_command

        from bench import queue_tasks

        call_command("migrate", verbosity=0)
        self.key, self.tasks, self.log = (
            key,
            queue_tasks,
            Path(os.environ["QUEUE_BENCH_LOGS"]) / "db_worker.log",
        )

    def count(self, key: str, total: int, nap: float = 0.0) -> None:
        from django.db import transaction

        with transaction.atomic():
            self.tasks.tasks_count.enqueue(key, total, nap)

    def mark(self, key: str, nap: float = 0.0) -> None:
        from django.db import transaction

        with transaction.atomic():
            self.last = self.tasks.tasks_mark.enqueue(key, nap)

    def batch(self):
        from django.db import transaction

        return transaction.atomic()

    def start(self, concurrency: int) -> Workers:
        command = [sys.executable, "-m", "django", "db_worker", "--interval", str(self.interval)]
        command += ["--no-startup-delay", "--no-reload", "-v", "0"]
        return Workers([[*command, "--worker-id", f"{RUN}-{n}"] for n in range(concurrency)], self.log)

    def purge(self) -> None:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()

    def server_pids(self) -> list[int]:
        """The PostgreSQL backends of the workers (the database is this run's alone)."""
        from django.db import connection

        if connection.vendor != "postgresql":
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [pid for (pid,) in cursor.fetchall()]

    def state(self) -> str:
        row = self.last.db_result
        row.refresh_from_db()
        return f"left {row.status}, worker_ids {len(row.worker_ids)}, started_at kept, nothing reclaims it"


def side():
    import redis

    # redis-py 8 reads with a 5 s socket timeout by default: BLPOP waits longer here.
    return redis.Redis.from_url(SIDE_URL, socket_timeout=300)


def wait_started(key: str, timeout: float) -> tuple[float, int] | None:
    popped = side().blpop([f"{key}:started"], timeout=timeout)
    return tuple(json.loads(popped[1])) if popped else None


def enqueue_cost(queue, key: str, n: int) -> dict:
    for _ in range(20):  # connections, prepared statements, the producer pool
        queue.count(key, 10**9)
    spent = []
    cpu = time.process_time()
    for _ in range(n):
        started = time.perf_counter()
        queue.count(key, 10**9)
        spent.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu
    queue.purge()
    return {
        "mean_us": statistics.fmean(spent) * 1e6,
        "p99_us": statistics.quantiles(spent, n=100)[98] * 1e6,
        "cpu_us": cpu / n * 1e6,
    }


def latency(queue, key: str, samples: int, gap: float) -> dict:
    workers = queue.start(1)
    try:
        queue.mark(f"{key}:ready")
        ready = wait_started(f"{key}:ready", timeout=60)
        assert ready, f"worker did not start: see {queue.log}"
        waited = []
        for _ in range(samples):
            time.sleep(random.uniform(0, gap))  # noqa: S311
            enqueued = time.monotonic()
            queue.mark(key)
            started = wait_started(key, timeout=30)
            assert started, f"task did not start: see {queue.log}"
            waited.append(started[0] - enqueued)
    finally:
        workers.stop()
    cuts = statistics.quantiles(waited, n=100)
    return {
        "p50_ms": statistics.median(waited) * 1000,
        "p95_ms": cuts[94] * 1000,
        "ready_s": ready[0] - workers.started,
        "samples": samples,
    }


def throughput(queue, key: str, concurrency: int, tasks: int, naps: int = 100) -> dict:
    with queue.batch():
        for _ in range(tasks):
            queue.count(f"{key}:noop", tasks)
        for _ in range(naps):
            queue.count(f"{key}:nap", naps, 0.05)
    workers = queue.start(concurrency)
    redis = side()
    try:
        # CPU of the worker processes (and their database sessions) while the no-op tasks run:
        # a cost per task that the other users of this machine do not change much.
        wait_for(redis, f"{key}:noop:first", queue)
        counted, used = int(redis.get(f"{key}:noop:count")), cpu_seconds(workers.pids(), queue.server_pids())
        wait_for(redis, f"{key}:noop:last", queue)
        used = [
            after - before
            for before, after in zip(used, cpu_seconds(workers.pids(), queue.server_pids()), strict=True)
        ]
        wait_for(redis, f"{key}:nap:last", queue)
    finally:
        workers.stop()
    queue.purge()

    def rate(kind: str, total: int) -> float:
        first, last = (float(redis.get(f"{key}:{kind}:{end}")) for end in ("first", "last"))
        return (total - 1) / (last - first)

    per_task = [seconds / (tasks - counted) * 1e6 for seconds in used]
    return {"noop": rate("noop", tasks), "nap": rate("nap", naps), "cpu_us": per_task}


def wait_for(redis, key: str, queue, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not redis.exists(key):
        assert time.monotonic() < deadline, f"tasks did not finish: see {queue.log}"
        time.sleep(0.01)


def cpu_seconds(*groups: list[int]) -> list[float]:
    """User + system CPU of each group of processes, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = []
    for pids in groups:
        total = 0
        for pid in pids:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        totals.append(total / tick)
    return totals


def killed(queue, key: str, whole_worker: bool, task_seconds: float = 5.0) -> dict:
    workers = [queue.start(1)]
    waited = queue.reclaim_wait if whole_worker else 15.0
    try:
        queue.mark(key, task_seconds)
        first = wait_started(key, timeout=60)
        assert first, f"worker did not start: see {queue.log}"
        time.sleep(1)
        killed_at = time.monotonic()
        if whole_worker:
            workers[0].kill()
            workers.append(queue.start(1))
        else:
            os.kill(first[1], signal.SIGKILL)
        again = wait_started(key, timeout=waited)
        finished = again and side().blpop([f"{key}:finished"], timeout=task_seconds + 5)
        outcome = {
            "rerun_after_s": again[0] - killed_at if again else None,
            "finished": bool(finished),
            "waited_s": waited,
            "state": queue.state(),
        }
    finally:
        for worker in workers:
            worker.stop()
    queue.purge()
    return outcome


if __name__ == "__main__":
    main()
