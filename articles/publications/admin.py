"""Issue preview in the admin: the issue as readers will see it, and its preview links.

The page renders `render_preview(issue).issue`, the very data the preview endpoint sends,
so what the editor reads here is what a front-end gets. Who may make or revoke a link is
decided by the preview service; the views only report its refusal.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from articles.models import Article, PreviewLink
from articles.publications import preview
from articles.workflow import ArticleStatus

# The new link's URL waits here for the page after the POST, which shows it once.
NEW_LINK_SESSION_KEY = "articles.preview.new_link"


class PreviewAdminMixin:
    """For IssueAdmin: `<id>/preview/`, and the POSTs that make and revoke preview links."""

    preview_template = "admin/articles/issue/preview.html"

    def get_urls(self):
        return self._preview_urls() + super().get_urls()

    def _preview_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/preview/", wrap(self.preview_view), name=self._preview_url_name("preview")
            ),
            path(
                "<path:object_id>/preview/links/",
                wrap(self.preview_link_create_view),
                name=self._preview_url_name("preview_link_create"),
            ),
            path(
                "<path:object_id>/preview/links/<int:link_id>/revoke/",
                wrap(self.preview_link_revoke_view),
                name=self._preview_url_name("preview_link_revoke"),
            ),
        ]

    def _preview_url_name(self, suffix: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def _preview_reverse(self, suffix: str, *args) -> str:
        return reverse(f"{self.admin_site.name}:{self._preview_url_name(suffix)}", args=args)

    @admin.display(description="预览")
    def preview_link(self, obj):
        """For the issue page, as a readonly field."""
        if obj is None or not obj.pk:
            return "保存后可预览"
        return format_html(
            '<a href="{}">预览（读者看到的样子）</a>', self._preview_reverse("preview", quote(obj.pk))
        )

    # Views

    def preview_view(self, request, object_id: str):
        issue = self._viewable_issue(request, object_id)
        data = preview.render_preview(issue).issue
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"预览：{issue}",
            "subtitle": None,
            "original": issue,
            "issue": data,
            "parts": _with_statuses(data["parts"], _article_statuses(issue)),
            "links": self._preview_links(request, issue),
            "new_link_url": _take_new_link_url(request, issue),
            "create_url": self._preview_reverse("preview_link_create", quote(issue.pk)),
            "may_create": preview.may_create(request.user),
            "max_age_hours": round(settings.PREVIEW_LINK_MAX_AGE / 3600, 1),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.preview_template, context)

    def preview_link_create_view(self, request, object_id: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = self._viewable_issue(request, object_id)
        try:
            link, token = preview.create_link(issue, user=request.user)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            _keep_new_link_url(request, issue, preview.preview_url(token))
            expires = timezone.localtime(link.expires_at)
            self.message_user(request, f"已生成预览链接，{expires:%Y-%m-%d %H:%M} 前有效。", messages.SUCCESS)
        return HttpResponseRedirect(self._preview_reverse("preview", quote(issue.pk)))

    def preview_link_revoke_view(self, request, object_id: str, link_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = self._viewable_issue(request, object_id)
        link = PreviewLink.objects.filter(pk=link_id, issue=issue).first()
        if link is None:
            raise Http404("没有这个预览链接。")
        try:
            preview.revoke(link, user=request.user)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            self.message_user(
                request, f"预览链接 #{link.pk} 已作废，前端再打开会得到 404。", messages.SUCCESS
            )
        return HttpResponseRedirect(self._preview_reverse("preview", quote(issue.pk)))

    def _preview_links(self, request, issue) -> list[PreviewLink]:
        """The issue's links, newest first, each with its state and revoke button."""
        links = list(PreviewLink.objects.filter(issue=issue).select_related("created_by"))
        now = timezone.now()
        for link in links:
            link.state = preview.link_state(link, now)
            link.may_revoke = link.state == preview.LIVE and preview.may_revoke(request.user, link)
            link.revoke_url = self._preview_reverse("preview_link_revoke", quote(issue.pk), link.pk)
        return links

    def _viewable_issue(self, request, object_id: str):
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("没有这个专题。")
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return issue


def _keep_new_link_url(request, issue, url: str) -> None:
    # Keyed by issue, so the URL never shows up on another issue's page.
    request.session[NEW_LINK_SESSION_KEY] = {
        **request.session.get(NEW_LINK_SESSION_KEY, {}),
        str(issue.pk): url,
    }


def _take_new_link_url(request, issue) -> str | None:
    """The URL made for this issue, handed over once and then forgotten: the database keeps
    only the link's row, so a lost URL means a new link."""
    waiting = dict(request.session.get(NEW_LINK_SESSION_KEY, {}))
    url = waiting.pop(str(issue.pk), None)
    if url is not None:
        request.session[NEW_LINK_SESSION_KEY] = waiting
    return url


def _article_statuses(issue) -> dict[int, ArticleStatus]:
    """Every article's workflow state in one query: the JSON carries none, by design."""
    rows = Article.objects.filter(issue=issue).values_list("pk", "status")
    return {pk: ArticleStatus(status) for pk, status in rows}


def _with_statuses(parts: list[dict], statuses: dict[int, ArticleStatus]) -> list[dict]:
    """The parts for the template: each as `data`, articles with their `status`."""
    return [
        {"data": part, "status": statuses.get(part["article"]["id"]) if part["type"] == "article" else None}
        for part in parts
    ]
