"""Ready-to-use desk accounts for local runs and demos: staff, never superuser.

One account per role (the groups come from the data migration `articles/0004_roles`):
`reporter` (记者), `editor` (编辑) and `chief` (值班主任), sharing one local password.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

USERNAME = "editor"
ACCOUNTS = {"reporter": "记者", "editor": "编辑", "chief": "值班主任"}
LOGIN_FILE = "editor-password.txt"


class Command(BaseCommand):
    help = (
        "创建（或保留）记者 reporter、编辑 editor、值班主任 chief 三个账号并打印登录方式"
        " / Create or keep the desk accounts reporter, editor and chief and print their login."
    )

    def handle(self, *args, **options):
        password = editor_password()
        with transaction.atomic():
            for username, role in ACCOUNTS.items():
                user = ensure_user(username, role_group(role))
                # The printed login must work, even if the account's password drifted.
                if not user.check_password(password):
                    user.set_password(password)
                    user.save(update_fields=["password"])
        # Where this site answers (scripts/serve sets it from ADDRESS), not a fixed port.
        admin_url = f"{settings.SITE_URL}/admin/"
        self.stdout.write(f"编辑登录 / editor login: {admin_url}  用户名 {USERNAME}  密码 {password}")
        others = "、".join(f"{role} {name}" for name, role in ACCOUNTS.items() if name != USERNAME)
        self.stdout.write(f"同一密码还可登录 / same password for: {others}")


def role_group(name: str) -> Group:
    group = Group.objects.filter(name=name).first()
    if group is None:
        raise CommandError(f"缺少用户组“{name}”，请先运行 migrate / run migrate first.")
    return group


def ensure_user(username: str, group: Group):
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.is_staff = True
    user.is_active = True
    user.is_superuser = False
    user.save()
    user.groups.set([group])
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
