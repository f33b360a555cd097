"""gunicorn's own log lines (start-up, workers, timeouts) as JSON, like the application's, when
logs are JSON (newsroom/gunicorn.conf.py): one format for everything a server writes."""

from gunicorn import glogging

from .logs import JsonFormatter


class JsonLogger(glogging.Logger):
    def _set_handler(self, log, output, fmt, stream=None):
        super()._set_handler(log, output, JsonFormatter(), stream)
