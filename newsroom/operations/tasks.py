"""The request id goes with the tasks a request starts: put in the message's headers when a
task is sent (`before_task_publish`), made current while the worker runs it (`task_prerun`),
and dropped after (`task_postrun`), so that the worker's log lines carry the id of the
request that asked for the work. Celery's signals only: nothing here needs the Celery app
or the jobs app. Connected in OperationsConfig.ready(), in web and worker processes alike.
"""

from contextvars import Token

from celery.signals import before_task_publish, task_postrun, task_prerun

from .requestid import SANE, accepted, current

HEADER = "newsroom_request_id"

_tokens: dict[str, Token] = {}


def carry_request_id(headers=None, **kwargs) -> None:
    request_id = current.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


def take_request_id(task_id=None, task=None, **kwargs) -> None:
    """The id the message carries; else the one already current (a task run in-process, in
    its request); else a new one (a scheduled task)."""
    given = getattr(task.request, HEADER, None) if task is not None else None
    if not (isinstance(given, str) and SANE.fullmatch(given)):
        given = current.get() or accepted(None)
    _tokens[task_id] = current.set(given)


def drop_request_id(task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        current.reset(token)


def connect() -> None:
    before_task_publish.connect(carry_request_id, dispatch_uid="newsroom.request_id.publish", weak=False)
    task_prerun.connect(take_request_id, dispatch_uid="newsroom.request_id.prerun", weak=False)
    task_postrun.connect(drop_request_id, dispatch_uid="newsroom.request_id.postrun", weak=False)
