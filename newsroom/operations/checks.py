"""System checks of the operations settings, reported by `manage.py check` with ids."""

import ipaddress

from django.conf import settings
from django.core import checks

TOKEN_MIN_LENGTH = 32


@checks.register(checks.Tags.security)
def check_metrics_access(app_configs, **kwargs):
    messages = []
    for entry in settings.METRICS_ALLOWED_ADDRESSES:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            messages.append(
                checks.Error(
                    f"METRICS_ALLOWED_ADDRESSES holds {entry!r}, neither an address nor a network: it is ignored.",
                    hint="Give addresses or networks, e.g. 127.0.0.1,::1,10.0.0.0/8.",
                    id="operations.E001",
                )
            )
    if settings.METRICS_TOKEN and len(settings.METRICS_TOKEN) < TOKEN_MIN_LENGTH:
        messages.append(
            checks.Warning(
                f"METRICS_TOKEN is shorter than {TOKEN_MIN_LENGTH} characters: easy to guess.",
                hint="python -c 'import secrets; print(secrets.token_urlsafe(32))'",
                id="operations.W001",
            )
        )
    return messages
