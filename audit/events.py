"""The trail's events that are not saves of a row, and `record`, which writes one.

Saves and deletions of the editorial rows are recorded by django-auditlog itself
(`registration`). The rest — a step of the desk, a publish, a withdrawal, an export, an
import, a log-in — are recorded here as auditlog LogEntry rows too (action ACCESS,
`additional_data["event"]` naming the event): one table, one search in the admin and one
append-only guard hold the whole trail.
"""

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from .context import client_address

EVENTS = {
    "workflow": "流程",
    "publish": "发布",
    "withdraw": "撤回",
    "export": "导出",
    "import": "导入",
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "lockout": "登录锁定",
}


def record(event: str, obj=None, *, actor=None, request=None, **data) -> LogEntry:
    """Add one entry to the trail: `event` (a key of EVENTS) about `obj` (a model instance,
    or None), by `actor` (None: the user of the request being served, if any), from the
    client address of `request` (None: the request being served, if any), with `data`
    (JSON) beside it. Written in the caller's transaction: a step rolled back leaves none."""
    if event not in EVENTS:
        raise ValueError(f"Unknown audit event {event!r}; the events are {', '.join(EVENTS)}.")
    fields = {"action": LogEntry.Action.ACCESS, "actor": actor, "additional_data": {"event": event, **data}}
    if request is not None:
        fields["remote_addr"] = client_address(request)
    if obj is not None:
        return LogEntry.objects.log_create(obj, force_log=True, **fields)
    # No row to point to (a log-in failed under a name no account has): the entry points to
    # nothing but the trail itself, and its repr says what happened.
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(
            apps.get_model("audit", "AuditEntry"), for_concrete_model=False
        ),
        object_pk="",
        object_repr=EVENTS[event],
        cid=get_cid(),
        **fields,
    )


def clip(text, limit: int = 500) -> str:
    """Editor or client text kept beside an event: bounded, and without NUL (PostgreSQL's
    JSON refuses it)."""
    text = str(text or "").replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"
