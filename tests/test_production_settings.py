"""Production refuses to run unsafe, and the hardening headers and limits are really there."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from .factories import ArticleFactory, IssueFactory, published

ROOT = Path(__file__).resolve().parents[1]


def start_django(**env) -> subprocess.CompletedProcess:
    """Load the WSGI application in a fresh interpreter, as gunicorn or runserver would."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import newsroom.wsgi; print('started')"],
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
    assert start_django(DEBUG="false", SECRET_KEY="x" * 50).stdout.strip() == "started"
    assert start_django(DEBUG="true").stdout.strip() == "started"  # a laptop needs no key


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
