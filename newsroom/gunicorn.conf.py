"""Gunicorn settings for production (scripts/serve-production), sized for a 2-core host.

Every setting can be changed through the environment without editing this file. The worker
count was chosen by measurement (bench/RESULTS.md, "Delivery"): public reads are CPU-bound
(two sync workers and three served the same, four and six less), so one worker per core plus
one, which keeps a core busy while a worker waits on PostgreSQL or spends seconds on a
publish from the admin. Sync workers: gthread's keep-alive raised both the app and the
static baseline, the app's share less.
"""

import gc
import os
from pathlib import Path

# Prometheus: each worker writes its counts to files in this folder and /metrics adds up every
# worker's (prometheus_client's multiprocess mode), so a scrape answered by any one worker
# shows them all. Set before anything imports prometheus_client, which reads it then.
_var = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
prometheus_dir = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_var / "prometheus")))
prometheus_dir.mkdir(parents=True, exist_ok=True)

import environ  # noqa: E402
from gunicorn.http.wsgi import Response  # noqa: E402
from prometheus_client import multiprocess  # noqa: E402

from newsroom.operations.logs import chosen_format  # noqa: E402

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Import Django once, then fork: workers share the loaded code's memory and start at once.
preload_app = True
timeout = 30
graceful_timeout = 30
# Behind a proxy or CDN that sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER trusts it).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The CDN in front logs every request; set ACCESS_LOG=- to log here too.
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
# No runtime control socket: one fixed path per user would clash between two servers.
control_socket_disable = True
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's own lines as JSON too, when the application's are (LOG_FORMAT, DEBUG).
_env = environ.Env()
if chosen_format(_env.str("LOG_FORMAT", default=""), debug=_env.bool("DEBUG", default=False)) == "json":
    logger_class = "newsroom.operations.gunicorn_logs.JsonLogger"


def on_starting(server):
    # Counts of an earlier run would otherwise be added to this one's. (The preloaded
    # application's own files go too: the arbiter counts nothing, its workers make their own.)
    prometheus_dir.mkdir(parents=True, exist_ok=True)
    for stale in prometheus_dir.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    # A dead worker's live gauges leave the sum; its counters stay (they did happen).
    multiprocess.mark_process_dead(worker.pid)


def pre_fork(server, worker):
    # Everything the preloaded app made (Django, the URL resolver, the apps) is moved out of
    # the garbage collector's sight before each fork: a worker's full collections no longer
    # walk it (nor write to its pages, which would copy them out of shared memory).
    gc.freeze()


# No `Server: gunicorn` in the answers: naming the software (and so which advisories apply)
# helps only whoever scans for it. Gunicorn has no setting for the header (benoitc/gunicorn
# #825; an application's own Server header is sent beside it, not instead), so the line is
# left out of the headers each HTTP/1 response starts with. Checked against a real gunicorn
# by tests/newsroom/test_production_settings.py, which notices if an upgrade renames this.
_default_headers = Response.default_headers


def _without_server(response):
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


Response.default_headers = _without_server
