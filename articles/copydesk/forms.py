"""The copy desk's forms: the manuscript import form (paste or upload), and the body as
text — its field, its editor widget beside the reader's view, and the formsets of the rows
it is an alternative to."""

import datetime as dt
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from articles.models import Issue

from .desk import body_too_long, manuscript_too_long
from .files import TEXT_SUFFIXES, UnreadableDocument, docx_text, plain_text
from .reader_view import preview

MAX_UPLOAD = 5 * 1024 * 1024


def normalise_text(value) -> str:
    """Browsers post CRLF; lines keep no trailing spaces, the text no trailing blank lines.
    Leading blank lines stay: line numbers are counted from the top of what was typed."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")


def same_text(one, other) -> bool:
    return normalise_text(one).strip() == normalise_text(other).strip()


# --- The body as text ----------------------------------------------------------------------


class BodyEditorWidget(forms.Textarea):
    """The text area beside the body as readers will see it, with its 字数."""

    template_name = "admin/articles/copydesk/body_editor.html"

    class Media:
        css = {"all": ["articles/copydesk/copydesk.css"]}
        js = ["articles/copydesk/body_editor.js"]

    def __init__(self, attrs=None):
        super().__init__({"rows": 24, "cols": 80, "spellcheck": "false", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["preview"] = preview(normalise_text(value))
        try:
            context["preview_url"] = reverse("admin:articles_article_body_preview")
        except NoReverseMatch:  # pragma: no cover - the widget outside the admin
            context["preview_url"] = ""
        return context


class BodyTextField(forms.CharField):
    widget = BodyEditorWidget

    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)

    def to_python(self, value):
        return normalise_text(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        too_long = body_too_long(value)
        if too_long:
            raise ValidationError(too_long, code="body_too_long")

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        return not same_text(initial, data)


class BodyRows:
    """For the inline formsets of the body's rows (blocks, testimony sections) on a page that
    also offers the body as text: `body_text_changed` says whether the text was edited too,
    so that a save editing both can be refused (the desk decides how)."""

    def __init__(self, *args, body_text_changed: bool = False, **kwargs):
        self.body_text_changed = body_text_changed
        super().__init__(*args, **kwargs)


# --- Importing a manuscript ----------------------------------------------------------------


def beijing_today() -> dt.date:
    return timezone.localdate()


class ImportForm(forms.Form):
    text = forms.CharField(
        label="稿件文本",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100, "spellcheck": "false"}),
        help_text="整版粘贴即可（标题、署名、正文、图片说明、大事记……）。识别后可以在这里直接改，再点“重新识别”。",
    )
    upload = forms.FileField(
        label="或上传文件",
        required=False,
        help_text=".txt（UTF-8 或 GB18030 编码）或 Word .docx，5 MB 以内。上传的内容会放进上面的文本框。",
    )
    issue = forms.ModelChoiceField(
        queryset=Issue.objects.order_by("-issue_date", "-id"),
        required=False,
        label="导入到",
        empty_label="新建专题（草稿）",
        help_text="选已有专题，则稿件、图片和大事记加在它的最后。",
    )
    title = forms.CharField(
        label="专题名称",
        required=False,
        max_length=200,
        help_text="新建专题时用；留空则用稿件中识别出的专题名称（通常是版面的通栏标题）。",
    )
    issue_date = forms.DateField(
        label="刊发日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="新建专题时用。",
    )
    accepted = forms.CharField(required=False, widget=forms.HiddenInput)
    ignored = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            cleaned["text"] = read_upload(upload)
        text = normalise_text(cleaned.get("text", ""))
        if not text.strip():
            raise ValidationError("请粘贴稿件文本，或上传 .txt / .docx 文件。")
        too_long = manuscript_too_long(text)
        if too_long:
            raise ValidationError(too_long, code="manuscript_too_long")
        cleaned["text"] = text
        return cleaned

    def ids(self, name: str) -> set[str]:
        return {value for value in (self.cleaned_data.get(name) or "").split(",") if value}


def read_upload(upload) -> str:
    """The text of an uploaded .txt or .docx, or a ValidationError in words."""
    suffix = Path(upload.name or "").suffix.lower()
    if upload.size > MAX_UPLOAD:
        raise ValidationError("文件超过 5 MB：请只上传稿件文本。")
    if suffix == ".docx":
        try:
            return docx_text(upload)
        except UnreadableDocument as error:
            raise ValidationError(str(error)) from error
    if suffix not in TEXT_SUFFIXES:
        raise ValidationError(
            f"不支持 {suffix} 文件：请上传 .txt 或 .docx（.doc 请先在 Word 中另存为 .docx）。"
        )
    text = plain_text(upload.read())
    if text is None:
        raise ValidationError("无法读取文本文件的编码：请另存为 UTF-8 后再上传。")
    return text
