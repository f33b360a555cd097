"""Publishing workflow: the one place admin, API and commands change what readers see."""

from django.db import transaction
from django.utils import timezone

from ..models import Issue
from ..querysets import PublicationStatus


@transaction.atomic
def publish_issue(issue: Issue, *, at=None, with_articles: bool = True) -> Issue:
    """Publish the issue (visible from `at`, default now) and, by default, all its articles."""
    issue.status = PublicationStatus.PUBLISHED
    issue.published_at = at or issue.published_at or timezone.now()
    issue.full_clean()
    issue.save(update_fields=["status", "published_at", "updated_at"])
    if with_articles:
        issue.articles.exclude(status=PublicationStatus.PUBLISHED).update(
            status=PublicationStatus.PUBLISHED, updated_at=timezone.now()
        )
    return issue


@transaction.atomic
def unpublish_issue(issue: Issue) -> Issue:
    """Take the issue back to draft: readers no longer see it or any of its articles."""
    issue.status = PublicationStatus.DRAFT
    issue.full_clean()
    issue.save(update_fields=["status", "updated_at"])
    return issue
