import re
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db

LOGIN_LINE = re.compile(
    r"^编辑登录 / editor login: http://127\.0\.0\.1:8000/admin/  用户名 editor  密码 (?P<password>\S+)$", re.M
)


@pytest.fixture(autouse=True)
def no_password_from_env(monkeypatch):
    monkeypatch.delenv("EDITOR_PASSWORD", raising=False)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The production hasher is slow on purpose; these tests only need hashing to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login_request():
    """django-axes counts log-ins per request (address), so authenticate() needs one."""
    return RequestFactory().post("/admin/login/")


def ensure_editor() -> str:
    out = StringIO()
    call_command("ensure_editor", stdout=out)
    match = LOGIN_LINE.search(out.getvalue())
    assert match, out.getvalue()
    return match["password"]


def password_file(settings) -> Path:
    return Path(settings.VAR_DIR) / "editor-password.txt"


@pytest.mark.parametrize(
    ("username", "role", "may", "may_not"),
    [
        (
            "reporter",
            "记者",
            ["articles.submit_article", "articles.add_article"],
            ["articles.review_article"],
        ),
        ("editor", "编辑", ["articles.review_article", "media.delete_photo"], ["articles.publish_issue"]),
        ("chief", "值班主任", ["articles.publish_issue", "articles.correct_article"], ["auth.change_user"]),
    ],
)
def test_one_staff_account_per_role_none_superuser(username, role, may, may_not):
    password = ensure_editor()

    user = get_user_model().objects.get(username=username)
    assert user.is_staff and user.is_active
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert all(user.has_perm(p) for p in may)
    assert not any(user.has_perm(p) for p in may_not)
    assert authenticate(login_request(), username=username, password=password) == user


def test_password_is_kept_private_and_stable(settings):
    first = ensure_editor()

    path = password_file(settings)
    assert path.read_text(encoding="utf-8").strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_editor() == first
    assert get_user_model().objects.filter(username="editor").count() == 1


def test_missing_password_file_resets_the_password(settings):
    first = ensure_editor()
    password_file(settings).unlink()

    second = ensure_editor()

    assert second != first
    assert authenticate(login_request(), username="editor", password=second) is not None
    assert authenticate(login_request(), username="editor", password=first) is None


def test_password_from_environment(monkeypatch, settings):
    monkeypatch.setenv("EDITOR_PASSWORD", "换届-2022-editor")

    assert ensure_editor() == "换届-2022-editor"
    assert authenticate(login_request(), username="editor", password="换届-2022-editor") is not None
    assert not password_file(settings).exists()


def test_the_printed_login_is_where_this_site_answers(settings):
    settings.SITE_URL = "http://127.0.0.1:8011"
    out = StringIO()

    call_command("ensure_editor", stdout=out)

    assert "editor login: http://127.0.0.1:8011/admin/  用户名 editor" in out.getvalue()
