"""Issue export in the admin: a "导出" button on the issue page and the action 导出所选专题,
both starting an export job (articles/exchange/jobs.py) for one finished issue; the issue
page shows its progress, then the package (docs/export-format.md) to download.

Who may export is decided by the export service (`may_export`: editors and duty chiefs,
who see every issue; reporters do not hand whole issues out of the CMS); the views only
check it and report the service's refusals.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from articles.exchange import export
from articles.exchange import jobs as export_jobs
from articles.exchange.snapshots import source_publication, unfinished_reason
from jobs import display as job_display


class ExportAdminMixin:
    """For IssueAdmin: `<id>/export/`, the action, and the link in the 发布 fieldset."""

    def get_urls(self):
        route = path(
            "<path:object_id>/export/",
            self.admin_site.admin_view(self.export_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_export",
        )
        return [route, *super().get_urls()]

    def has_export_permission(self, request, obj=None) -> bool:
        return self.has_view_permission(request, obj) and export.may_export(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_export_permission(request):
            action = type(self).export_selected
            actions["export_selected"] = (action, "export_selected", action.short_description)
        return actions

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "export_link"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and self.has_export_permission(request, obj):
            fieldsets.append(("导出", {"fields": ["export_link"]}))
        return fieldsets

    @admin.display(description="导出包")
    def export_link(self, obj):
        if obj is None or not obj.pk:
            return "—"
        job = job_display.render(export_jobs.latest(obj), done_text=f"{export.package_filename(obj)}")
        reason = unfinished_reason(obj, source_publication(obj))
        if reason:
            return format_html("{}暂不能导出：{}", job, reason)
        url = reverse(self._url_name("export"), args=[quote(obj.pk)])
        # A button of the change form posting to the export page (a form may not hold a form).
        return format_html(
            '{}<button type="submit" class="button" formaction="{}" formnovalidate name="_export">'
            "导出（生成 ZIP）</button>　含 issue.json、IPTC ninjs、图片原件和可离线阅读的网页版；"
            "在后台生成，完成后在此下载",
            job,
            url,
        )

    def export_view(self, request, object_id: str):
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("没有这个专题。")
        if not self.has_export_permission(request, issue):
            raise PermissionDenied
        back = reverse(self._url_name("change"), args=[quote(issue.pk)])
        if request.method != "POST":  # starting a job changes things: never on a GET
            return HttpResponseRedirect(back)
        return self._start(request, issue, back)

    @admin.action(description="导出所选专题")
    def export_selected(self, request, queryset):
        issues = list(queryset[:2])
        if len(issues) != 1:
            self.message_user(request, "一次只能导出一个专题，请只勾选一个。", messages.WARNING)
            return None
        if not self.has_export_permission(request, issues[0]):
            raise PermissionDenied
        back = reverse(self._url_name("change"), args=[quote(issues[0].pk)])
        return self._start(request, issues[0], back)

    def _url_name(self, suffix: str) -> str:
        return f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def _start(self, request, issue, back: str):
        try:
            export_jobs.start(issue, by=request.user)
        except export.ExportRefused as refusal:
            self.message_user(request, f"“{issue}”未能导出：{refusal}", messages.ERROR)
        else:
            self.message_user(request, f"“{issue}”的导出包正在后台生成，完成后在本页“导出”栏下载。")
        return HttpResponseRedirect(back + "#export")
