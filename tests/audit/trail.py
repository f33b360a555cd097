"""Reading the trail in tests."""

from auditlog.models import LogEntry


def entries(event: str | None = None, **filters):
    """The trail's entries, oldest first; those of one event when `event` is given."""
    found = LogEntry.objects.filter(**filters).order_by("pk")
    return found.filter(additional_data__event=event) if event else found


def only(event: str, **filters) -> LogEntry:
    [entry] = entries(event, **filters)
    return entry
