"""Admin plumbing the desk's workflow needs on every edited page: stale-save refusal, the
transition log, and read-only views of publications. Services do the work; this only shows
it and hands requests to them.

Also the desk's columns of the issue, contributor and timeline pages (how much each holds,
how often a name is used), which ask the database once per list, not once per row."""

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html, format_html_join

from articles.models import Issue
from articles.workflow import ArticleStatus, IssueStatus
from newsroom.admin.versions import VersionedAdminMixin

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


class WorkflowAdminMixin(VersionedAdminMixin):
    """Stale-save refusal, version bumps and revisions for admins of edited models, and the
    reading order kept consistent between the issue page and each part's own page."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        reading_order_saved(form, request.user, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        parts_moved(formset, request.user)

    @admin.display(description="流程记录")
    def transition_log(self, obj):
        return transition_table(obj.transitions.select_related("user")[:50]) if obj.pk else "—"


class CreatedByAdminMixin:
    """Whoever adds the object is kept as its author (the per-object rule reads it)."""

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class IssueContentsAdminMixin:
    """The issue list's 稿件数 column."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("updated_by")
            .annotate(article_total=Count("articles", distinct=True))
        )

    @admin.display(description="稿件数", ordering="article_total")
    def article_count(self, issue):
        return issue.article_total


class ContributorUseAdminMixin:
    """How often each name is signed, counted in the list's one query."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                byline_total=Count("bylines", distinct=True),
                photo_credit_total=Count("photocredits", distinct=True),
            )
        )

    @admin.display(description="署名次数", ordering="byline_total")
    def byline_total(self, contributor):
        return contributor.byline_total

    @admin.display(description="图片署名次数", ordering="photo_credit_total")
    def photo_credit_total(self, contributor):
        return contributor.photo_credit_total


class TimelineDeskAdminMixin:
    """The timeline page: its issue checked against the saver's rights, its items counted."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The form checks the chosen issue against the rights of whoever is saving.
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"desk_user": request.user})

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_total=Count("items"))

    @admin.display(description="条目数", ordering="item_total")
    def item_total(self, timeline):
        return timeline.item_total
