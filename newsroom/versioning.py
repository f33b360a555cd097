"""No lost work: every edited object carries a version number, and a save from a page opened
before someone else's save is refused, naming who saved and when.

Models opt in with a `version` and an `updated_by` field (and `updated_at` for the time);
forms inherit `VersionedForm`; whatever saves bumps with `bump_version`.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone


def display_name(user) -> str:
    if user is None:
        return "系统（命令行）"
    return user.get_full_name() or user.get_username()


def beijing(moment) -> str:
    if not moment:
        return "—"
    return timezone.localtime(moment, settings.NEWSROOM_TIME_ZONE).strftime("%Y-%m-%d %H:%M:%S")


def has_updated_at(model) -> bool:
    return any(f.name == "updated_at" for f in model._meta.concrete_fields)


class SaveRefused(Exception):
    """Raised while saving, after the form was valid (the upload could not be stored, a
    workflow step posted with the page was refused): the save's transaction is undone and
    the page shown again from the same POST, with `messages` on `field` (None: the whole
    form) and everything the editor typed still on it (`VersionedAdminMixin`)."""

    def __init__(self, messages: list[str], field: str | None = None):
        super().__init__(messages)
        self.messages = messages
        self.field = field


class VersionedForm(forms.ModelForm):
    """Carries the version the editor opened and refuses the save if someone saved since.

    Checked in `clean()`, which the admin runs inside the save's transaction; the row is
    locked (select_for_update) so two saves cannot both pass the check on PostgreSQL.
    """

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Set by the admin on the form class it shows the page again with (`SaveRefused`).
    refused: SaveRefused | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.refused is not None:
            for message in self.refused.messages:
                self.add_error(self.refused.field, message)
        if not self.instance.pk:
            return cleaned
        model = type(self.instance)
        bookkeeping = ["version", "updated_by", *(["updated_at"] if has_updated_at(model) else [])]
        current = model._default_manager.select_for_update().only(*bookkeeping).get(pk=self.instance.pk)
        refuse_if_moved(current, cleaned.get("opened_version"))
        return cleaned


def stale_message(model, current, opened) -> str:
    who = display_name(get_user_model().objects.filter(pk=current.updated_by_id).first())
    return (
        f"保存未成功：您打开此页之后，{who} 于 {beijing(getattr(current, 'updated_at', None))} 保存了这份"
        f"{model._meta.verbose_name}（您打开的是第 {opened or '?'} 版，现在是第 {current.version} 版）。"
        "为免覆盖对方的修改，这次保存没有写入；您填写的内容仍在本页。"
        "请在新标签页中打开本页查看最新内容，把您的修改合并进去后再保存。"
    )


def refuse_if_moved(current, opened_version) -> None:
    """Refuse, naming who saved and when, if `current` moved past the version opened."""
    try:
        opened = int(opened_version)
    except (TypeError, ValueError):
        opened = None
    if opened != current.version:
        raise ValidationError(stale_message(type(current), current, opened), code="stale")


def bump_version(obj, user) -> None:
    """A new version of `obj`, saved by `user`, now (every save of it or its parts)."""
    model = type(obj)
    changes = {"version": F("version") + 1, "updated_by": user}
    if has_updated_at(model):
        changes["updated_at"] = timezone.now()
    model._default_manager.filter(pk=obj.pk).update(**changes)
    obj.refresh_from_db(fields=list(changes))
