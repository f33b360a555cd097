"""An entry in words, for the admin: who, what it was about, and what happened."""

from datetime import datetime

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from articles.workflow import ArticleStatus, IssueStatus

from .models import AuditEntry

STATUS_LABELS = {**dict(IssueStatus.choices), **dict(ArticleStatus.choices)}
NOBODY = "—"


def who(entry: AuditEntry) -> str:
    """The account, or the name it had once deleted, or 系统 for commands and jobs."""
    if entry.actor_id:
        return entry.actor.get_username()
    name = (entry.additional_data or {}).get("actor_name")
    if name:
        return f"{name}（账号已删除）"
    return "系统" if entry.remote_addr is None else NOBODY


def subject(entry: AuditEntry):
    """What the entry is about, linked to its admin page while that exists."""
    if not entry.object_pk:
        return NOBODY
    model = entry.content_type.model_class()
    kind = model._meta.verbose_name if model else entry.content_type.model
    label = f"{kind}：{entry.object_repr}"
    if model is None or entry.action == LogEntry.Action.DELETE:
        return label
    try:
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[entry.object_pk]
        )
    except NoReverseMatch:
        return label
    return format_html('<a href="{}">{}</a>', url, label)


def summary(entry: AuditEntry) -> str:
    """One line: the event's particulars, or the names of the fields a save changed."""
    data = entry.additional_data or {}
    describe = EVENT_SUMMARIES.get(entry.event)
    if describe is not None:
        return describe(data)
    if entry.action != LogEntry.Action.UPDATE:
        return NOBODY  # a whole row made or deleted: its fields are on the entry's page
    return "、".join(_field_label(entry, name) for name in (entry.changes_dict or {})) or NOBODY


def changes_table(entry: AuditEntry):
    """Each changed field with its value before and after: auditlog's display values (choice
    labels, the names of related rows), and for groups and permissions what was added or
    removed."""
    if entry.event or not entry.changes_dict:
        return NOBODY
    shown = {str(label): values for label, values in entry.changes_display_dict.items()}
    rows = []
    for name, values in entry.changes_dict.items():
        label = _field_label(entry, name)
        if isinstance(values, dict):  # many-to-many: auditlog records what was added or removed
            objects = "、".join(map(str, values.get("objects", [])))
            before, after = ("", objects) if values.get("operation") == "add" else (objects, "")
        else:
            before, after = [*map(str, shown.get(label, values)), "", ""][:2]
        rows.append((label, before, after))
    head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th></tr>", "字段", "原值", "新值")
    body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
    return format_html("<table>{}{}</table>", head, body)


def _field_label(entry: AuditEntry, name: str) -> str:
    model = entry.content_type.model_class()
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name)) if model else name
    except FieldDoesNotExist:
        return name


def _step(data: dict) -> str:
    moved = (
        f"{data.get('label', data.get('step', ''))}：{_status(data.get('from'))} → {_status(data.get('to'))}"
    )
    parts = [moved]
    if "publication" in data:
        when = datetime.fromisoformat(data["visible_from"]).strftime("%Y-%m-%d %H:%M")
        parts.append(f"第{data['publication']}次发布，{when} 起可见，{len(data.get('articles', []))} 篇稿件")
    if data.get("note"):
        parts.append(f"说明：{data['note']}")
    return "；".join(parts)


def _status(code) -> str:
    return str(STATUS_LABELS.get(code, code or NOBODY))


def _export(data: dict) -> str:
    draft = "（草稿）" if data.get("draft") else ""
    return (
        f"导出包 {data.get('package', '')}{draft}：{data.get('articles', 0)} 篇稿件、"
        f"{data.get('photos', 0)} 张图片，{data.get('bytes', 0):,} 字节"
    )


def _import(data: dict) -> str:
    parts = [
        f"导入包 {data.get('package') or '（未命名）'}：{data.get('articles', 0)} 篇稿件、{data.get('photos', 0)} 张图片"
    ]
    if data.get("replace"):
        parts.append("原地替换本站同一专题")
    if data.get("publication"):
        parts.append(f"恢复第{data['publication']}次发布")
    return "；".join(parts)


EVENT_SUMMARIES = {
    "workflow": _step,
    "publish": _step,
    "withdraw": _step,
    "export": _export,
    "import": _import,
    "login": lambda data: "登录管理后台",
    "logout": lambda data: "退出登录",
    "login_failed": lambda data: f"以用户名“{data.get('username', '')}”登录未成功（密码错误或已被锁定）",
    "lockout": lambda data: f"用户名“{data.get('username', '')}”登录失败次数过多，已被暂时锁定",
}
