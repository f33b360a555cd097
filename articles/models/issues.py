"""The special report (专题) and the photos placed on its page itself."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from media.validators import LONG_PLAIN_TEXT, PLAIN_TEXT

from .. import slugs
from ..workflow import IssueStatus
from .editing import EditedModel


class Issue(EditedModel):
    """A special report (专题): articles, page photos and timelines in reading order."""

    title = models.CharField("专题名称", max_length=200, validators=PLAIN_TEXT)
    slug = models.SlugField(
        "网址标识",
        max_length=200,
        unique=True,
        blank=True,
        help_text="留空则按标题拼音自动生成，例如 wo-men-zhe-shi-nian。",
    )
    subtitle = models.CharField("副标题", max_length=200, blank=True, validators=PLAIN_TEXT)
    description = models.TextField("简介", blank=True, validators=LONG_PLAIN_TEXT)
    issue_date = models.DateField("刊发日期")
    # Set by the publishing services only (never typed into a form).
    status = models.CharField(
        "状态", max_length=20, choices=IssueStatus.choices, default=IssueStatus.DRAFT, editable=False
    )
    published_at = models.DateTimeField(
        "发布时间",
        null=True,
        blank=True,
        editable=False,
        help_text="最新一次发布读者可见的时间（北京时间）。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "专题"
        verbose_name_plural = "专题"
        ordering = ["-issue_date", "-id"]
        permissions = [("publish_issue", "可以发布、定时发布、撤回专题和稿件")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=IssueStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="issue_published_has_time",
                violation_error_message="已发布的专题必须有发布时间。",
            ),
        ]

    def __str__(self):
        return self.title

    def is_scheduled(self, at=None) -> bool:
        """Published, but readers see it only from `published_at` (a 定时发布 not yet due)."""
        return (
            self.status == IssueStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at > (at or timezone.now())
        )

    def clean(self):
        if not self.slug:
            self.slug = slugs.unique_slug(Issue, self.title, exclude_pk=self.pk)


class IssuePhoto(models.Model):
    """A photo placed on the issue's page itself, not inside an article."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="issue_photos", verbose_name="专题"
    )
    photo = models.ForeignKey(
        "media.Photo", on_delete=models.PROTECT, related_name="issue_placements", verbose_name="图片"
    )
    position = models.PositiveIntegerField("版序", default=0, help_text="与稿件、大事记共用一套序号。")

    class Meta:
        verbose_name = "专题图片"
        verbose_name_plural = "专题图片"
        ordering = ["issue_id", "position", "id"]

    def __str__(self):
        return str(self.photo)
