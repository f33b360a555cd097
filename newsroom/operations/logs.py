"""Log records: the request id on each (`RequestIdFilter`), and one JSON object per line in
production (`JsonFormatter`), text on a developer's terminal.

Importable before Django is set up: gunicorn's own logging uses the same formatter
(newsroom/gunicorn.conf.py), so every line a production server writes is JSON.
"""

import datetime as dt
import logging
import logging.config
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.json import JsonFormatter as LibraryJsonFormatter

from .requestid import current

FORMATS = ("json", "text")
NO_REQUEST = "-"
# The newsroom's zone, with its offset written out: read by people on call in Beijing and
# unambiguous for machines.
ZONE = ZoneInfo("Asia/Shanghai")


def chosen_format(asked: str, *, debug: bool) -> str:
    """LOG_FORMAT as asked, else JSON in production and text with DEBUG on."""
    asked = asked.strip().lower()
    if not asked:
        return "text" if debug else "json"
    if asked not in FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {asked!r}")
    return asked


class RequestIdFilter(logging.Filter):
    """Puts the running request's id (or task's: newsroom/operations/tasks.py) on the record."""

    def filter(self, record):
        record.request_id = current.get() or NO_REQUEST
        return True


class JsonFormatter(LibraryJsonFormatter):
    """time, level, logger, message, request_id, then whatever the record carries besides."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("json_ensure_ascii", False)  # Chinese stays readable in the log
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        log_data["time"] = dt.datetime.fromtimestamp(record.created, ZONE).isoformat(timespec="milliseconds")
        super().add_fields(log_data, record, message_dict)
        if log_data.get("request_id") == NO_REQUEST:
            del log_data["request_id"]
        request = log_data.pop("request", None)
        if hasattr(request, "method"):
            # django.request's records carry the HttpRequest itself: its method and path are
            # what helps; its repr (or a socket, from runserver) does not.
            log_data["method"], log_data["path"] = request.method, request.get_full_path()


def configure(config: dict) -> None:
    """LOGGING_CONFIG: the dictionary, and Python's warnings as records too (py.warnings), so
    that a library's warning is a JSON line like everything else."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: every record through one console handler, with the request id."""
    formatter = "json" if log_format == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "newsroom.operations.logs.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "newsroom.operations.logs.JsonFormatter"},
            "text": {"format": "{asctime} {levelname} {name} [{request_id}] {message}", "style": "{"},
            # Django's format for runserver's request lines: [time] "GET /… HTTP/1.1" 200 …
            "django.server": {
                "()": "django.utils.log.ServerFormatter",
                "format": "[{server_time}] {message}",
                "style": "{",
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": formatter, "filters": ["request_id"]},
            "django.server": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "django.server",
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's default logging gives "django" a console handler of its own (when DEBUG
            # is on) and lets its records propagate to the root's too: runserver printed
            # every line twice. Here its records reach the root's console only.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # Configuring "django" resets its children, so the request lines' logger is
            # restated as Django has it: its own handler and format, printed once.
            "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        },
    }
