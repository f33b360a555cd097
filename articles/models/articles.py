"""An article (稿件) and what it is made of: testimony sections, body blocks, bylines and
corrections."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from media.credits import Credit, credit_line
from media.validators import LONG_PLAIN_TEXT, PLAIN_TEXT
from newsroom.fields import acting_user

from .. import body as body_nodes
from .. import slugs
from ..querysets import ArticleQuerySet
from ..workflow import ArticleStatus
from .editing import EditedModel
from .issues import Issue


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
        # Its PublishedArticle rows, through the reverse relation: the records module depends
        # on this one, never the other way round.
        if self.publications.exists():
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
