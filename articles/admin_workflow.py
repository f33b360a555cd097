"""Admin plumbing the desk's workflow needs on every edited page: stale-save refusal, the
transition log, and read-only views of publications. Services do the work; this only shows
it and hands requests to them."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .workflow import ArticleStatus, IssueStatus

STATUS_LABELS = {**dict(IssueStatus.choices), **dict(ArticleStatus.choices)}


def display_name(user) -> str:
    if user is None:
        return "系统（命令行）"
    return user.get_full_name() or user.get_username()


def beijing(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


class VersionedForm(forms.ModelForm):
    """Carries the version the editor opened and refuses the save if someone saved since.

    Checked in `clean()`, which the admin runs inside the save's transaction; the row is
    locked (select_for_update) so two saves cannot both pass the check on PostgreSQL.
    """

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        model = type(self.instance)
        current = (
            model.objects.select_for_update()
            .only("version", "updated_by", "updated_at")
            .get(pk=self.instance.pk)
        )
        opened = cleaned.get("opened_version")
        if opened != current.version:
            raise ValidationError(stale_message(model, current, opened), code="stale")
        return cleaned


def stale_message(model, current, opened) -> str:
    who = display_name(get_user_model().objects.filter(pk=current.updated_by_id).first())
    return (
        f"保存未成功：您打开此页之后，{who} 于 {beijing(current.updated_at)} 保存了这份"
        f"{model._meta.verbose_name}（您打开的是第 {opened or '?'} 版，现在是第 {current.version} 版）。"
        "为免覆盖对方的修改，这次保存没有写入；您填写的内容仍在本页。"
        "请在新标签页中打开本页查看最新内容，把您的修改合并进去后再保存。"
    )


def bump_version(obj, user) -> None:
    """Every save of the object or any of its inlines makes a new version."""
    type(obj).objects.filter(pk=obj.pk).update(version=F("version") + 1, updated_by=user)
    obj.refresh_from_db(fields=["version", "updated_by", "updated_at"])


def transition_table(records) -> str:
    """The workflow log as a small table: when, who, what, from → to, note."""
    rows = [
        (
            beijing(r.at),
            display_name(r.user),
            r.action_label,
            STATUS_LABELS.get(r.from_status, r.from_status),
            STATUS_LABELS.get(r.to_status, r.to_status),
            r.note or "",
        )
        for r in records
    ]
    if not rows:
        return "—"
    body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>", rows)
    return format_html(
        '<table class="workflow-log"><thead><tr><th>时间</th><th>操作人</th><th>操作</th>'
        "<th>状态</th><th>说明</th></tr></thead><tbody>{}</tbody></table>",
        body,
    )


def lines_block(lines: list[str]) -> str:
    """Diff lines (删/增) as a readable block, red and green."""
    if not lines:
        return "—"
    colour = {"删": "#a40000", "增": "#1a6e1a"}
    items = format_html_join(
        "",
        '<div style="color:{};white-space:pre-wrap">{}</div>',
        ((colour.get(line.strip()[:1], "inherit"), line) for line in lines),
    )
    return format_html('<div class="pending-changes">{}</div>', items)
