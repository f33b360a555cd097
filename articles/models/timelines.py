"""The chronicle (大事记): a dated list with its own title and compiled-by credit."""

from django.db import models

from media.credits import CreditAction, credit_line
from media.validators import LONG_PLAIN_TEXT, PLAIN_TEXT

from .editing import EditedModel
from .issues import Issue


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
