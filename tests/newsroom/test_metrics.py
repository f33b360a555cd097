"""/metrics (newsroom/operations/metrics.py): only for the configured addresses or the token;
requests by view, SQL queries per request, publish durations, delivery's cache counters, the
task queues and the jobs; every gunicorn worker's counts in one scrape."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from prometheus_client import REGISTRY

from articles.exceptions import IssueNotReady
from articles.publications.publishing import publish_issue
from tests.conftest import REDIS_URL
from tests.factories import ArticleFactory, IssueFactory, published

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = "203.0.113.9"
TOKEN = "m3tr1cs-" + "k" * 40


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# Who may read them


def test_metrics_are_refused_from_outside(client):
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE)

    assert response.status_code == 403
    assert b"newsroom_" not in response.content and b"django_http" not in response.content


@pytest.mark.django_db
def test_metrics_are_shown_on_loopback(client):
    response = client.get("/metrics")  # the test client asks from 127.0.0.1

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")  # Prometheus' text format
    assert b"# TYPE newsroom_request_queries histogram" in response.content
    assert b"django_http_requests_latency_seconds_by_view_method" in response.content


@pytest.mark.django_db
def test_metrics_are_shown_with_the_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = TOKEN

    shown = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    wrong = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN[:-1]}x")
    basic = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Basic {TOKEN}")

    assert shown.status_code == 200 and b"newsroom_publish_seconds" in shown.content
    assert wrong.status_code == basic.status_code == 403


def test_without_a_token_configured_no_bearer_opens_them(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"])
def test_a_request_passed_on_by_a_proxy_is_not_let_in_by_its_loopback_address(client, header):
    """Behind nginx on the same host every request comes from 127.0.0.1."""
    assert client.get("/metrics", **{header: OUTSIDE}).status_code == 403


@pytest.mark.django_db
def test_allowed_addresses_may_be_networks(client, settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8", "2001:db8::/32"]

    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # not listed now
    assert client.get("/metrics", REMOTE_ADDR="11.0.0.1").status_code == 403


@pytest.mark.django_db
def test_metrics_answer_a_scrape_by_address_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["news.example.cn"]

    assert client.get("/metrics", HTTP_HOST="127.0.0.1:8000").status_code == 200


def test_a_bad_allowed_address_and_a_short_token_are_reported_by_check(settings):
    from django.core.checks import run_checks

    settings.METRICS_ALLOWED_ADDRESSES = ["127.0.0.1", "prometheus.internal"]
    settings.METRICS_TOKEN = "short"

    ids = sorted(m.id for m in run_checks() if m.id.startswith("operations."))

    assert ids == ["operations.E001", "operations.W001"]


# What they count


@pytest.mark.django_db
def test_the_sql_queries_of_each_request_are_observed_by_view(client):
    issue = published(ArticleFactory().issue)
    url = reverse("v1:issue-detail", kwargs={"slug": issue.slug})
    before_count = sample("newsroom_request_queries_count", view="v1:issue-detail")
    before_sum = sample("newsroom_request_queries_sum", view="v1:issue-detail")

    # Not a plain read: it goes past the fast path, to the view.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, HTTP_ACCEPT="text/html, application/json;q=0.9").status_code == 200

    assert sample("newsroom_request_queries_count", view="v1:issue-detail") == before_count + 1
    assert sample("newsroom_request_queries_sum", view="v1:issue-detail") == before_sum + len(queries)
    assert len(queries) >= 1


@pytest.mark.django_db
def test_a_publish_is_timed_and_a_refused_one_is_not():
    before = sample("newsroom_publish_seconds_count")
    ArticleFactory(issue=(issue := IssueFactory()))

    publish_issue(issue)
    with pytest.raises(IssueNotReady):
        publish_issue(IssueFactory())  # nothing to publish

    assert sample("newsroom_publish_seconds_count") == before + 1
    assert sample("newsroom_publish_seconds_sum") > 0


@pytest.mark.django_db
def test_public_reads_count_where_their_pointer_and_bytes_came_from(client, live):
    stored = sample("newsroom_delivery_answers_total", way="stored")
    from_database = sample("newsroom_delivery_pointers_total", source="database")
    in_memory = sample("newsroom_delivery_bytes_total", source="memory")

    for _ in range(3):
        assert client.get(live["article"]).status_code == 200

    # Without Redis every read asks the database which publication is live (one small
    # query); the bytes come with the first and from this process's memory after.
    assert sample("newsroom_delivery_answers_total", way="stored") == stored + 3
    assert sample("newsroom_delivery_pointers_total", source="database") == from_database + 3
    assert sample("newsroom_delivery_bytes_total", source="memory") == in_memory + 2


TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def entry(monkeypatch):
    """The production WSGI entry (newsroom/wsgi.py) around Django's handler."""
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections

    from articles.delivery.fastpath import PublicReadsWSGI
    from newsroom.operations.requestid import RequestIdWSGI

    monkeypatch.setattr("articles.delivery.fastpath.close_old_connections", lambda: None)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield RequestIdWSGI(PublicReadsWSGI(WSGIHandler()))
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def wsgi_get(application, path: str) -> tuple[str, list]:
    environ = RequestFactory().get(path).environ
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, headers

    b"".join(application(environ, start_response))
    return started["status"], started["headers"]


