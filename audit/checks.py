"""System checks: a trail without its actors is reported by `manage.py check`."""

from django.conf import settings
from django.core import checks

AUDIT_MIDDLEWARE = "audit.middleware.AuditMiddleware"
AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


def register() -> None:
    checks.register(check_middleware, checks.Tags.security)


def check_middleware(app_configs, **kwargs):
    middleware = list(settings.MIDDLEWARE)
    if (
        AUDIT_MIDDLEWARE in middleware
        and AUTHENTICATION_MIDDLEWARE in middleware[: middleware.index(AUDIT_MIDDLEWARE)]
    ):
        return []
    return [
        checks.Error(
            f"{AUDIT_MIDDLEWARE} is not in MIDDLEWARE after {AUTHENTICATION_MIDDLEWARE}.",
            hint="Without it, entries written during a request name no user and no address.",
            id="audit.E001",
        )
    ]
