"""Credits shared by bylines and photo credits: roles, credit forms and the printed line.

The roles and forms are the newsroom's own vocabulary; `credit_line()` renders credits
the way the page prints them, from structured rows, so nobody stores the line as text.
"""

from collections.abc import Iterable

from django.db import models

from .validators import PLAIN_TEXT


class CreditRole(models.TextChoices):
    STAFF_REPORTER = "staff_reporter", "本报记者"
    CORRESPONDENT = "correspondent", "通讯员"
    READER_PHOTOGRAPHER = "reader_photographer", "拍友"
    MEDIA_ALLIANCE = "media_alliance", "共享联盟"
    CITY_REPORTING_GROUP = "city_reporting_group", "市委报道组"
    COUNTY_REPORTING_GROUP = "county_reporting_group", "县委报道组"
    STAFF_PHOTOGRAPHER = "staff_photographer", "本报摄影记者"
    INTERN = "intern", "实习生"
    # Organisations credited in their own name ("小古城村供图") carry no role.
    NONE = "", "（无）"


class CreditAction(models.TextChoices):
    """What the credited people did, printed after their names."""

    WROTE = "", "（撰文，不印）"
    PHOTOGRAPHED = "photographed", "摄"
    COURTESY = "courtesy", "供图"
    COMPILED = "compiled", "整理"


def role_label(role: str, organisation: str = "") -> str:
    """ "共享联盟·福明街道": the role, then the organisation it speaks for."""
    label = CreditRole(role).label if role else ""
    if organisation:
        return f"{label}·{organisation}" if label else organisation
    return label


def action_label(action: str) -> str:
    """ "摄", "供图", "整理"; nothing for a plain byline."""
    return CreditAction(action).label if action else ""


def credit_line(credits: Iterable, action: str = "") -> str:
    """Render credits as printed: names grouped under consecutive identical roles.

    `credits` are objects with `role`, `organisation` and `contributor.name`, in order.
    """
    words: list[str] = []
    previous = None
    for credit in credits:
        label = role_label(credit.role, credit.organisation)
        if label and label != previous:
            words.append(label)
        previous = label
        words.append(credit.contributor.name)
    line, suffix = " ".join(words), action_label(action)
    if action == CreditAction.COURTESY:
        return f"{line}{suffix}"  # "小古城村供图": no space before 供图
    return " ".join(filter(None, [line, suffix]))


class Credit(models.Model):
    """One contributor credited in a role, at a position. Concrete in bylines and photo credits."""

    contributor = models.ForeignKey(
        "articles.Contributor",
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name="作者",
    )
    role = models.CharField("身份", max_length=40, choices=CreditRole.choices, blank=True)
    organisation = models.CharField(
        "所属单位",
        max_length=100,
        blank=True,
        validators=PLAIN_TEXT,
        help_text="只在署名中出现时填写，例如“共享联盟·福明街道”中的“福明街道”。",
    )
    position = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return " ".join(filter(None, [role_label(self.role, self.organisation), str(self.contributor)]))
