"""What readers have, and what a publish would change, on the desk's pages: an issue's state
as the desk says it, its API link, its pending changes and publish checks, an article's
pending changes, and the publications themselves (the record, never edited).
"""

import json

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from articles.desk import changes
from articles.desk.admin import beijing, lines_block
from articles.models import Issue, Publication
from articles.publications import checks as publish_checks
from articles.workflow import ArticleStatus, IssueStatus


def issue_state(issue: Issue) -> str:
    """The state as the desk says it: 定时发布 until the publication's time comes."""
    if issue.is_scheduled():
        return f"定时发布（{beijing(issue.published_at)} 起可见）"
    return issue.get_status_display()


def working_copy_once(issue: Issue):
    """The issue as a publish now would store it, rendered once per page: the pending
    changes and the publish checks both compare it with what readers have. None while
    nothing was ever published (neither needs it then)."""
    if not hasattr(issue, "_working_copy"):
        issue._working_copy = publish_checks.working_copy(issue) if issue.publications.exists() else None
    return issue._working_copy


class IssueReadersAdminMixin:
    """For IssueAdmin, the 发布 fieldset: the state, the API link, the pending changes and
    the publish checks; and no deleting what readers were shown."""

    def has_delete_permission(self, request, obj=None):
        # A published issue is part of the record: withdraw it instead.
        if obj is not None and obj.publications.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="状态", ordering="status")
    def state(self, issue):
        return issue_state(issue)

    @admin.display(description="API")
    def api_link(self, issue):
        if not issue.pk:
            return "—"
        url = reverse("v1:issue-detail", kwargs={"slug": issue.slug})
        if issue.status == IssueStatus.DRAFT:
            return "草稿：发布后读者才能通过 API 看到"
        if issue.status == IssueStatus.WITHDRAWN:
            return "已撤回：读者看不到"
        if issue.is_scheduled():
            return format_html("定时发布，{} 起可见：{}", beijing(issue.published_at), url)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    @admin.display(description="未发布的修改")
    def pending_changes(self, issue):
        if not issue.pk:
            return "—"
        lines = publish_checks.pending_changes(issue, rendering=working_copy_once(issue))
        if not lines:
            return "无：读者看到的就是当前内容" if issue.publications.exists() else "尚未发布"
        return format_html(
            "<strong>有未发布的修改</strong>，值班主任发布后读者才能看到：{}", lines_block(lines)
        )

    @admin.display(description="发布前检查")
    def problems(self, issue):
        if not issue.pk:
            return "—"
        found = publish_checks.issue_problems(issue, rendering=working_copy_once(issue))
        return lines_block([f"✗ {p.message}" for p in found]) if found else "✓ 可以发布"


class ArticleReadersAdminMixin:
    """For ArticleAdmin: what a published article's edits will change for readers."""

    @admin.display(description="未发布的修改")
    def pending_changes(self, article):
        if not article.pk or article.status != ArticleStatus.PUBLISHED:
            return "—"
        lines = publish_checks.article_pending_changes(article)
        if not lines:
            return "无：读者看到的就是当前内容"
        return format_html(
            "<strong>有未发布的修改</strong>，值班主任发布专题后读者才能看到：{}", lines_block(lines)
        )


class PublicationInline(admin.TabularInline):
    """What readers were shown, and since when: the issue's publications, newest first."""

    model = Publication
    extra = 0
    can_delete = False
    fields = ["number", "kind", "visible_from", "created_by", "created_at", "note", "show"]
    readonly_fields = fields
    verbose_name_plural = "发布记录（读者看到的每一个版本）"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # whoever sees the issue sees its record

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").order_by("-number")

    @admin.display(description="内容")
    def show(self, publication):
        url = reverse("admin:articles_publication_change", args=[publication.pk])
        return format_html('<a href="{}">查看</a>', url)


class PublicationContentAdminMixin:
    """For PublicationAdmin: the stored JSON as the text readers were shown."""

    @admin.display(description="内容（读者看到的文字）")
    def content(self, publication):
        if publication.kind == Publication.Kind.WITHDRAWAL:
            return "撤回：自此时起读者看不到该专题。"
        data = json.loads(publication.body)
        lines = changes.issue_lines(data)
        for part in data["parts"]:
            if part["type"] == "article":
                lines += [
                    "",
                    f"——《{part['article']['headline']}》——",
                    *changes.article_lines(part["article"]),
                ]
        return format_html('<div style="white-space:pre-wrap;max-width:60em">{}</div>', "\n".join(lines))