@TRANSACTIONAL
def test_with_redis_repeated_reads_are_counted_as_cache_hits_and_ready_answers(live, entry, shared_redis):
    ready = sample("newsroom_delivery_answers_total", way="ready")
    cached = sample("newsroom_delivery_pointers_total", source="cache")

    answers = [wsgi_get(entry, live["article"]) for _ in range(4)]

    assert {status for status, _ in answers} == {"200 OK"}
    # The first read is made (its pointer kept), the next three are sent ready.
    assert sample("newsroom_delivery_answers_total", way="ready") == ready + 3
    assert sample("newsroom_delivery_pointers_total", source="cache") >= cached
    # A ready answer is sent again with this request's id, never the first one's.
    ids = [[v for n, v in headers if n == "X-Request-ID"] for _, headers in answers]
    assert all(len(one) == 1 for one in ids) and len({one[0] for one in ids}) == 4


@TRANSACTIONAL
def test_with_redis_a_warm_pointer_is_a_cache_hit(client, live, shared_redis):
    client.get(live["issue"])  # fills Redis
    cached = sample("newsroom_delivery_pointers_total", source="cache")

    client.get(live["issue"])

    assert sample("newsroom_delivery_pointers_total", source="cache") == cached + 1


def metrics_text(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_queue_depths_are_asked_of_the_broker(client, settings):
    from kombu import Connection

    from tests.newsroom.test_health import broker_answers

    if not broker_answers(REDIS_URL):
        (pytest.fail if os.environ.get("CI") else pytest.skip)("no Redis")
    queue = f"metrics-{uuid.uuid4().hex}"
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    with Connection(REDIS_URL) as broker:
        sent = broker.SimpleQueue(queue)
        for n in range(3):
            sent.put({"n": n})
        try:
            text = metrics_text(client)
        finally:
            sent.clear()
            sent.close()

    assert "newsroom_task_broker_up 1.0" in text
    assert f'newsroom_task_queue_depth{{queue="{queue}"}} 3.0' in text


@pytest.mark.django_db
def test_a_broker_that_does_not_answer_is_down_in_the_metrics_within_the_bound(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.READINESS_TIMEOUT = 0.5

    started = time.monotonic()
    text = metrics_text(client)

    assert time.monotonic() - started < 2
    assert "newsroom_task_broker_up 0.0" in text
    assert "newsroom_task_queue_depth{" not in text


@pytest.mark.django_db
def test_jobs_are_counted_by_kind_and_state(client):
    from jobs.models import Job, JobState

    Job.objects.create(kind="export_issue", state=JobState.FAILED)
    Job.objects.create(kind="export_issue", state=JobState.FAILED)
    Job.objects.create(kind="export_issue", state=JobState.DONE)

    text = metrics_text(client)

    assert 'newsroom_jobs{kind="export_issue",state="failed"} 2.0' in text
    assert 'newsroom_jobs{kind="export_issue",state="done"} 1.0' in text


# Every gunicorn worker's counts, whichever answers the scrape


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def gunicorn(tmp_path):
    """The production server (newsroom/gunicorn.conf.py) with two workers."""
    port = free_port()
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("SECRET_KEY", "DEBUG", "REDIS_URL", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "LOG_FORMAT")
    }
    stale = tmp_path / "prometheus" / "counter_1.db"  # left by an earlier run: must not count
    stale.parent.mkdir()
    stale.write_bytes(b"\0" * 8)
    server = subprocess.Popen(  # noqa: S603 (the project's own gunicorn and configuration)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config",
            "newsroom/gunicorn.conf.py",
            "newsroom.wsgi:application",
        ],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DEBUG": "false",
            "SECRET_KEY": "q7$hx0!p2m@r^k9v&w3z*b8n(c4j)d5f-g6t=y1s+u_e%a#l2o8",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "VAR_DIR": str(tmp_path),
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            fetch(f"{base}/healthz")
            break
        except OSError:
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
    yield base, server, tmp_path / "prometheus"
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_workers_add_up_to_one_scrape_and_log_json_with_the_request_id(gunicorn):
    base, server, folder = gunicorn
    # At once from several threads, until both workers have answered some (which worker
    # accepts a connection is the kernel's choice): the scrape must add up both.
    answers = []
    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(10):
            start = len(answers)
            answers += pool.map(
                lambda n: fetch(f"{base}/api/nothing-here/", **{"X-Request-ID": f"probe-{n}"}),
                range(start, start + 12),
            )
            if len({p.name for p in folder.glob("counter_*.db")} - {"counter_1.db"}) >= 2:
                break
    scrapes = [fetch(f"{base}/metrics")[2].decode() for _ in range(4)]
    server.terminate()
    server.wait(timeout=30)
    log = server.stderr.read()

    sent = len(answers)
    assert [status for status, _, _ in answers] == [404] * sent
    assert [headers["X-Request-ID"] for _, headers, _ in answers] == [f"probe-{n}" for n in range(sent)]
    counted = [
        float(m.group(1))
        for text in scrapes
        for m in [re.search(r'django_http_responses_total_by_status_total\{status="404"\} (\S+)', text)]
    ]
    assert counted == [float(sent)] * 4  # whichever worker answered: the sum of both
    workers = {p.name.split("_")[-1] for p in folder.glob("counter_*.db")}
    assert len(workers - {"1.db"}) >= 2 and not (folder / "counter_1.db").exists()
    lines = [line for line in log.splitlines() if line.strip()]
    assert lines and all(line.startswith("{") and line.endswith("}") for line in lines), log[:2000]
    assert '"request_id": "probe-3"' in log  # Django's "Not Found" line of that request


@pytest.mark.django_db
def test_a_database_away_costs_the_scrape_only_the_job_counts(client, monkeypatch):
    from django.db import OperationalError

    from newsroom.operations import metrics

    def away():
        raise OperationalError("the database went away")

    monkeypatch.setattr(metrics, "job_counts", away)

    text = metrics_text(client)

    assert "newsroom_request_queries" in text and "newsroom_jobs" not in text
