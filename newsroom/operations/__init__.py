"""Operations: probes (/healthz, /readyz), Prometheus metrics (/metrics), one request id on
every log line and in every task it starts, JSON logs, and errors sent to Sentry.

Shared plumbing: it knows no app (import-linter holds it to that); the apps' own measurements
are the instruments of `instruments.py`, which they import and count on.
"""
