"""Two editors on one article: what the page was opened with, what this editor changed on it,
and what a colleague saved since — so a stale save names only what really conflicts.

The article page carries, signed, the article as it was opened (`opened_state`: its fields,
its body text and the rows of its body and bylines). Comparing three versions — opened,
posted, saved now — tells, per part of the article, who changed it:

- only the colleague: the re-opened page shows their version (re-saving keeps it);
- only this editor: their typing stays on the page (re-saving carries it over);
- both, differently: a conflict, shown side by side, and the editor chooses, per part,
  "保留我的修改" or "采用同事的版本" before the page saves again.

Nothing is decided without the editor: the save that found the conflict is refused, and the
page it comes back as is opened at the new version, so the next save merges.
"""

from dataclasses import dataclass, field

from django.core import signing
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import model_to_dict

from articles.copydesk import body_editor
from articles.copydesk.forms import same_text
from articles.desk.revisions import current_lines
from articles.models import Article, Block, Byline, Section
from media.credits import credit_line

SALT = "articles.article-page.opened"
STATE_FIELD = "opened_state"
CHOICE_PREFIX = "merge_"
MINE, THEIRS = "mine", "theirs"

# The article's own fields the page compares, and the rows of its inlines (by formset prefix).
FIELDS = ("issue", "position", "kicker", "headline", "subheadline", "kind", "slug")
ROWS = {
    "blocks": (Block, ("position", "kind", "section", "text", "photo", "url")),
    "sections": (Section, ("speaker_title", "speaker_name", "headline")),
    "bylines": (Byline, ("position", "contributor", "role", "organisation")),
}
# The parts compared as wholes: the body (its text, or its blocks and sections) and the bylines.
BODY, BYLINES = "body", "bylines"
PARTS = {BODY: ("blocks", "sections"), BYLINES: ("bylines",)}
PART_LABELS = {BODY: "正文", BYLINES: "署名"}


def label(key: str) -> str:
    if key in PART_LABELS:
        return PART_LABELS[key]
    return str(Article._meta.get_field(key).verbose_name)


# The state a page was opened with


def state_of(article: Article, body_text: str | None | bool = False) -> dict:
    """The article as a page opened now shows it, in plain JSON values. `body_text`: the
    body as text when the caller has it already."""
    rows = {}
    for prefix, (model, names) in ROWS.items():
        rows[prefix] = {
            str(row.pk): model_to_dict(row, fields=names)
            for row in model.objects.filter(article=article).order_by("pk")
        }
    return {
        "version": article.version,
        "fields": model_to_dict(article, fields=FIELDS),
        "body_text": body_editor.body_text(article) if body_text is False else body_text,
        "rows": rows,
        "conflicts": [],
    }


def sign(state: dict) -> str:
    return signing.dumps(state, salt=SALT, compress=True)


def posted_state(data) -> dict | None:
    """The state the posting page was opened with; None if missing or tampered with."""
    try:
        return signing.loads(data.get(STATE_FIELD) or "", salt=SALT)
    except signing.BadSignature:
        return None


def choice(data, key: str) -> str | None:
    value = data.get(CHOICE_PREFIX + key)
    return value if value in (MINE, THEIRS) else None


def takes_theirs(data, prefix: str) -> bool:
    """Did the editor choose the colleague's version of the part this inline belongs to?"""
    state = posted_state(data)
    part = next((key for key, prefixes in PARTS.items() if prefix in prefixes), None)
    return bool(state and part in state.get("conflicts", ()) and choice(data, part) == THEIRS)


# Who changed what


