"""Operations: logging, the probes and /metrics, and Sentry (newsroom/operations/)."""

from newsroom.operations.logs import chosen_format, logging_config
from newsroom.operations.sentry import start_sentry
from newsroom.settings.base import DEBUG, env

# One JSON object per line in production, text on a terminal (LOG_FORMAT=json|text); every
# line carries the request id (newsroom/operations/requestid.py).
LOG_FORMAT = chosen_format(env.str("LOG_FORMAT", default=""), debug=DEBUG)
LOGGING_CONFIG = "newsroom.operations.logs.configure"
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))

# Load balancers probe over plain HTTP, and Prometheus scrapes over it inside the network:
# no redirect to HTTPS for these (the probes also skip the Host check: operations/middleware.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Seconds each readiness check (database, Redis, storage, broker) may take, all at once, and
# the broker's answer for the queue depths /metrics shows.
READINESS_TIMEOUT = env.float("READINESS_TIMEOUT", default=2.0)

# Who may read /metrics: these addresses or networks (a direct connection, not one passed on
# by a proxy), or whoever sends `Authorization: Bearer <METRICS_TOKEN>`. Anyone else: 403.
METRICS_ALLOWED_ADDRESSES = env.list("METRICS_ALLOWED_ADDRESSES", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Errors (and, if sampled, traces) to Sentry when SENTRY_DSN is set; never personal data.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
start_sentry(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)
