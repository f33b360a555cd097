"""The runtime half of the append-only guard, on SQLite.

The trail's table refuses UPDATE and DELETE in the database itself (triggers, made by
`migrations/0002_logentry_append_only`). On SQLite the DELETE trigger asks
`audit_emptying_allowed()`, a function each of this process's connections defines: true only
while `manage.py flush` empties every table (the test runner's way to reset the database, and
the operator's), false otherwise. A connection that does not define it — the sqlite3 shell,
another program — gets an error instead of a deletion. (PostgreSQL's flush is a TRUNCATE,
which row triggers do not see: there the DELETE trigger needs no exception.)
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections
from django.db.backends.signals import connection_created

FUNCTION = "audit_emptying_allowed"

_emptying = ContextVar("audit_emptying", default=False)


@contextmanager
def emptying_allowed() -> Iterator[None]:
    token = _emptying.set(True)
    try:
        yield
    finally:
        _emptying.reset(token)


def _allowed() -> int:
    return int(_emptying.get())


def define_function(sender=None, connection=None, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 0, _allowed)


def connect() -> None:
    connection_created.connect(define_function, dispatch_uid="audit.define_function")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            define_function(connection=connection)