def rows_changed(formset, opened: dict | None) -> bool:
    """Did this editor change any row of the inline, compared with the rows the page opened
    with (not with the rows saved now, which a colleague may have changed)?"""
    if opened is None:
        return formset.has_changed()
    posted = set()
    for form in formset.forms:
        pk = form["id"].data if "id" in form.fields else None
        deleted = DELETION_FIELD_NAME in form.fields and bool(form[DELETION_FIELD_NAME].data)
        if not pk:
            if form.has_changed() and not deleted:
                return True
            continue
        posted.add(str(pk))
        row = opened.get(str(pk))
        if row is None or deleted:
            return True
        for name, form_field in form.fields.items():
            if name in row and form_field.has_changed(row[name], form[name].data):
                return True
    return bool(set(opened) - posted)


@dataclass
class Conflict:
    key: str
    label: str
    mine: str  # as the editor typed it, shown
    theirs: str  # as the colleague saved it, shown
    theirs_value: str = ""  # what "采用同事的版本" puts in the field (fields and body text)
    input_name: str = ""  # the page's field it concerns, for the one-click choice
    note: str = ""
    chosen: str | None = None


@dataclass
class Merge:
    """What a stale save found: parts taken from the colleague, parts carried over, conflicts."""

    taken: list[str] = field(default_factory=list)  # only the colleague changed these
    carried: list[str] = field(default_factory=list)  # only this editor changed these
    conflicts: list[Conflict] = field(default_factory=list)
    fresh_prefixes: set[str] = field(default_factory=set)  # inlines re-opened as saved now
    data: dict = field(default_factory=dict)  # field values the re-opened page shows instead


def analyse(form, formsets: dict, opened: dict, current: Article) -> tuple[Merge, dict]:
    """Compare opened, posted and saved now; returns the merge and the state the re-opened
    page carries (the article as saved now, with the conflicts still to be chosen)."""
    now = state_of(current)
    merge = Merge()
    for name in FIELDS:
        if name not in form.fields or form.fields[name].disabled:
            continue
        form_field = form.fields[name]
        was, saved, typed = opened["fields"].get(name), now["fields"].get(name), form[name].data
        mine, theirs = form_field.has_changed(was, typed), was != saved
        if theirs and not mine:
            merge.taken.append(label(name))
            merge.data[name] = "" if saved is None else str(saved)
        elif mine and not theirs:
            merge.carried.append(label(name))
        elif mine and theirs and form_field.has_changed(saved, typed):
            merge.conflicts.append(
                Conflict(
                    key=name,
                    label=label(name),
                    mine=_shown(form, name, typed),
                    theirs=_shown(form, name, saved),
                    theirs_value="" if saved is None else str(saved),
                    input_name=form.add_prefix(name),
                )
            )
    _analyse_body(form, formsets, opened, now, current, merge)
    _analyse_bylines(formsets, opened, now, current, merge)
    state = {**now, "conflicts": [conflict.key for conflict in merge.conflicts]}
    return merge, state


def _analyse_body(form, formsets, opened, now, current, merge: Merge) -> None:
    text_field = form.fields.get("body_text")
    typed = form["body_text"].data if text_field is not None else None
    opened_text = opened.get("body_text")
    mine_text = (
        text_field is not None
        and not text_field.disabled
        and opened_text is not None
        and not copydesk_same(typed, opened_text)
    )
    prefixes = [p for p in PARTS[BODY] if p in formsets]
    mine_rows = any(rows_changed(formsets[p], opened["rows"].get(p)) for p in prefixes)
    theirs = any(opened["rows"].get(p) != now["rows"].get(p) for p in PARTS[BODY])
    if not mine_rows:
        merge.fresh_prefixes.update(prefixes)  # the body rows as saved now
    if not mine_text and text_field is not None and not text_field.disabled:
        merge.data["body_text"] = now["body_text"] or ""
    if theirs and not (mine_text or mine_rows):
        merge.taken.append(label(BODY))
    elif (mine_text or mine_rows) and not theirs:
        merge.carried.append(label(BODY))
    elif theirs:
        if (
            mine_text
            and not mine_rows
            and now["body_text"] is not None
            and copydesk_same(typed, now["body_text"])
        ):
            return  # both wrote the same text
        theirs_text = now["body_text"]
        merge.conflicts.append(
            Conflict(
                key=BODY,
                label=label(BODY),
                mine=typed if mine_text else "（您的修改在下方的正文块里，已保留在本页。）",
                theirs=theirs_text if theirs_text is not None else "\n".join(_body_lines(current)),
                theirs_value=theirs_text or "",
                input_name="body_text" if mine_text else "",
                note=""
                if mine_text
                else "选“采用同事的版本”并保存，将放弃您在正文块中的修改；选“保留我的修改”则保存正文块中的内容。",
            )
        )


