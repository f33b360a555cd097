"""Production refuses to run unsafe, and the hardening headers and limits are really there."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from tests.factories import ArticleFactory, IssueFactory, published

ROOT = Path(__file__).resolve().parents[2]


def start_django(entry: str = "wsgi", **env) -> subprocess.CompletedProcess:
    """Load the WSGI (or ASGI) application in a fresh interpreter, as gunicorn would."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(  # noqa: S603 (our own interpreter, one of two module names)
        [sys.executable, "-c", f"import newsroom.{entry}; print('started')"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    refused = start_django(DEBUG="false")

    assert refused.returncode != 0
    assert "SECRET_KEY 未设置" in refused.stderr
    assert start_django(DEBUG="false", SECRET_KEY=STRONG_KEY).stdout.strip() == "started"
    assert start_django(DEBUG="true").stdout.strip() == "started"  # a laptop needs no key


# Shaped like Django's get_random_secret_key(): over 50 characters of its alphabet.
STRONG_KEY = "q7$hx0!p2m@r^k9v&w3z*b8n(c4j)d5f-g6t=y1s+u_e%a#l2o8"  # noqa: S105


@pytest.mark.parametrize(
    ("key", "entry"),
    [
        ("x" * 50, "wsgi"),  # long enough, but one character (fewer than 5 distinct)
        ("a-short-key-with-variety", "wsgi"),  # distinct characters, but under 50
        ("django-insecure-" + STRONG_KEY, "wsgi"),  # the prefix of a key Django made up
        ("abcd" * 20, "asgi"),
    ],
)
def test_production_refuses_to_start_with_a_weak_secret_key(key, entry):
    """The rule is Django's own (check --deploy's security.W009), refused at start-up."""
    refused = start_django(DEBUG="false", SECRET_KEY=key, entry=entry)

    assert refused.returncode != 0
    assert "SECRET_KEY 太弱" in refused.stderr
    assert key not in refused.stderr  # the key itself is never printed
    if entry == "asgi":  # (the WSGI entry starts with a strong key in the test above)
        assert start_django(DEBUG="false", SECRET_KEY=STRONG_KEY, entry=entry).stdout.strip() == "started"


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy(client):
    for url in (reverse("v1:issue-list"), reverse("admin:login"), reverse("api-docs")):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_api_docs_need_no_inline_script(client):
    """Swagger UI's set-up comes as a file, so the strict script-src lets it run."""
    page = BeautifulSoup(client.get(reverse("api-docs")).content, "html.parser")
    scripts = page.find_all("script")
    assert scripts and all(script.get("src") for script in scripts)
    assert all(not (script.string or "").strip() for script in scripts)


@pytest.mark.django_db
def test_cors_lets_only_the_configured_front_ends_read_the_api(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://m.news.example.cn"]
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    published(issue)
    url = reverse("v1:issue-detail", kwargs={"slug": issue.slug})

    allowed = client.get(url, HTTP_ORIGIN="https://m.news.example.cn")
    other = client.get(url, HTTP_ORIGIN="https://evil.example.com")
    admin = client.get(reverse("admin:login"), HTTP_ORIGIN="https://m.news.example.cn")
    preflight = client.options(
        url, HTTP_ORIGIN="https://m.news.example.cn", HTTP_ACCESS_CONTROL_REQUEST_METHOD="DELETE"
    )

    assert allowed["Access-Control-Allow-Origin"] == "https://m.news.example.cn"
    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Origin" not in admin
    assert "DELETE" not in preflight.get("Access-Control-Allow-Methods", "")


@pytest.mark.django_db
def test_repeated_wrong_admin_passwords_lock_the_account_out(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 5
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "editor", "password": "wrong", "next": "/admin/"})

    locked = client.post(login, {"username": "editor", "password": "pw-editor", "next": "/admin/"})

    assert locked.status_code == 429
    assert "登录已暂停" in locked.content.decode()
    # Another account is not locked by someone guessing at this one.
    assert client.post(login, {"username": "chief", "password": "wrong"}).status_code == 200


@pytest.mark.django_db
def test_a_correct_password_before_the_limit_still_logs_in(client, editor):
    login = reverse("admin:login")
    for _ in range(3):
        client.post(login, {"username": "editor", "password": "wrong"})

    response = client.post(login, {"username": "editor", "password": "pw-editor", "next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_production_server_does_not_name_its_software(tmp_path):
    """gunicorn with the production configuration (newsroom/gunicorn.conf.py), as
    scripts/serve-production runs it: no `Server: gunicorn` in its answers."""
    port = free_port()
    clean = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "REDIS_URL", "DATABASE_URL")
    }
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "false",
        "SECRET_KEY": STRONG_KEY,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(tmp_path),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(  # noqa: S603 (the project's own gunicorn and configuration)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config",
            "newsroom/gunicorn.conf.py",
            "newsroom.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                # An unknown API path: the API's JSON 404, no database needed.
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/nothing-here/", timeout=5
                ) as answer:
                    headers = answer.headers
                break
            except urllib.error.HTTPError as error:
                headers = error.headers
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert headers["Content-Type"] == "application/json"  # it was the app that answered
    assert headers.get_all("Server") is None
