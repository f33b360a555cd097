"""Admin forms: rules spanning several rows, the body editor, printed dates."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from articles.copydesk import body_editor
from articles.copydesk.forms import BodyRows, BodyTextField, same_text
from articles.desk import conflicts, ordering
from articles.desk import transitions as workflow
from articles.desk.admin import VersionedForm
from articles.models import Timeline, TimelineItem
from articles.typesetting import parse_printed_date

BOTH_CHANGED = (
    "正文在上方的文本框里和下方的正文块（或讲述段落）里同时改动了，无法判断以哪一处为准，这次保存没有写入。"
    "请只用一种方式修改：把另一处恢复原样（或重新打开本页）后再保存。"
)


class BodyTextAware(BodyRows):
    """Inline formsets of the body: refuse the save when the body text changed too.

    Both are compared with the page as the editor opened it (`opened_rows`, from the page's
    signed `opened_state`), not with what is saved now: a colleague's save since is not an
    edit of this editor's, and a stale save is refused for what it is."""

    def __init__(self, *args, opened_rows: dict | None = None, **kwargs):
        self.opened_rows = opened_rows
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.body_text_changed and conflicts.rows_changed(self, self.opened_rows):
            raise ValidationError(BOTH_CHANGED, code="body_changed_twice")


class BlockFormSet(BodyTextAware, BaseInlineFormSet):
    """A testimony's blocks must follow one another: nothing else may sit between them."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda data: data.get("position") or 0)
        closed, current = set(), None
        for data in kept:
            section = data.get("section")
            if section != current:
                if current is not None:
                    closed.add(current)
                if section is not None and section in closed:
                    raise ValidationError(
                        "讲述“%(section)s”的内容被其他正文块隔开了：同一段讲述的正文块须按顺序连在一起。",
                        code="section_not_contiguous",
                        params={"section": section},
                    )
                current = section


class SectionFormSet(BodyTextAware, BaseInlineFormSet):
    pass


# --- The body editor ---------------------------------------------------------------------


BODY_HELP = (
    "整篇正文写成文本：每段一行；【小标题】…；讲述以“身份 姓名：小标题”开头，"
    "到下一位讲述人或【讲述结束】为止；【图片#编号】是图库里的图片（说明在图片页修改）；"
    "图片说明下一行写“…摄”或“…供图”即新的待配图图片；【视频】提示语 网址。"
    "只改这里或只改下方的正文块，不要两处同时改。"
)
BODY_NOT_TEXT = (
    "这篇稿件的正文含有文本无法原样表示的内容（例如段落中的换行），为免改动，文本编辑已关闭，"
    "请在下方的正文块中修改。"
)


def refuse_position_clash(form, cleaned: dict) -> None:
    """A part's reading position (article or timeline) that another part of the issue holds
    is a form error on `position`, checked only when the issue or position changed."""
    issue, position = cleaned.get("issue"), cleaned.get("position")
    if issue is not None and position is not None and {"issue", "position"} & set(form.changed_data):
        holders = ordering.position_holders(issue.pk, position, exclude=form.instance)
        if holders:
            form.add_error("position", ordering.clash_message(position, holders))


class ArticleForm(VersionedForm):
    """The article change form: the workflow's stale-save check, the body as text, and a
    reading position no other part of the issue holds."""

    body_text = BodyTextField(label="正文（文本编辑）", required=False, help_text=BODY_HELP)
    # The article as this page was opened, signed: what a stale save is compared with
    # (articles/desk/conflicts.py), so that only what really conflicts is named.
    opened_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.body_plan = None
        field = self.fields.get("body_text")
        text = body_editor.body_text(self.instance)
        if self.instance.pk and not self.is_bound:
            self.fields["opened_state"].initial = conflicts.sign(conflicts.state_of(self.instance, text))
        if field is None:
            return
        if text is None:
            field.disabled = True
            field.help_text = BODY_NOT_TEXT
            field.initial = ""
        else:
            field.initial = text

    def clean(self):
        cleaned = super().clean()
        self._merge(cleaned)
        # Only a body text that passed its field's checks is read (a refused one is not in
        # cleaned_data, and reading "" instead would plan an empty body).
        if (
            "body_text" in self.changed_data
            and "body_text" in cleaned
            and not same_text(cleaned["body_text"], self.fields["body_text"].initial)
        ):
            plan = body_editor.check_body(cleaned["body_text"])
            if plan.errors:
                self.add_error("body_text", plan.errors)
            else:
                self.body_plan = plan
        refuse_position_clash(self, cleaned)
        return cleaned

    def _merge(self, cleaned: dict) -> None:
        """A page re-opened after a conflicting save: each conflict needs the editor's
        choice; "采用同事的版本" saves the colleague's value as the page was re-opened with it."""
        state = conflicts.posted_state(self.data)
        if not state:
            return
        for key in conflicts.unchosen(self.data, state):
            self.add_error(
                None,
                f"“{conflicts.label(key)}”您和同事都改了：请在本页上方的对照中选择“保留我的修改”"
                "或“采用同事的版本”，再保存。",
            )
        for key in state.get("conflicts", ()):
            if conflicts.choice(self.data, key) != conflicts.THEIRS:
                continue
            if key in conflicts.FIELDS and key in self.fields:
                value = state["fields"].get(key)
                cleaned[key] = self.fields[key].clean("" if value is None else value)
            elif key == conflicts.BODY and "body_text" in self.fields and state.get("body_text") is not None:
                cleaned["body_text"] = state["body_text"]


