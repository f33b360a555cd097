import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from media.credits import Credit, CreditAction, credit_line
from media.validators import LONG_PLAIN_TEXT, PLAIN_TEXT
from newsroom.fields import acting_user

from . import body as body_nodes
from . import slugs
from .querysets import ArticleQuerySet, PublicationQuerySet
from .workflow import ArticleStatus, IssueStatus


class EditedModel(models.Model):
    """Working-copy rows editors change: a version number for refusing stale saves, and who
    saved last, so the refusal can name them."""

    version = models.PositiveIntegerField("版本", default=1, editable=False)
    updated_by = acting_user("最后修改人", editable=False)

    class Meta:
        abstract = True


class Contributor(EditedModel):
    """A person or an organisation credited anywhere: one row per real contributor."""

    class Kind(models.TextChoices):
        PERSON = "person", "个人"
        ORGANISATION = "organisation", "单位"

    name = models.CharField("姓名或名称", max_length=100, db_index=True, validators=PLAIN_TEXT)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.PERSON)
    disambiguation = models.CharField(
        "区分说明",
        max_length=100,
        blank=True,
        validators=PLAIN_TEXT,
        help_text="同名时用于区分，例如“本报杭州记者站”或“江山市”。",
    )
    # NULL for rows older than the field: nobody's, so only editors and chiefs change them.
    created_by = acting_user("创建人", editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "作者/单位"
        verbose_name_plural = "作者/单位"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "disambiguation"], name="contributor_unique_name"),
        ]

    def __str__(self):
        return f"{self.name}（{self.disambiguation}）" if self.disambiguation else self.name


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

    def clean(self):
        if not self.slug:
            self.slug = slugs.unique_slug(Issue, self.title, exclude_pk=self.pk)


