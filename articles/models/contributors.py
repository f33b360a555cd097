"""Who is credited: one row per real person or organisation, named in bylines and photo credits."""

from django.db import models

from media.validators import PLAIN_TEXT
from newsroom.fields import acting_user

from .editing import EditedModel


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
