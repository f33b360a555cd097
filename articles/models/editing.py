"""The working copy's stale-save check, shared by the rows editors change in a form."""

from django.db import models

from newsroom.fields import acting_user


class EditedModel(models.Model):
    """Working-copy rows editors change: a version number for refusing stale saves, and who
    saved last, so the refusal can name them."""

    version = models.PositiveIntegerField("版本", default=1, editable=False)
    updated_by = acting_user("最后修改人", editable=False)

    class Meta:
        abstract = True
