"""Logs: one JSON object per line in production, and one request id on every line of a
request, in its answer's X-Request-ID, and in the tasks it starts (newsroom/operations/)."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from newsroom.operations import requestid
from newsroom.operations.logs import JsonFormatter, RequestIdFilter, chosen_format
from newsroom.operations.requestid import RequestIdWSGI, current

ROOT = Path(__file__).resolve().parents[2]
HEX_ID = r"[0-9a-f]{32}"


def json_line(record: logging.LogRecord) -> dict:
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line  # one object, one line, whatever the message holds
    return json.loads(line)


def a_record(message: str, *args, level=logging.WARNING, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("newsroom.desk", level, __file__, 1, message, args, exc_info)


def test_a_json_line_has_the_time_in_beijing_the_level_the_logger_and_the_message():
    token = current.set(None)  # outside any request
    try:
        line = json_line(a_record("退回修改：%s\n第二行", "稿件 12"))
    finally:
        current.reset(token)

    assert line["level"] == "WARNING"
    assert line["logger"] == "newsroom.desk"
    assert line["message"] == "退回修改：稿件 12\n第二行"
    assert line["time"].endswith("+08:00")
    assert "request_id" not in line


def test_a_json_line_carries_the_request_id_and_the_traceback():
    try:
        raise ValueError("bad value")
    except ValueError:
        record = a_record("failed", level=logging.ERROR, exc_info=sys.exc_info())
    token = current.set("edge-4f2a9c")
    try:
        line = json_line(record)
    finally:
        current.reset(token)

    assert line["request_id"] == "edge-4f2a9c"
    assert "ValueError: bad value" in line["exc_info"]


def test_the_format_is_json_in_production_and_text_with_debug_unless_asked():
    assert chosen_format("", debug=False) == "json"
    assert chosen_format("", debug=True) == "text"
    assert chosen_format("TEXT", debug=False) == "text"
    assert chosen_format("json", debug=True) == "json"
    with pytest.raises(ImproperlyConfigured):
        chosen_format("xml", debug=False)


def log_from_a_fresh_process(**env) -> str:
    """What a process with the project's settings writes when it logs one warning."""
    clean = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "DEBUG")}
    code = "import django, logging; django.setup(); logging.getLogger('newsroom.x').warning('稿件已发布')"
    done = subprocess.run(  # noqa: S603 (our own interpreter and settings)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "SECRET_KEY": "x" * 60, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [line for line in done.stderr.splitlines() if "newsroom.x" in line][0]


def test_the_settings_log_json_in_production_and_text_on_a_terminal():
    production = json.loads(log_from_a_fresh_process(DEBUG="false"))
    terminal = log_from_a_fresh_process(DEBUG="true")

    assert production["message"] == "稿件已发布" and production["logger"] == "newsroom.x"
    assert terminal.endswith("WARNING newsroom.x [-] 稿件已发布")


# The request id


def test_a_sane_incoming_request_id_is_kept_and_sent_back(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="Root=1-67891233-abcdef012345678912345678")

    assert response["X-Request-ID"] == "Root=1-67891233-abcdef012345678912345678"


@pytest.mark.parametrize(
    "given",
    ["", "x" * 129, "abc def", "abc\r\nX-Forged: 1", "-starts-with-a-dash", "编号123", "a;b", "a/b"],
)
def test_an_insane_incoming_request_id_is_replaced(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert requestid.SANE.fullmatch(response["X-Request-ID"])


def test_each_request_gets_an_id_of_its_own(client):
    ids = {client.get("/healthz")["X-Request-ID"] for _ in range(3)}

    assert len(ids) == 3
    assert all(len(request_id) == 32 for request_id in ids)


@pytest.fixture
def console():
    """What the root logger's console handler writes from now on (as JSON: the test
    settings are production's)."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_every_log_line_of_a_request_carries_its_id(client, console):
    # Django logs a 404 after the whole middleware chain has returned: the id is still there.
    response = client.get("/api/v1/issues/no-such-issue/", HTTP_X_REQUEST_ID="trace-0001")

    lines = [json.loads(line) for line in console.getvalue().splitlines()]
    assert response.status_code == 404
    assert lines and {line["request_id"] for line in lines} == {"trace-0001"}
    assert any(line["logger"] == "django.request" and line["path"] for line in lines)


def wsgi_answer(application, path: str, **headers) -> tuple[str, list]:
    environ = RequestFactory().get(path, **headers).environ
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"], started["headers"] = status, response_headers

    b"".join(application(environ, start_response))
    return started["status"], started["headers"]


def test_the_wsgi_entry_gives_every_answer_one_id_and_keeps_none_afterwards():
    seen = []

    def application(environ, start_response):
        seen.append(current.get())
        headers = [("Content-Type", "text/plain")]
        start_response("200 OK", headers)
        return [b"ok"]

    entry = RequestIdWSGI(application)
    _, first = wsgi_answer(entry, "/api/v1/issues/", HTTP_X_REQUEST_ID="lb-42")
    _, second = wsgi_answer(entry, "/api/v1/issues/")

    assert [value for name, value in first if name == "X-Request-ID"] == ["lb-42"]
    assert [name for name, _ in second].count("X-Request-ID") == 1
    assert seen[0] == "lb-42" and seen[1] == dict(second)["X-Request-ID"]
    assert current.get() is None


@pytest.mark.django_db
def test_the_middleware_takes_the_id_the_wsgi_entry_gave(client):
    response = client.get("/healthz", **{requestid.ENVIRON_KEY: "from-the-entry"})

    # The entry sends the header itself: the middleware adds none of its own.
    assert "X-Request-ID" not in response


# Tasks


@pytest.fixture(scope="module")
def worker():
    """A Celery app on an in-memory broker with a worker thread, and a task that says which
    request id was current while it ran. The project's signal receivers are connected by
    OperationsConfig.ready(), as in every process."""
    from celery import Celery
    from celery.contrib.testing.worker import start_worker

    app = Celery("operations-test", broker="memory://", backend="cache+memory://")
    app.conf.update(task_default_queue="operations-test", worker_hijack_root_logger=False)

    @app.task(name="operations_test.current_request_id")
    def current_request_id():
        return current.get()

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield current_request_id


def test_a_task_runs_under_the_id_of_the_request_that_sent_it(worker):
    token = current.set("req-7c1e0f")
    try:
        sent = worker.delay()
    finally:
        current.reset(token)

    assert sent.get(timeout=20) == "req-7c1e0f"


def test_a_task_sent_outside_a_request_gets_an_id_of_its_own(worker):
    first, second = worker.delay().get(timeout=20), worker.delay().get(timeout=20)

    assert requestid.SANE.fullmatch(first) and len(first) == 32
    assert first != second  # the worker drops each task's id when it is done


# Errors to Sentry


def sentry_in_a_fresh_process(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    return subprocess.run(  # noqa: S603 (our own interpreter and settings)
        [sys.executable, "-c", "import django, sentry_sdk; django.setup()\n" + code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "SECRET_KEY": "x" * 60, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sentry_starts_only_with_a_dsn(monkeypatch, settings):
    import sentry_sdk

    from newsroom.operations.sentry import start_sentry

    started = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: started.append(options))

    assert start_sentry(dsn="", environment="production", traces_sample_rate=0.0) is False
    assert started == []
    assert start_sentry(
        dsn="https://public@sentry.example.cn/7", environment="staging", traces_sample_rate=0.0
    )
    (options,) = started
    assert options["send_default_pii"] is False
    assert {type(i).__name__ for i in options["integrations"]} == {"DjangoIntegration", "CeleryIntegration"}
    # This test process was set up without a DSN: nothing was started in it.
    assert not settings.SENTRY_DSN and not sentry_sdk.get_client().is_active()


@pytest.fixture
def sentry_server():
    """A stand-in for Sentry's ingest on 127.0.0.1: what it is sent, decompressed."""
    import gzip
    import http.server
    import threading

    import brotli

    received = []

    class Ingest(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            coding = self.headers.get("Content-Encoding", "")
            received.append(
                gzip.decompress(body)
                if coding == "gzip"
                else brotli.decompress(body)
                if coding == "br"
                else body
            )
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://public@127.0.0.1:{server.server_port}/1", received
    server.shutdown()


def test_an_error_reaches_sentry_with_the_request_id_and_no_personal_data(sentry_server):
    dsn, received = sentry_server
    code = (
        "import logging\n"
        "from newsroom.operations.requestid import current\n"
        "current.set('req-5e17')\n"
        "try:\n    1 / 0\n"
        "except ZeroDivisionError:\n    logging.getLogger('newsroom.publish').exception('publish failed')\n"
        "sentry_sdk.flush(10)\n"
        "print('active', sentry_sdk.get_client().is_active())\n"
    )

    done = sentry_in_a_fresh_process(code, SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging")

    assert done.returncode == 0, done.stderr
    assert "active True" in done.stdout
    events = [json.loads(line) for body in received for line in body.splitlines() if b'"exception"' in line]
    assert len(events) == 1
    assert events[0]["tags"]["request_id"] == "req-5e17"
    assert events[0]["environment"] == "staging"
    assert events[0]["exception"]["values"][0]["type"] == "ZeroDivisionError"
    assert "user" not in events[0] or "ip_address" not in events[0]["user"]
