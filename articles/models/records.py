"""The desk's records: each workflow step taken, each publication readers were given (with
its articles' bytes), and the preview links handed out. Written by the services, never
edited in a form."""

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone

from newsroom.fields import acting_user

from ..querysets import PublicationQuerySet
from .articles import Article
from .issues import Issue


class TransitionRecord(models.Model):
    """One workflow step: who moved what from which state to which, when, and why."""

    issue = models.ForeignKey(
        Issue,
        on_delete=models.CASCADE,
        related_name="transitions",
        null=True,
        blank=True,
        verbose_name="专题",
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="transitions",
        null=True,
        blank=True,
        verbose_name="稿件",
    )
    action = models.CharField("操作", max_length=20)
    action_label = models.CharField("操作名称", max_length=40)
    from_status = models.CharField("原状态", max_length=20)
    to_status = models.CharField("新状态", max_length=20)
    note = models.TextField("说明", blank=True)
    user = acting_user("操作人")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "流程记录"
        verbose_name_plural = "流程记录"
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(issue__isnull=False) | Q(article__isnull=False),
                name="transition_has_subject",
            ),
        ]

    def __str__(self):
        return f"{self.action_label}：{self.from_status} → {self.to_status}"


class Publication(models.Model):
    """An immutable record of what readers see of an issue from `visible_from` on: the exact
    bytes the public API returns (a snapshot), or the withdrawal of the issue.

    Made only by the publishing services; never edited. The newest record whose time has come
    is the live one (`PublicationQuerySet.live`)."""

    class Kind(models.TextChoices):
        SNAPSHOT = "snapshot", "发布"
        WITHDRAWAL = "withdrawal", "撤回"

    issue = models.ForeignKey(
        Issue, on_delete=models.PROTECT, related_name="publications", verbose_name="专题"
    )
    number = models.PositiveIntegerField("第几次发布")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.SNAPSHOT)
    visible_from = models.DateTimeField("读者可见时间")
    # Copied from the working copy at publish time: the list is ordered and found by what
    # was published, not by later unpublished edits.
    slug = models.SlugField("网址标识", max_length=200, db_index=True)
    title = models.CharField("专题名称", max_length=200)
    issue_date = models.DateField("刊发日期")
    summary = models.JSONField("列表摘要", default=dict, blank=True)
    body = models.TextField("发布内容（JSON）", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    # The same bytes compressed once, at publish time, for clients that accept them.
    body_gzip = models.BinaryField("gzip 压缩内容", blank=True, default=b"")
    body_br = models.BinaryField("brotli 压缩内容", blank=True, default=b"")
    note = models.TextField("说明", blank=True)
    created_by = acting_user("发布人")
    created_at = models.DateTimeField("操作时间", auto_now_add=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "发布记录"
        verbose_name_plural = "发布记录"
        ordering = ["issue_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "number"], name="publication_unique_number"),
        ]
        indexes = [
            models.Index(fields=["issue", "visible_from", "number"], name="publication_live"),
            # The next scheduled publication: when cached answers must stop (delivery).
            models.Index(fields=["visible_from"], name="publication_next_change"),
        ]

    def __str__(self):
        return f"{self.title} 第{self.number}次{self.get_kind_display()}"

    def is_scheduled(self, at=None) -> bool:
        """Its time has not come (the row-level form of `PublicationQuerySet.scheduled`)."""
        return self.visible_from > (at or timezone.now())

    @staticmethod
    def digest(body: str) -> str:
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


class PublishedArticle(models.Model):
    """One article's bytes inside a publication, for the article endpoint."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="articles", verbose_name="发布记录"
    )
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="publications", verbose_name="稿件"
    )
    body = models.TextField("发布内容（JSON）")
    sha256 = models.CharField("SHA-256", max_length=64)
    body_gzip = models.BinaryField("gzip 压缩内容", blank=True, default=b"")
    body_br = models.BinaryField("brotli 压缩内容", blank=True, default=b"")

    class Meta:
        verbose_name = "已发布稿件"
        verbose_name_plural = "已发布稿件"
        constraints = [
            models.UniqueConstraint(fields=["publication", "article"], name="published_article_once"),
        ]

    def __str__(self):
        return f"{self.publication} · {self.article_id}"


class PreviewLink(models.Model):
    """A signed, expiring link through which a front-end reads an unpublished issue."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="preview_links", verbose_name="专题"
    )
    created_by = acting_user("创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = "预览链接"
        verbose_name_plural = "预览链接"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.issue} 预览链接 #{self.pk}"
