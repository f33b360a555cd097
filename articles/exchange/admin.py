"""Issue export in the admin: a "导出" link on the issue page and the action 导出所选专题,
both downloading the package (docs/export-format.md) of one finished issue.

Who may export is decided by the export service (`may_export`: editors and duty chiefs,
who see every issue; reporters do not hand whole issues out of the CMS); the views only
check it and report the service's refusals. The download itself is
`download.py`, shared with the API's export endpoint.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from articles.exchange import export
from articles.exchange.download import package_response
from articles.exchange.snapshots import source_publication, unfinished_reason


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
        reason = unfinished_reason(obj, source_publication(obj))
        if reason:
            return f"暂不能导出：{reason}"
        url = reverse(self._url_name("export"), args=[quote(obj.pk)])
        return format_html(
            '<a class="button" href="{}">导出（下载 ZIP）</a>　含 issue.json、IPTC ninjs、图片原件和可离线阅读的网页版',
            url,
        )

    def export_view(self, request, object_id: str):
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("没有这个专题。")
        if not self.has_export_permission(request, issue):
            raise PermissionDenied
        back = reverse(self._url_name("change"), args=[quote(issue.pk)])
        return self._download(request, issue, back)

    @admin.action(description="导出所选专题")
    def export_selected(self, request, queryset):
        issues = list(queryset[:2])
        if len(issues) != 1:
            self.message_user(request, "一次只能导出一个专题，请只勾选一个。", messages.WARNING)
            return None
        if not self.has_export_permission(request, issues[0]):
            raise PermissionDenied
        return self._download(request, issues[0], reverse(self._url_name("changelist")))

    def _url_name(self, suffix: str) -> str:
        return f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def _download(self, request, issue, back: str):
        try:
            return package_response(issue)
        except export.ExportRefused as refusal:
            self.message_user(request, f"“{issue}”未能导出：{refusal}", messages.ERROR)
            return HttpResponseRedirect(back)