# --- Reading order -----------------------------------------------------------------------

# The issue page's inlines of parts, by formset prefix, and a field a new row fills in.
PART_PREFIXES = {"articles": "headline", "issue_photos": "photo", "timelines": "title"}


def _posted_positions(data, prefixes) -> list[tuple[str, int, int]]:
    """(prefix, form index, position) of every row a page posts that stays."""
    rows = []
    for prefix, filled in prefixes.items():
        try:
            total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
        except (TypeError, ValueError):
            continue
        for n in range(total):
            if data.get(f"{prefix}-{n}-DELETE"):
                continue
            if not data.get(f"{prefix}-{n}-id") and not data.get(f"{prefix}-{n}-{filled}"):
                continue  # an untouched blank row
            try:
                rows.append((prefix, n, int(data.get(f"{prefix}-{n}-position", ""))))
            except (TypeError, ValueError):
                continue
    return rows


def _refuse_tied_positions(formset, prefixes) -> None:
    """A changed row may not take a position another kept row of the page holds. Rows
    nobody touched are left alone, so an old tie does not block an unrelated save."""
    rows = _posted_positions(formset.data, prefixes)
    for n, form in enumerate(formset.forms):
        if not form.has_changed() or not form.cleaned_data or form.cleaned_data.get("DELETE"):
            continue
        position = form.cleaned_data.get("position")
        others = [row for row in rows if row[2] == position and (row[0], row[1]) != (formset.prefix, n)]
        if position is not None and others:
            form.add_error(
                "position",
                f"版序 {position} 与本页另一部分相同：同一专题中各部分的版序不能重复（可拖动“版面顺序”排序）。",
            )


class IssuePartFormSet(BaseInlineFormSet):
    """Articles, page photos and timelines of one issue: one sequence, no ties."""

    def clean(self):
        super().clean()
        _refuse_tied_positions(self, PART_PREFIXES)


class TimelineItemFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        _refuse_tied_positions(self, {self.prefix: "text"})


class PrintedDateField(forms.CharField):
    """A timeline date typed as printed; cleans to the date, the precision kept aside."""

    default_error_messages = {
        "invalid": "日期请按印刷写法填写，例如 2022年、2022年10月、2022年10月16日，或 2022、2022-10、2022-10-16。"
    }

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        found = parse_printed_date(text)
        if found is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return found


class TimelineItemForm(forms.ModelForm):
    date = PrintedDateField(
        label="日期",
        max_length=20,
        widget=forms.TextInput(attrs={"size": 14, "placeholder": "2022年10月"}),
        help_text="照印刷写法填：2022年、2022年10月、2022年10月16日（或 2022、2022-10、2022-10-16）。",
    )

    class Meta:
        model = TimelineItem
        fields = ["position", "date", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 70})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["date"] = self.instance.date_label

    def has_changed(self):
        # Shown as "2012年", compared as what it means.
        changed = super().has_changed()
        if changed and self.instance.pk and self.changed_data == ["date"]:
            found = parse_printed_date(self.data.get(self.add_prefix("date"), ""))
            return found != (self.instance.date, self.instance.date_precision)
        return changed

    def clean_date(self):
        found = self.cleaned_data.get("date")
        if found is None:
            return None
        value, precision = found
        self.instance.date_precision = precision
        return value


class TimelineForm(VersionedForm):
    """A timeline's own fields: stale-checked (a save also writes back its items and
    compilers, so a page opened before a colleague's save must not), a free 版序, and an
    issue the editor may change (`may_change_timeline`: added to or moved into it)."""

    desk_user = None  # set by the admin: whose rights the chosen issue is checked against

    class Meta:
        model = Timeline
        fields = ["issue", "position", "title", "credit_action"]

    def clean(self):
        cleaned = super().clean()
        refuse_position_clash(self, cleaned)
        issue = cleaned.get("issue")
        moved_into = issue is not None and "issue" in self.changed_data and self.desk_user is not None
        if moved_into and not workflow.may_change_timeline(self.desk_user, Timeline(issue=issue)):
            self.add_error(
                "issue",
                f"专题“{issue}”已经发布过，只有值班主任可以在其中添加或移入大事记："
                "请选择尚未发布的专题，或请值班主任操作。",
            )
        return cleaned
