"""What a server process checks before it answers anyone."""

from django.conf import settings
from django.core.checks.security import base as security_checks
from django.core.exceptions import ImproperlyConfigured

GENERATE = "python -c 'from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())'"


def refuse_unsafe_production() -> None:
    """A server with DEBUG off must not sign sessions and preview links with the
    well-known development key, nor with one that can be guessed: refuse to start rather
    than warn and go on. Weak is what `check --deploy` warns of (security.W009/W025),
    by Django's own rule, so the two never disagree."""
    if settings.DEBUG:
        return
    if not settings.SECRET_KEY_FROM_ENVIRONMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY 未设置：DEBUG 关闭（生产环境）时必须提供一个足够长的随机 SECRET_KEY；本机开发请设 DEBUG=true。"
            " / SECRET_KEY is not set: production (DEBUG=false) needs a long random SECRET_KEY;"
            " for a local run set DEBUG=true."
        )
    keys = {"SECRET_KEY": settings.SECRET_KEY}
    keys.update({f"SECRET_KEY_FALLBACKS[{n}]": key for n, key in enumerate(settings.SECRET_KEY_FALLBACKS)})
    weak = [name for name, key in keys.items() if not security_checks._check_secret_key(key)]
    if weak:
        names = "、".join(weak)
        raise ImproperlyConfigured(
            f"{names} 太弱：须至少 {security_checks.SECRET_KEY_MIN_LENGTH} 个字符、"
            f"至少 {security_checks.SECRET_KEY_MIN_UNIQUE_CHARACTERS} 种不同的字符，"
            f"且不能以 {security_checks.SECRET_KEY_INSECURE_PREFIX} 开头。请用 {GENERATE} 生成一个并设为环境变量。"
            f" / {', '.join(weak)} is weak (Django's check --deploy rule: at least"
            f" {security_checks.SECRET_KEY_MIN_LENGTH} characters, {security_checks.SECRET_KEY_MIN_UNIQUE_CHARACTERS}"
            f" distinct ones, not prefixed {security_checks.SECRET_KEY_INSECURE_PREFIX}): generate one with the command above."
        )
