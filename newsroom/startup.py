"""What a server process checks before it answers anyone."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_production() -> None:
    """A server with DEBUG off must not sign sessions and preview links with the
    well-known development key: refuse to start rather than warn and go on."""
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY 未设置：DEBUG 关闭（生产环境）时必须提供一个足够长的随机 SECRET_KEY；本机开发请设 DEBUG=true。"
            " / SECRET_KEY is not set: production (DEBUG=false) needs a long random SECRET_KEY;"
            " for a local run set DEBUG=true."
        )
