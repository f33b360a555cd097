"""media's chores on the schedule (newsroom/settings/tasks.py)."""

from celery import shared_task

from media.renditions import services


@shared_task(name="media.prune_retired_files")
def prune_retired_files() -> int:
    """Retired rendition files no publication readers can be served links to any more.
    Also run after each publication; the schedule catches what a failed run left."""
    return services.prune_retired()
