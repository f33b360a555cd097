"""A ready-to-use editor account for local runs and demos: staff, never superuser."""

import os
import secrets
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

USERNAME = "editor"
GROUP_NAME = "编辑"
APP_LABELS = ("articles", "media")
ACTIONS = ("add", "change", "delete", "view")
ADMIN_URL = "http://127.0.0.1:8000/admin/"
LOGIN_FILE = "editor-password.txt"


class Command(BaseCommand):
    help = (
        "创建（或保留）编辑账号 editor 及“编辑”用户组，并打印登录方式"
        " / Create or keep the staff user 'editor' in the group 编辑 and print its login."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            group = ensure_group()
            user = ensure_user(group)
            password = editor_password()
            # The printed login must work, even if the account's password drifted.
            if not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
        self.stdout.write(f"编辑登录 / editor login: {ADMIN_URL}  用户名 {USERNAME}  密码 {password}")


def editor_permissions() -> list[Permission]:
    """add/change/delete/view on every model of the content apps."""
    permissions = []
    for label in APP_LABELS:
        for model in apps.get_app_config(label).get_models():
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            codenames = [f"{action}_{model._meta.model_name}" for action in ACTIONS]
            found = list(Permission.objects.filter(content_type=content_type, codename__in=codenames))
            if len(found) != len(codenames):
                raise CommandError(f"缺少 {model._meta.label} 的权限，请先运行 migrate / run migrate first.")
            permissions += found
    return permissions


def ensure_group() -> Group:
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    # add(), not set(): permissions an administrator granted the group on top are kept.
    group.permissions.add(*editor_permissions())
    return group


def ensure_user(group: Group):
    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    user.is_staff = True
    user.is_active = True
    user.is_superuser = False
    user.save()
    user.groups.add(group)
    return user


def editor_password() -> str:
    """EDITOR_PASSWORD if set; else the one kept in VAR_DIR, made up on first use."""
    from_env = os.environ.get("EDITOR_PASSWORD", "")
    if from_env:
        return from_env
    path = Path(settings.VAR_DIR) / LOGIN_FILE
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    password = secrets.token_urlsafe(12)
    write_secret(path, password)
    return password


def write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    # O_CREAT's mode only applies to a new file; tighten one that was already there.
    path.chmod(0o600)
