"""articles' chores on the schedule (newsroom/settings/tasks.py)."""

from celery import shared_task

from articles.publications import preview


@shared_task(name="articles.delete_expired_preview_links")
def delete_expired_preview_links() -> int:
    return preview.delete_expired_links()