class Article(EditedModel):
    class Kind(models.TextChoices):
        REPORT = "report", "报道"
        NEWS = "news", "消息"
        COMMENTARY = "commentary", "评论"
        FEATURE = "feature", "通讯"
        INTERVIEW = "interview", "访谈"
        OTHER = "other", "其他"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="articles", verbose_name="专题")
    position = models.PositiveIntegerField(
        "版序", default=0, help_text="在专题中的阅读顺序，与专题图片、大事记共用一套序号。"
    )
    kicker = models.CharField(
        "引题", max_length=200, blank=True, validators=PLAIN_TEXT, help_text="印在主题上方的短句。"
    )
    headline = models.CharField("主题", max_length=200, validators=PLAIN_TEXT)
    subheadline = models.CharField(
        "副题", max_length=200, blank=True, validators=PLAIN_TEXT, help_text="印在主题下方。"
    )
    kind = models.CharField("体裁", max_length=20, choices=Kind.choices, default=Kind.REPORT)
    # Changed by the workflow services only (never typed into a form).
    status = models.CharField(
        "状态", max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT, editable=False
    )
    slug = models.SlugField(
        "网址标识", max_length=200, unique=True, blank=True, help_text="留空则按主题拼音自动生成。"
    )
    created_by = acting_user("作者账号", editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "稿件"
        verbose_name_plural = "稿件"
        ordering = ["issue_id", "position", "id"]
        indexes = [models.Index(fields=["issue", "position"], name="article_reading_order")]
        permissions = [
            ("submit_article", "可以提交稿件审核"),
            ("review_article", "可以审稿（通过、退回）"),
            ("correct_article", "可以更正已发布的稿件"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.refuse_move()
        super().save(*args, **kwargs)
        self._stored_issue_id = self.issue_id

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # The issue as stored: a move is seen by comparing with it (`refuse_move`).
        article._stored_issue_id = article.__dict__.get("issue_id")
        return article

    def clean(self):
        if not self.slug:
            self.slug = slugs.unique_slug(Article, self.headline, exclude_pk=self.pk)
        self.refuse_move()

    def refuse_move(self) -> None:
        """One live copy: an article that was ever in a publication stays in that issue, or
        readers could keep getting it from the old one after a withdrawal or correction."""
        stored = getattr(self, "_stored_issue_id", None)
        if stored is None or self.issue_id == stored or not self.pk:
            return
        if PublishedArticle.objects.filter(article_id=self.pk).exists():
            raise ValidationError(
                {
                    "issue": "这篇稿件已经发布过，不能改到另一个专题：读者仍会从原专题读到它。"
                    "如需放进另一个专题，请先在原专题撤稿，再在新专题中新建（或复制）这篇稿件。"
                },
                code="published_article_moved",
            )

    @property
    def byline_line(self) -> str:
        """The byline as printed; needs bylines prefetched."""
        return credit_line(self.bylines.all())

    @property
    def character_count(self) -> int:
        """字数 of the body: paragraphs, subheadings and testimony headlines.

        Headlines, captions and bylines are not counted, as on the copy desk. Needs
        blocks and sections prefetched.
        """
        texts = [block.text for block in self.blocks.all() if block.kind in Block.TEXT_KINDS]
        texts += [section.headline for section in self.sections.all()]
        return body_nodes.character_count(texts)

    def body(self) -> list:
        """The body in reading order: blocks, with each testimony's blocks gathered under
        its Section as (section, [blocks]). Needs blocks and sections prefetched."""
        sections = {section.pk: section for section in self.sections.all()}
        body: list = []
        for block in self.blocks.all():
            if block.section_id is None:
                body.append(block)
            elif body and isinstance(body[-1], tuple) and body[-1][0].pk == block.section_id:
                body[-1][1].append(block)
            else:
                body.append((sections[block.section_id], [block]))
        return body


class Section(models.Model):
    """A first-person testimony (口述) inside an article: who speaks, and the section's headline."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="sections", verbose_name="稿件"
    )
    speaker_name = models.CharField("讲述人", max_length=100, validators=PLAIN_TEXT)
    speaker_title = models.CharField(
        "讲述人身份",
        max_length=200,
        blank=True,
        validators=PLAIN_TEXT,
        help_text="例如“庆元县安南乡党委书记”。",
    )
    headline = models.CharField("小标题", max_length=200, blank=True, validators=PLAIN_TEXT)

    class Meta:
        verbose_name = "讲述段落"
        verbose_name_plural = "讲述段落"
        ordering = ["article_id", "id"]

    def __str__(self):
        speaker = f"{self.speaker_title}{self.speaker_name}"
        return f"{speaker}：{self.headline}" if self.headline else speaker


class Block(models.Model):
    """One piece of an article body, in reading order; inside a testimony when `section` is set."""

    class Kind(models.TextChoices):
        PARAGRAPH = body_nodes.PARAGRAPH, body_nodes.BLOCK_KINDS[body_nodes.PARAGRAPH]
        SUBHEADING = body_nodes.SUBHEADING, body_nodes.BLOCK_KINDS[body_nodes.SUBHEADING]
        PHOTO = body_nodes.PHOTO, body_nodes.BLOCK_KINDS[body_nodes.PHOTO]
        VIDEO = body_nodes.VIDEO, body_nodes.BLOCK_KINDS[body_nodes.VIDEO]

    TEXT_KINDS = body_nodes.TEXT_KINDS

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="blocks", verbose_name="稿件")
    position = models.PositiveIntegerField("顺序", default=0)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.PARAGRAPH)
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        related_name="blocks",
        null=True,
        blank=True,
        verbose_name="所属讲述",
        help_text="属于某段讲述时选择讲述人；同一讲述的内容须前后相连。",
    )
    text = models.TextField(
        "文字",
        blank=True,
        validators=LONG_PLAIN_TEXT,
        help_text="段落、小标题的正文（纯文本）；视频链接的提示语，如“扫一扫 看视频”。",
    )
    photo = models.ForeignKey(
        "media.Photo",
        on_delete=models.PROTECT,
        related_name="blocks",
        null=True,
        blank=True,
        verbose_name="图片",
    )
    url = models.URLField("视频地址", max_length=500, blank=True)

    class Meta:
        verbose_name = "正文块"
        verbose_name_plural = "正文块"
        ordering = ["article_id", "position", "id"]
        indexes = [models.Index(fields=["article", "position"], name="block_reading_order")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.position}"

    def clean(self):
        errors = {}
        if self.kind in self.TEXT_KINDS and not self.text.strip():
            errors["text"] = ValidationError("段落和小标题不能为空。", code="block_text_missing")
        if self.kind == self.Kind.PHOTO and not self.photo_id:
            errors["photo"] = ValidationError("图片块需要选择一张图片。", code="block_photo_missing")
        if self.kind != self.Kind.PHOTO and self.photo_id:
            errors["photo"] = ValidationError("只有图片块可以选择图片。", code="block_photo_unexpected")
        if self.kind != self.Kind.VIDEO and self.url:
            errors["url"] = ValidationError("只有视频链接块可以填写视频地址。", code="block_url_unexpected")
        if self.section_id and self.article_id and self.section.article_id != self.article_id:
            errors["section"] = ValidationError("所选讲述不属于这篇稿件。", code="block_section_foreign")
        if errors:
            raise ValidationError(errors)


class Byline(Credit):
    """A contributor credited on an article, or as compiler of a timeline."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="bylines", null=True, blank=True, verbose_name="稿件"
    )
    timeline = models.ForeignKey(
        "Timeline",
        on_delete=models.CASCADE,
        related_name="bylines",
        null=True,
        blank=True,
        verbose_name="大事记",
    )

    class Meta(Credit.Meta):
        verbose_name = "署名"
        verbose_name_plural = "署名"
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, timeline__isnull=True)
                | Q(article__isnull=True, timeline__isnull=False),
                name="byline_on_article_or_timeline",
                violation_error_message="署名必须属于一篇稿件或一份大事记。",
            ),
        ]


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


