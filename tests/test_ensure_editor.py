import re
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

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


def ensure_editor() -> str:
    out = StringIO()
    call_command("ensure_editor", stdout=out)
    match = LOGIN_LINE.search(out.getvalue())
    assert match, out.getvalue()
    return match["password"]


def password_file(settings) -> Path:
    return Path(settings.VAR_DIR) / "editor-password.txt"


def test_editor_is_staff_not_superuser_with_content_permissions():
    password = ensure_editor()

    editor = get_user_model().objects.get(username="editor")
    assert editor.is_staff and editor.is_active
    assert not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["编辑"]
    for label in ("articles", "media"):
        for model in apps.get_app_config(label).get_models():
            for action in ("add", "change", "delete", "view"):
                assert editor.has_perm(f"{label}.{action}_{model._meta.model_name}")
    assert not editor.has_perm("auth.change_user")
    assert authenticate(None, username="editor", password=password) == editor


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
    assert authenticate(None, username="editor", password=second) is not None
    assert authenticate(None, username="editor", password=first) is None


def test_password_from_environment(monkeypatch, settings):
    monkeypatch.setenv("EDITOR_PASSWORD", "换届-2022-editor")

    assert ensure_editor() == "换届-2022-editor"
    assert authenticate(None, username="editor", password="换届-2022-editor") is not None
    assert not password_file(settings).exists()
