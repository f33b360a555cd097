"""Revisions in the article admin: the list of an article's revisions, what changed between
any two, and restoring one. The services (`services/revisions.py`) do the work and enforce
who may restore; these pages only show it and hand requests to them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import display
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from .admin_workflow import display_name
from .services import revisions
from .services.workflow import may_edit

# The marks `changes.diff_lines` puts in front of a line, as CSS classes.
LINE_CLASSES = {"删": "revision-deleted", "增": "revision-inserted"}


def beijing_time(moment) -> str:
    return timezone.localtime(moment, settings.NEWSROOM_TIME_ZONE).strftime("%Y-%m-%d %H:%M:%S")


def marked_lines(lines: list[str]) -> list[tuple[str, str]]:
    """(css class, line) for each diff line, so deletions show red and insertions green."""
    return [(LINE_CLASSES.get(line[:1], ""), line) for line in lines]


class RevisionAdminMixin:
    """Adds 修订记录 pages under an article's change page, and `revision_link` for its form."""

    revision_templates = "admin/articles/article"

    def get_urls(self):
        names = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        own = [
            path("<path:object_id>/revisions/", view(self.revisions_view), name=f"{names}_revisions"),
            path(
                "<path:object_id>/revisions/compare/",
                view(self.revision_compare_view),
                name=f"{names}_revision_compare",
            ),
            path(
                "<path:object_id>/revisions/<int:version_id>/restore/",
                view(self.revision_restore_view),
                name=f"{names}_revision_restore",
            ),
        ]
        return own + super().get_urls()

    # Pages

    def revisions_view(self, request, object_id):
        article = self._viewable(request, object_id)
        entries = revisions.revisions(article)
        rows = [
            {"entry": entry, "who": display_name(entry.user), "when": beijing_time(entry.date)}
            for entry in entries
        ]
        context = self._revision_context(
            request,
            article,
            f"修订记录：{article}",
            rows=rows,
            may_restore=may_edit(request.user, article),
            # Preselected: the newest revision against the one before it.
            compare_from=entries[1].id if len(entries) > 1 else None,
            compare_to=entries[0].id if entries else None,
        )
        return TemplateResponse(request, f"{self.revision_templates}/revisions.html", context)

    def revision_compare_view(self, request, object_id):
        article = self._viewable(request, object_id)
        try:
            older = revisions.find_version(article, request.GET.get("from"))
            newer = revisions.find_version(article, request.GET.get("to"))
        except ValidationError as error:
            return self._back_to_list(request, article, error)
        older_number, newer_number = revisions.revision_number(older), revisions.revision_number(newer)
        context = self._revision_context(
            request,
            article,
            f"第{older_number}版与第{newer_number}版的差异：{article}",
            older_number=older_number,
            newer_number=newer_number,
            lines=marked_lines(revisions.compare(older, newer)),
        )
        return TemplateResponse(request, f"{self.revision_templates}/revision_compare.html", context)

    def revision_restore_view(self, request, object_id, version_id):
        """GET asks for confirmation and shows what would change; POST restores."""
        article = self._viewable(request, object_id)
        if not may_edit(request.user, article):
            raise PermissionDenied(f"您没有修改稿件《{article}》的权限，不能恢复它的修订版本。")
        if request.method == "POST":
            return self._restore(request, article, version_id)
        try:
            plan = revisions.restore_plan(article, version_id)
        except ValidationError as error:
            return self._back_to_list(request, article, error)
        context = self._revision_context(
            request,
            article,
            f"恢复到第{plan.number}版：{article}",
            plan=plan,
            lines=marked_lines(plan.changes),
        )
        return TemplateResponse(request, f"{self.revision_templates}/revision_restore.html", context)

    def _restore(self, request, article, version_id):
        try:
            number = revisions.revision_number(revisions.find_version(article, version_id))
            revisions.restore(article, version_id, user=request.user, comment=request.POST.get("comment", ""))
        except ValidationError as error:
            return self._back_to_list(request, article, error)
        total = revisions.revision_count(article)
        self.message_user(request, f"已恢复到第{number}版（保存为第{total}版）。", messages.SUCCESS)
        opts = self.opts
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(article.pk)])
        )

    # For the change form

    @display(description="修订记录")
    def revision_link(self, obj):
        if obj is None or not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">修订记录（{} 版）</a>', self._revisions_url(obj), revisions.revision_count(obj)
        )

    # Helpers

    def _viewable(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404(f"找不到这篇{self.opts.verbose_name}。")
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def _revisions_url(self, article) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_revisions", args=[quote(article.pk)]
        )

    def _back_to_list(self, request, article, error: ValidationError):
        self.message_user(request, "；".join(error.messages), messages.ERROR)
        return HttpResponseRedirect(self._revisions_url(article))

    def _revision_context(self, request, article, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": article,
            "revisions_url": self._revisions_url(article),
            **extra,
        }
