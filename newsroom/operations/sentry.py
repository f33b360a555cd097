"""Errors to Sentry, only when a DSN is configured: without one, sentry-sdk is not even imported."""

from .requestid import current


def start_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> bool:
    """Start sentry-sdk with its Django and Celery integrations; False (nothing started)
    without a DSN. No personal data: no user names, addresses, cookies or request bodies."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=with_request_id,
        before_send_transaction=with_request_id,
    )
    return True


def with_request_id(event: dict, hint: dict) -> dict:
    """The event carries the id of the request (or task) it happened in: the same id as the
    log lines and the X-Request-ID the client was given."""
    request_id = current.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event
