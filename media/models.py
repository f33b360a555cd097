from django.db import models

from .credits import Credit, CreditAction, credit_line
from .storage import photo_upload_to
from .validators import validate_photo_file, validate_plain_text


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
    caption = models.TextField("图片说明", blank=True, validators=[validate_plain_text])
    alt_text = models.CharField(
        "替代文字",
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
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


class PhotoCredit(Credit):
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="credits", verbose_name="图片")

    class Meta(Credit.Meta):
        verbose_name = "图片署名"
        verbose_name_plural = "图片署名"
