"""The trail as the admin shows it: auditlog's own table, under the newsroom's name."""

from auditlog.models import LogEntry

from .events import EVENTS

CHANGE_ACTIONS = {
    LogEntry.Action.CREATE: "新建",
    LogEntry.Action.UPDATE: "修改",
    LogEntry.Action.DELETE: "删除",
}


class AuditEntry(LogEntry):
    """One entry of the trail: a saved or deleted row (auditlog's own), or an event
    (`additional_data["event"]`, one of `events.EVENTS`)."""

    class Meta:
        proxy = True
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-timestamp", "-id"]

    def __str__(self):
        return f"{self.what}：{self.object_repr}" if self.object_pk else self.what

    @property
    def event(self) -> str | None:
        return (self.additional_data or {}).get("event")

    @property
    def what(self) -> str:
        """新建 / 修改 / 删除 for a row, the event's name for an event."""
        if self.event:
            return EVENTS.get(self.event, self.event)
        return CHANGE_ACTIONS.get(self.action, "记录")