class Timeline(EditedModel):
    """A chronicle (大事记) with its own title and compiled-by credit."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="timelines", verbose_name="专题")
    position = models.PositiveIntegerField("版序", default=0, help_text="与稿件、专题图片共用一套序号。")
    title = models.CharField("标题", max_length=200, validators=PLAIN_TEXT)
    credit_action = models.CharField(
        "署名方式",
        max_length=20,
        choices=[(CreditAction.COMPILED, CreditAction.COMPILED.label), (CreditAction.WROTE, "（不印）")],
        default=CreditAction.COMPILED,
        blank=True,
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "大事记"
        verbose_name_plural = "大事记"
        ordering = ["issue_id", "position", "id"]

    def __str__(self):
        return self.title

    @property
    def credit_line(self) -> str:
        """ "本报记者 沈吟 整理"; needs bylines prefetched."""
        return credit_line(self.bylines.all(), self.credit_action)


class TimelineItem(models.Model):
    class Precision(models.TextChoices):
        YEAR = "year", "年"
        MONTH = "month", "月"
        DAY = "day", "日"

    timeline = models.ForeignKey(
        Timeline, on_delete=models.CASCADE, related_name="items", verbose_name="大事记"
    )
    position = models.PositiveIntegerField("顺序", default=0)
    date = models.DateField("日期", help_text="只知道年份时填该年 1 月 1 日，并把精度选为“年”。")
    date_precision = models.CharField(
        "日期精度", max_length=10, choices=Precision.choices, default=Precision.YEAR
    )
    text = models.TextField("内容", validators=LONG_PLAIN_TEXT)

    class Meta:
        verbose_name = "大事记条目"
        verbose_name_plural = "大事记条目"
        ordering = ["timeline_id", "position", "date", "id"]

    def __str__(self):
        return f"{self.date_label} {self.text[:30]}"

    @property
    def date_label(self) -> str:
        """The date as printed: "2012年", "2012年3月", "2012年3月5日"."""
        d = self.date
        if self.date_precision == self.Precision.YEAR:
            return f"{d.year}年"
        if self.date_precision == self.Precision.MONTH:
            return f"{d.year}年{d.month}月"
        return f"{d.year}年{d.month}月{d.day}日"

    @property
    def date_iso(self) -> str:
        """ISO 8601 at the item's precision: "2012", "2012-03" or "2012-03-05"."""
        iso = self.date.isoformat()
        return {self.Precision.YEAR: iso[:4], self.Precision.MONTH: iso[:7]}.get(self.date_precision, iso)


class Correction(models.Model):
    """更正: printed with the article once its change is published, as newspapers do."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections", verbose_name="稿件"
    )
    text = models.TextField("更正说明", validators=LONG_PLAIN_TEXT)
    created_at = models.DateTimeField("填写时间", auto_now_add=True)
    created_by = acting_user("填写人", editable=False)

    class Meta:
        verbose_name = "更正"
        verbose_name_plural = "更正"
        ordering = ["article_id", "created_at", "id"]

    def __str__(self):
        return self.text[:40]


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
