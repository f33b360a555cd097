"""Admin plumbing the desk's workflow needs on every edited page: stale-save refusal, the
transition log, and read-only views of publications. Services do the work; this only shows
it and hands requests to them."""

from django.utils.html import format_html, format_html_join

from articles.workflow import ArticleStatus, IssueStatus

# The stale-save plumbing is the project's, shared with the picture desk (media).
from newsroom.versioning import (  # noqa: F401
    VersionedForm,
    beijing,
    bump_version,
    display_name,
    stale_message,
)

STATUS_LABELS = {**dict(IssueStatus.choices), **dict(ArticleStatus.choices)}


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


# The reading order is shown on two pages: the issue's (its parts' 版序 inlines) and each
# part's own (版序, 专题). A position saved on either makes the other's open form stale.


def reading_order_saved(form, user, change: bool) -> None:
    """A part's own page moved it (版序 or 专题): the issues it left and joined get a new
    version, so an issue page opened before refuses to write the old order back."""
    from articles.models import Issue

    moved = {"position", "issue"} & set(form.changed_data)
    if not change or not moved or not hasattr(form.instance, "issue_id"):
        return
    issues = {form.instance.issue_id, form.initial.get("issue")} - {None}
    for issue in Issue.objects.filter(pk__in=issues):
        bump_version(issue, user)


def parts_moved(formset, user) -> None:
    """The issue page changed parts (版序, a timeline's title): each gets a new version, so
    its own page opened before refuses to write the old value back."""
    for part, _ in formset.changed_objects:
        if hasattr(part, "version"):
            bump_version(part, user)
