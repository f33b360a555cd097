"""System checks: misconfigurations reported by `manage.py check` (and so by `migrate` and
the deploy checks of scripts/test), not found out from a slow or unprotected read."""

from django.conf import settings
from django.core import checks

PUBLIC_READ_MIDDLEWARE = "articles.delivery.fastpath.PublicReadMiddleware"
# The middleware above PublicReadMiddleware: what PublicReadsWSGI, in front of Django's
# handler, applies to its answers by these middlewares' own code.
SECURITY = "django.middleware.security.SecurityMiddleware"
CORS = "corsheaders.middleware.CorsMiddleware"
STOOD_IN_FOR = (SECURITY, CORS, "whitenoise.middleware.WhiteNoiseMiddleware")  # WhiteNoise: static files only


def middleware_above_public_reads(middleware) -> list[str] | None:
    """The middleware above PublicReadMiddleware, or None when it is not installed."""
    middleware = list(middleware)
    if PUBLIC_READ_MIDDLEWARE not in middleware:
        return None
    return middleware[: middleware.index(PUBLIC_READ_MIDDLEWARE)]


def wsgi_entry_stands_in(middleware) -> bool:
    """Whether the middleware above PublicReadMiddleware is exactly what PublicReadsWSGI
    applies itself; if not (one added or moved), it must not skip it, and turns itself off."""
    above = middleware_above_public_reads(middleware)
    return above is not None and sorted(above) == sorted(STOOD_IN_FOR)


@checks.register(checks.Tags.security)
def check_public_read_middleware(app_configs, **kwargs):
    above = middleware_above_public_reads(settings.MIDDLEWARE)
    if above is None:
        return [
            checks.Warning(
                f"{PUBLIC_READ_MIDDLEWARE} is not in MIDDLEWARE: every public read goes through "
                "the whole request cycle, and the WSGI entry (PublicReadsWSGI) answers none.",
                hint=f"Put it right after {', '.join(STOOD_IN_FOR)}.",
                id="articles.W001",
            )
        ]
    missing = [name for name in (SECURITY, CORS) if name not in above]
    if missing:
        return [
            checks.Error(
                f"{', '.join(missing)} must come before {PUBLIC_READ_MIDDLEWARE} in MIDDLEWARE: "
                "the reads it answers would go without the HTTPS redirect, the security headers "
                "or the CORS headers.",
                hint=f"Put {PUBLIC_READ_MIDDLEWARE} right after {', '.join(STOOD_IN_FOR)}.",
                id="articles.E001",
            )
        ]
    if not wsgi_entry_stands_in(settings.MIDDLEWARE):
        return [
            checks.Warning(
                f"The middleware above {PUBLIC_READ_MIDDLEWARE} is {above}, not {list(STOOD_IN_FOR)}: "
                "the WSGI entry (PublicReadsWSGI) applies only those itself, so it turns itself "
                "off and every public read goes through Django's whole handler.",
                hint="Move the other middleware below it, or teach PublicReadsWSGI to apply it "
                "(articles/delivery/fastpath.py) and add it to articles.checks.STOOD_IN_FOR.",
                id="articles.W002",
            )
        ]
    return []