def _analyse_bylines(formsets, opened, now, current, merge: Merge) -> None:
    formset = formsets.get("bylines")
    if formset is None:
        return
    mine = rows_changed(formset, opened["rows"].get("bylines"))
    theirs = opened["rows"].get("bylines") != now["rows"].get("bylines")
    if not mine:
        merge.fresh_prefixes.add("bylines")
    if theirs and not mine:
        merge.taken.append(label(BYLINES))
    elif mine and not theirs:
        merge.carried.append(label(BYLINES))
    elif mine and theirs:
        merge.conflicts.append(
            Conflict(
                key=BYLINES,
                label=label(BYLINES),
                mine=_posted_byline_line(formset) or "（无署名）",
                theirs=credit_line(current.bylines.select_related("contributor").order_by("position", "pk"))
                or "（无署名）",
                note="选“采用同事的版本”并保存，将放弃您对署名的修改。",
            )
        )


def pending(form, state: dict) -> list[Conflict]:
    """The conflicts a re-opened page still carries, shown again (a choice was missing, or
    another field was refused): theirs as the state holds it, mine as posted."""
    conflicts = []
    for key in state.get("conflicts", ()):
        if key in FIELDS and key in form.fields:
            saved = state["fields"].get(key)
            conflicts.append(
                Conflict(
                    key=key,
                    label=label(key),
                    mine=_shown(form, key, form[key].data),
                    theirs=_shown(form, key, saved),
                    theirs_value="" if saved is None else str(saved),
                    input_name=form.add_prefix(key),
                    chosen=choice(form.data, key),
                )
            )
        elif key == BODY:
            text = state.get("body_text")
            conflicts.append(
                Conflict(
                    key=key,
                    label=label(key),
                    mine=form["body_text"].data if "body_text" in form.fields else "",
                    theirs=text or "",
                    theirs_value=text or "",
                    input_name="body_text",
                    chosen=choice(form.data, key),
                )
            )
        elif key == BYLINES:
            conflicts.append(
                Conflict(
                    key=key, label=label(key), mine="（见下方署名）", theirs="", chosen=choice(form.data, key)
                )
            )
    return conflicts


def unchosen(data, state: dict | None) -> list[str]:
    """The conflicting parts the editor has not yet chosen a version of."""
    if not state:
        return []
    return [key for key in state.get("conflicts", ()) if choice(data, key) is None]


# Shown words


def copydesk_same(one, other) -> bool:
    return same_text(one, other)


def _shown(form, name: str, value) -> str:
    """A field's value as the editor reads it: the choice's label, the issue's title."""
    form_field = form.fields[name]
    if value in (None, ""):
        return "（空）"
    if hasattr(form_field, "queryset"):
        found = form_field.queryset.filter(pk=value).first()
        return str(found) if found is not None else str(value)
    choices = dict(getattr(form_field, "choices", ()) or ())
    return str(choices.get(value, value))


def _body_lines(article: Article) -> list[str]:
    return current_lines(article)


def _posted_byline_line(formset) -> str:
    credits = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("contributor") and not data.get(DELETION_FIELD_NAME):
            credits.append(
                Byline(
                    contributor=data["contributor"],
                    role=data.get("role", ""),
                    organisation=data.get("organisation", ""),
                    position=data.get("position") or 0,
                )
            )
    credits.sort(key=lambda credit: credit.position)
    return credit_line(credits)
