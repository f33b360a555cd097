from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from newsroom.fields import acting_user

from . import specs
from .credits import Credit, CreditAction, credit_line
from .storage import photo_upload_to
from .validators import LONG_PLAIN_TEXT, PLAIN_TEXT, validate_photo_file

FOCAL_OUTSIDE = "焦点须在图片之内：坐标在 0 到 1 之间（0 为最左或最上，1 为最右或最下），请在图片上点击设定。"
FOCAL_RANGE = [MinValueValidator(0.0, FOCAL_OUTSIDE), MaxValueValidator(1.0, FOCAL_OUTSIDE)]


class Photo(models.Model):
    image = models.ImageField(
        "图片文件",
        upload_to=photo_upload_to,
        width_field="width",
        height_field="height",
        validators=[validate_photo_file],
        help_text="JPEG、PNG、WebP 或 GIF，40 MB 以内。",
    )
    width = models.PositiveIntegerField("宽（像素）", editable=False, null=True)
    height = models.PositiveIntegerField("高（像素）", editable=False, null=True)
    caption = models.TextField("图片说明", blank=True, validators=LONG_PLAIN_TEXT)
    alt_text = models.CharField(
        "替代文字",
        max_length=300,
        blank=True,
        validators=PLAIN_TEXT,
        help_text="给读屏软件和图片加载失败时看的简短描述；留空则使用图片说明。",
    )
    credit_action = models.CharField(
        "署名方式",
        max_length=20,
        choices=[
            (CreditAction.PHOTOGRAPHED, CreditAction.PHOTOGRAPHED.label),
            (CreditAction.COURTESY, CreditAction.COURTESY.label),
        ],
        default=CreditAction.PHOTOGRAPHED,
        help_text="“摄”：摄影者署名；“供图”：单位提供，署单位名。",
    )
    focal_x = models.FloatField(
        "焦点横坐标",
        default=0.5,
        validators=FOCAL_RANGE,
        help_text="0 为最左，1 为最右；在图片上点击即可设定。裁切 16:9、4:3、1:1 时焦点总在画面内。",
    )
    focal_y = models.FloatField(
        "焦点纵坐标", default=0.5, validators=FOCAL_RANGE, help_text="0 为最上，1 为最下。"
    )
    embedded_metadata = models.JSONField(
        "文件内嵌信息",
        default=dict,
        blank=True,
        editable=False,
        help_text="上传时从 IPTC、XMP 中读出的说明、作者、来源、版权、拍摄时间、城市，原样保存。",
    )
    # The key of the complete set of renditions last made (media.specs.set_key): a photo
    # whose key differs from its current one lacks renditions, decided without a query.
    renditions_key = models.CharField("衍生图版本", max_length=32, blank=True, editable=False)
    # The stale-save check and the per-object rule: which version the editor opened, who
    # saved last, and who uploaded the photo (NULL for rows older than the field: nobody's).
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    updated_by = acting_user("最后修改人", editable=False)
    uploaded_by = acting_user("上传人", editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "图片"
        verbose_name_plural = "图片"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.caption[:40] or self.image.name

    @property
    def credit_line(self) -> str:
        """ "本报记者 吕之暹 拍友 周晨磊 摄" or "小古城村供图"; needs credits prefetched."""
        return credit_line(self.credits.all(), self.credit_action)

    @property
    def focal_point(self) -> tuple[float, float]:
        return (self.focal_x, self.focal_y)

    @property
    def renditions_ready(self) -> bool:
        """Every rendition exists for this file and focal point (no query, no file read)."""
        return bool(self.image) and self.renditions_key == specs.set_key(self.image.name, self.focal_point)


class PhotoCredit(Credit):
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="credits", verbose_name="图片")

    class Meta(Credit.Meta):
        verbose_name = "图片署名"
        verbose_name_plural = "图片署名"


class Rendition(models.Model):
    """One delivered file made from a photo: a named size or crop in one format.

    Made by media.renditions.services, never in a read request; the original stays as
    uploaded for the archive and the export.
    """

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="renditions", verbose_name="图片")
    spec = models.CharField("规格", max_length=40, help_text="如 original-960、16x9-480。")
    ratio = models.CharField("比例", max_length=20, help_text="original（原图比例）或 16:9、4:3、1:1。")
    format = models.CharField("格式", max_length=10, choices=[(f, f.upper()) for f in specs.FORMATS])
    width = models.PositiveIntegerField("宽（像素）")
    height = models.PositiveIntegerField("高（像素）")
    file = models.FileField("文件", max_length=255)
    source_key = models.CharField("来源", max_length=32, help_text="原图文件与焦点的指纹。")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "衍生图"
        verbose_name_plural = "衍生图"
        ordering = ["photo_id", "ratio", "format", "width"]
        constraints = [
            models.UniqueConstraint(
                fields=["photo", "spec", "format"], name="one_rendition_per_spec_and_format"
            )
        ]

    def __str__(self):
        return f"{self.spec}.{self.format}（{self.width}×{self.height}）"


class RetiredFile(models.Model):
    """A rendition file replaced or deleted while a publication readers can still be
    served (live or embargoed) links to it. Deleted once no such publication does."""

    name = models.CharField("文件", max_length=255, unique=True)
    retired_at = models.DateTimeField("停用时间", auto_now_add=True)

    class Meta:
        verbose_name = "待删除的衍生图文件"
        verbose_name_plural = "待删除的衍生图文件"

    def __str__(self):
        return self.name
