"""What readers may see, decided in one place."""

from django.db import models
from django.utils import timezone


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


def issue_is_public(at=None, *, via: str = "") -> models.Q:
    """The one rule for a public issue: published, and its publication time has come.

    `via` is the lookup path from the queried model to the issue ("issue__" for articles).
    """
    return models.Q(
        **{f"{via}status": PublicationStatus.PUBLISHED, f"{via}published_at__lte": at or timezone.now()}
    )


class IssueQuerySet(models.QuerySet):
    def published(self, at=None):
        """Issues readers may see at `at` (default now); never a draft or a scheduled issue."""
        return self.filter(issue_is_public(at))

    def newest_first(self):
        return self.order_by("-issue_date", "-published_at", "-id")


class ArticleQuerySet(models.QuerySet):
    def published(self, at=None):
        """Published articles of public issues; never a draft, never inside a draft issue."""
        return self.filter(issue_is_public(at, via="issue__"), status=PublicationStatus.PUBLISHED)

    def in_reading_order(self):
        return self.order_by("position", "id")
