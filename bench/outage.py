"""Restart PostgreSQL under a bounded load and measure how the API rides it out.

Serves the app with gunicorn (DEBUG off) against a throw-away PostgreSQL database with the
demo issue, loads it from a few threads on 127.0.0.1 for a fixed time, restarts the
PostgreSQL cluster part-way through, and reports: the window in which requests failed, what
they failed with (503 from the app is the intended answer; a 500 or a dropped connection is
not), and whether everything saved before the restart is still there afterwards.

Needs root (pg_ctlcluster) and PostgreSQL on 127.0.0.1:5432; loopback only, stops by itself.

    .venv/bin/python bench/outage.py [--seconds 20] [--restart-at 6] [--threads 4]
"""

import argparse
import collections
import http.client
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
DATABASE = "newsroom_outage"
PORT = int(os.environ.get("OUTAGE_PORT", "8799"))
SLUG = "wo-men-zhe-shi-nian"


def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def cluster_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def environment(var_dir: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
        "VAR_DIR": var_dir,
        # The load comes from one address: limits it cannot reach (the throttles still count).
        "API_THROTTLE_READER": "100000000/minute",
        "API_THROTTLE_ANON": "100000000/minute",
    }


def get(path: str) -> tuple[int | None, str]:
    """(status, note); status None when no HTTP answer came at all."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=3)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        note = ""
        if response.status >= 400:
            try:
                note = json.loads(body).get("code", "")
            except ValueError:
                note = "not json"
        return response.status, note
    except OSError as error:
        return None, type(error).__name__
    finally:
        connection.close()


def load(deadline: float, results: list, lock: threading.Lock) -> None:
    paths = [f"/api/v1/issues/{SLUG}/", "/api/v1/issues/"]
    n = 0
    while time.monotonic() < deadline:
        status, note = get(paths[n % 2])
        with lock:
            results.append((time.monotonic(), status, note))
        n += 1


def saved_state(env: dict) -> str:
    """What was saved, as the database has it: publications and their hashes."""
    script = (
        "from articles.models import Publication;"
        "print(sorted(Publication.objects.values_list('number', 'sha256')))"
    )
    return run(str(BIN / "python"), "manage.py", "shell", "-c", script, cwd=ROOT, env=env).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--restart-at", type=float, default=6)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as var_dir:
        env = environment(var_dir)
        run("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE)
        run("createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE)
        server = None
        try:
            python = str(BIN / "python")
            run(python, "manage.py", "migrate", "--noinput", "-v0", cwd=ROOT, env=env)
            run(python, "manage.py", "load_demo", cwd=ROOT, env=env)
            # Saved right before the outage: it must be there after it.
            run(
                python,
                "manage.py",
                "publish_issue",
                SLUG,
                "--note",
                "停库前的最后一次发布",
                cwd=ROOT,
                env=env,
            )
            before = saved_state(env)
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "newsroom.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "2"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(100):
                if get("/api/v1/issues/")[0] == 200:
                    break
                time.sleep(0.1)
            else:
                sys.exit("gunicorn did not come up")

            results: list = []
            lock = threading.Lock()
            start = time.monotonic()
            deadline = start + args.seconds
            threads = [
                threading.Thread(target=load, args=(deadline, results, lock)) for _ in range(args.threads)
            ]
            for thread in threads:
                thread.start()
            time.sleep(args.restart_at)
            restart_began = time.monotonic()
            run("pg_ctlcluster", "--skip-systemctl-redirect", cluster_version(), "main", "restart")
            restart_took = time.monotonic() - restart_began
            for thread in threads:
                thread.join()
            after = saved_state(env)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=10)
            run("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE)

    report(results, start, restart_began - start, restart_took, before == after)


def report(results: list, start: float, restart_at: float, restart_took: float, data_kept: bool) -> None:
    failures = [(t - start, status, note) for t, status, note in results if status != 200]
    counts = collections.Counter((status, note) for _, status, note in failures)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    print(
        f"requests: {len(results)}; PostgreSQL restart began at {restart_at:.2f} s, took {restart_took:.2f} s"
    )
    if failures:
        first, last = failures[0][0], failures[-1][0]
        print(
            f"failed requests: {len(failures)}, from {first:.2f} s to {last:.2f} s (window {last - first:.2f} s)"
        )
        recovered = [t - start for t, status, _ in results if status == 200 and t - start > last]
        if recovered:
            print(f"first success after the window: {recovered[0]:.2f} s")
    else:
        print("failed requests: 0")
    for (status, note), count in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"  {status or 'no answer'} {note}: {count}")
    unclean = sum(count for (status, _), count in counts.items() if status != 503)
    print(f"answers other than a clean 503 during the outage: {unclean}")
    print(f"data saved before the restart still there after it: {'yes' if data_kept else 'NO'}")


if __name__ == "__main__":
    main()
