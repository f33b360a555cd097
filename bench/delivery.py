"""Delivery benchmark: the public API under the production server, next to a do-nothing WSGI
app serving the same bytes under the same server settings, in the same run.

    .venv/bin/python bench/delivery.py [--seconds 8] [--runs 2] [--caches locmem,redis]

What it does, on 127.0.0.1 only, in bounded time (about 6 minutes with the defaults):
1. makes a throw-away PostgreSQL database (dropped at the end; SQLite with --sqlite),
   migrates it and builds published 20- and 200-article issues with `make_bench_issue`
   (printing how long each publish took);
2. for each cache set-up (process memory, and Redis when it answers), serves the app with
   `scripts/serve-production` (gunicorn, newsroom/gunicorn.conf.py), fetches each endpoint's
   bytes, counts the SQL queries of a warm request, and starts the same gunicorn settings on
   a minimal WSGI app (`static_app` below) that answers those exact bytes from memory;
3. loads each endpoint with wrk (Debian: `apt-get install wrk`), app then static app, `--runs`
   times, and prints req/s, p50 and p99 per request and the app's share of the static limit,
   as a Markdown table (also written with --markdown FILE); beside them, the CPU time the
   server's processes used per request during each run, and the same share by CPU, which
   a busy shared machine moves far less than it moves req/s;
4. publishes a change to the 20-article issue a few times (--publishes) while the app runs and
   times the first requests after each publish against the ones that follow.

Needs: wrk, PostgreSQL at BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres,
a role that may create databases) unless --sqlite, Redis at --redis-url for the Redis rows.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from contextlib import closing, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
GUNICORN_CONF = ROOT / "newsroom" / "gunicorn.conf.py"

# (row label, path, Accept-Encoding sent by wrk or None)
ENDPOINTS = [
    ("whole 20-article issue", "/api/v1/issues/bench-20/", None),
    ("whole 200-article issue", "/api/v1/issues/bench-200/", None),
    ("whole 200-article issue, brotli", "/api/v1/issues/bench-200/", "br"),
    ("one article", "/api/v1/articles/{article}/", None),
    ("issue list", "/api/v1/issues/", None),
]


# The same-bytes limit: a WSGI app that does nothing but answer stored bytes.

_STATIC: dict[tuple[str, str], tuple[bytes, list]] = {}


def static_app(environ, start_response):
    """Answers GET path (with the Accept-Encoding it was recorded with) from memory."""
    if not _STATIC:
        for entry in json.loads(Path(os.environ["BENCH_STATIC_INDEX"]).read_text()):
            body = Path(entry["file"]).read_bytes()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            if entry["coding"]:
                headers.append(("Content-Encoding", entry["coding"]))
            _STATIC[(entry["path"], entry["coding"])] = (body, headers)
    coding = environ.get("HTTP_ACCEPT_ENCODING", "").replace("identity", "")
    found = _STATIC.get((environ["PATH_INFO"], coding))
    if found is None:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    start_response("200 OK", found[1])
    return [found[0]]


# Running things


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args, env, **kwargs) -> str:
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, **kwargs)
    if result.returncode:
        raise SystemExit(f"failed: {' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def server(args, env, port: int, probe: str):
    """A server process (own process group) answering on 127.0.0.1:port; stopped after."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the process, below)
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=5):  # noqa: S310
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"server did not start: {args}\n{log.read().decode()[-3000:]}") from None
                time.sleep(0.2)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def fetch(url: str, coding: str | None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": coding} if coding else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, response.read(), dict(response.headers)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by the processes of a process group: the server
    and its workers. Per request, it tells the app's cost apart from how busy the shared
    machine was, which moves req/s by a third between runs."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == group:  # fields[2] is the process group (5th field of stat)
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def wrk(url: str, coding: str | None, seconds: int, connections: int, threads: int, group: int) -> dict:
    before = group_cpu_seconds(group)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if coding:
        args[1:1] = ["-H", f"Accept-Encoding: {coding}"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: \d+", out):
        raise SystemExit(f"wrk saw error responses from {url}:\n{out}")
    latency = {
        p: float(v) * UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "cpu_us": (group_cpu_seconds(group) - before) / requests * 1e6,
    }


def machine_facts(env) -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024**2
    versions = run(
        [
            PYTHON,
            "-c",
            "import django, rest_framework, gunicorn, brotli; print(f'Django {django.get_version()}, "
            "DRF {rest_framework.__version__}, gunicorn {gunicorn.__version__}, brotli {brotli.__version__}')",
        ],
        env,
    ).strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    return [
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.platform()}",
        f"Python {platform.python_version()}; {versions}; {wrk_version.split(' [')[0]}",
    ]


# The benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument("--runs", type=int, default=2, help="app/static pairs per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--caches", default="locmem,redis", help="cache set-ups to measure")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--sqlite", action="store_true", help="SQLite in a temp folder instead")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument(
        "--only", help="measure only rows whose label contains one of these (comma-separated)"
    )
    parser.add_argument("--workers", type=int, help="gunicorn workers for both servers (WEB_CONCURRENCY)")
    parser.add_argument("--worker-class", help="gunicorn worker class for both servers, e.g. gthread")
    parser.add_argument("--worker-threads", type=int, help="threads per gthread worker")
    parser.add_argument(
        "--conn-max-age", type=int, help="the app's CONN_MAX_AGE (0: a connection per request)"
    )
    parser.add_argument(
        "--publishes", type=int, default=3, help="changes published to time the first requests after"
    )
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    tmp = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    database = f"newsroom_bench_{os.getpid()}"
    admin_url = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    app_port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "VAR_DIR": str(tmp),
        # Kept between runs: collecting (WhiteNoise compresses every file) takes a minute.
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "newsroom-bench-static"),
        "SITE_URL": f"http://127.0.0.1:{app_port}",
        "LOG_LEVEL": "WARNING",
        # One client (wrk) asks thousands of times a second: the reader throttle still counts
        # every request, with a limit this load cannot reach.
        "API_THROTTLE_READER": "100000000/minute",
    }
    env.pop("REDIS_URL", None)
    if options.workers:
        env["WEB_CONCURRENCY"] = str(options.workers)
    if options.worker_class:
        env["GUNICORN_WORKER_CLASS"] = options.worker_class
    if options.worker_threads:
        env["GUNICORN_THREADS"] = str(options.worker_threads)
    if options.conn_max_age is not None:
        env["CONN_MAX_AGE"] = str(options.conn_max_age)
    if options.sqlite:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + database
        postgres_admin(admin_url, f'CREATE DATABASE "{database}"')
    started = time.monotonic()
    try:
        report = measure(options, env, tmp, app_port)
    finally:
        if not options.sqlite:
            postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        forget_redis_keys(options.redis_url, f"newsroom-bench-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
    report.append(f"\nTotal time {time.monotonic() - started:.0f} s.")
    text = "\n".join(report)
    print(text)
    if options.markdown:
        options.markdown.write_text(text + "\n", encoding="utf-8")


def postgres_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def measure(options, env, tmp: Path, app_port: int) -> list[str]:
    report = ["Machine: " + "; ".join(machine_facts(env))]
    database = "SQLite" if options.sqlite else run([PYTHON, "-c", POSTGRES_VERSION], env).strip()
    workers = env.get("WEB_CONCURRENCY", "3 (newsroom/gunicorn.conf.py)")
    worker_class = env.get("GUNICORN_WORKER_CLASS", "sync")
    report.append(
        f"Database: {database}, CONN_MAX_AGE {env.get('CONN_MAX_AGE', '600')}. gunicorn: {workers} {worker_class}"
        f" workers. wrk -t{options.threads} -c{options.connections} -d{options.seconds}s, {options.runs} runs."
    )
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    for articles in (20, 200):
        out = run([PYTHON, "manage.py", "make_bench_issue", "--articles", str(articles)], env)
        report.append("Publish: " + out.strip().split(" / ")[-1])
    article = run([PYTHON, "-c", FIRST_ARTICLE], env).strip()
    endpoints = [(label, path.format(article=article), coding) for label, path, coding in ENDPOINTS]
    if options.only:
        endpoints = [e for e in endpoints if any(part in e[0] for part in options.only.split(","))]

    caches = [c for c in options.caches.split(",") if c]
    collected = (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists()
    for cache in caches:
        cache_env = dict(env)
        if cache == "redis":
            if not redis_answers(options.redis_url):
                report.append(f"\nRedis at {options.redis_url} does not answer: its rows are skipped.")
                continue
            cache_env["REDIS_URL"] = options.redis_url
            cache_env["CACHE_KEY_PREFIX"] = f"newsroom-bench-{os.getpid()}"
        report += [
            "",
            f"### Cache: {'Redis (shared by all workers)' if cache == 'redis' else 'process memory (no REDIS_URL)'}",
            "",
            "| request | bytes | SQL | app req/s | static req/s | % of limit | app p50 / p99 ms | static p50 / p99 ms "
            "| server CPU µs per request, app / static | % of limit by CPU |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        # The first start collects the static files (about a minute); later ones reuse them.
        collect, collected = ("0" if collected else "1"), True
        app_env = {**cache_env, "BIND": f"127.0.0.1:{app_port}", "SKIP_BOOTSTRAP": "1", "MIGRATE": "0"}
        app_env["COLLECTSTATIC"] = collect
        static_port = free_port()
        with server([ROOT / "scripts" / "serve-production"], app_env, app_port, "/api/v1/issues/") as app:
            index = []
            for n, (_label, path, coding) in enumerate(endpoints):
                status, body, headers = fetch(f"http://127.0.0.1:{app_port}{path}", coding)
                assert status == 200 and headers.get("Content-Encoding") == coding, (path, status, headers)
                (tmp / f"body-{n}").write_bytes(body)
                index.append({"path": path, "coding": coding or "", "file": str(tmp / f"body-{n}")})
            (tmp / "static.json").write_text(json.dumps(index))
            queries = json.loads(
                run([PYTHON, "-c", COUNT_QUERIES, json.dumps([(p, c) for _, p, c in endpoints])], cache_env)
            )
            static_env = {**env, "BENCH_STATIC_INDEX": str(tmp / "static.json")}
            static_args = [
                GUNICORN,
                "--config",
                GUNICORN_CONF,
                "--bind",
                f"127.0.0.1:{static_port}",
                "--pythonpath",
                str(ROOT / "bench"),
                "delivery:static_app",
            ]
            with server(static_args, static_env, static_port, endpoints[0][1]) as static:
                for n, (label, path, coding) in enumerate(endpoints):
                    app_runs, static_runs = [], []
                    for _ in range(options.runs):
                        wrk_args = (coding, options.seconds, options.connections, options.threads)
                        app_runs.append(wrk(f"http://127.0.0.1:{app_port}{path}", *wrk_args, app.pid))
                        static_runs.append(
                            wrk(f"http://127.0.0.1:{static_port}{path}", *wrk_args, static.pid)
                        )
                    size = (tmp / f"body-{n}").stat().st_size
                    report.append(row(label, size, queries[n], app_runs, static_runs))
                    print(report[-1], flush=True)
            report += first_after_publish(app_port, cache_env, endpoints, options.publishes)
    return report


def first_after_publish(port: int, env: dict, endpoints: list, publishes: int) -> list[str]:
    """Publish a change to the 20-article issue `publishes` times while the app runs, and
    time each endpoint's first requests after it against the ones that follow. Each worker
    learns of a publish on its own first request, so the first three of them (three
    workers) are shown apart."""
    wanted = [(label, path) for label, path, coding in endpoints if "200" not in label and coding is None]
    times: dict[str, list[list[float]]] = {label: [] for label, _ in wanted}
    for _ in range(publishes):
        run([PYTHON, "-c", PUBLISH_A_CHANGE], env)
        for label, path in wanted:
            series = []
            for _ in range(30):
                started = time.perf_counter()
                status, _, _ = fetch(f"http://127.0.0.1:{port}{path}", None)
                series.append((time.perf_counter() - started) * 1000)
                assert status == 200
            times[label].append(series)
    lines = [
        "",
        f"First requests after a publish (a change to the 20-article issue, published {publishes} times while "
        "the app runs; one client, requests one after another; ms):",
        "",
        "| request | 1st request, each publish | 2nd and 3rd, slowest | 4th to 30th, median |",
        "| --- | --- | ---: | ---: |",
    ]
    for label, series in times.items():
        firsts = " / ".join(f"{s[0]:.1f}" for s in series)
        next_two = max(max(s[1:3]) for s in series)
        later = statistics.median(t for s in series for t in s[3:])
        lines.append(f"| {label} | {firsts} | {next_two:.1f} | {later:.1f} |")
    print("\n".join(lines), flush=True)
    return lines


def row(label, size, queries, app_runs, static_runs) -> str:
    def rates(runs):
        return " / ".join(f"{r['rps']:,.0f}" for r in runs)

    share = " / ".join(f"{a['rps'] / s['rps']:.0%}" for a, s in zip(app_runs, static_runs, strict=True))

    def latency(runs):
        return " · ".join(f"{r['p50']:.1f} / {r['p99']:.1f}" for r in runs)

    cpu = " · ".join(
        f"{a['cpu_us']:.0f} / {s['cpu_us']:.0f}" for a, s in zip(app_runs, static_runs, strict=True)
    )
    cpu_share = " / ".join(
        f"{s['cpu_us'] / a['cpu_us']:.0%}" for a, s in zip(app_runs, static_runs, strict=True)
    )
    return (
        f"| {label} | {size:,} | {queries} | {rates(app_runs)} | {rates(static_runs)} | {share} "
        f"| {latency(app_runs)} | {latency(static_runs)} | {cpu} | {cpu_share} |"
    )


def forget_redis_keys(url: str, prefix: str) -> None:
    """Delete this run's keys (its own prefix) from Redis, if it answers."""
    if not redis_answers(url):
        return
    import redis

    server = redis.Redis.from_url(url)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except Exception:
        return False


POSTGRES_VERSION = """
import django; django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW server_version")
    print("PostgreSQL", cursor.fetchone()[0].split()[0], "on 127.0.0.1")
"""

# An edit to the 20-article issue's first paragraph (with its 更正), published: new bytes
# for the issue, its first article and the list.
PUBLISH_A_CHANGE = """
import django; django.setup()
from articles.models import Block, Issue
from articles.publications import publishing
issue = Issue.objects.get(slug="bench-20")
block = Block.objects.filter(article__issue=issue, kind="paragraph").order_by("article__position", "position").first()
block.text += "（补）"
block.save(update_fields=["text"])
block.article.corrections.create(text="更正：补充一句。")
publishing.publish_issue(issue)
"""

FIRST_ARTICLE = """
import django; django.setup()
from articles.models import PublishedArticle
print(PublishedArticle.objects.filter(publication__slug="bench-20").order_by("article_id").first().article_id)
"""

# SQL queries of a warm request (the second one) per endpoint, through Django's test client
# with the same settings and cache as the server.
COUNT_QUERIES = """
import json, sys
import django; django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, counts = Client(), []
for path, coding in json.loads(sys.argv[1]):
    headers = {"HTTP_ACCEPT_ENCODING": coding} if coding else {}
    assert client.get(path, **headers).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, **headers).status_code == 200
    counts.append(len(queries))
print(json.dumps(counts))
"""


if __name__ == "__main__":
    main()
