"""What readers may see, decided in one place."""

from django.db import models
from django.utils import timezone


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class IssueQuerySet(models.QuerySet):
    def published(self, at=None):
        """Issues readers may see at `at` (default now): published, and their time has come."""
        at = at or timezone.now()
        return self.filter(status=PublicationStatus.PUBLISHED, published_at__lte=at)

    def newest_first(self):
        return self.order_by("-issue_date", "-published_at", "-id")


class ArticleQuerySet(models.QuerySet):
    def published(self, at=None):
        """Published articles of published issues; never a draft, never inside a draft issue."""
        from .models import Issue

        return self.filter(
            status=PublicationStatus.PUBLISHED,
            issue__in=Issue.objects.published(at=at),
        )

    def in_reading_order(self):
        return self.order_by("position", "id")
