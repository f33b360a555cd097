"""Admin plumbing for every edited object readers see: the stale-save check, a version per
save, the per-object rule, and 修订记录 pages (list, compare, restore).

`VersionedAdminMixin` goes on a ModelAdmin of a model with `version` / `updated_by`;
`RevisionAdminMixin` adds the revision pages, reading them through the admin's `history`
(a `newsroom.revisions.History`). The services do the work; these pages show it.
"""

from django.contrib import messages
from django.contrib.admin import display
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from newsroom import object_rules
from newsroom.revisions import History, keep_state_before_first_revision, saved_revision
from newsroom.versioning import SaveRefused, VersionedForm, beijing, bump_version, display_name

# The marks `diff_lines` puts in front of a line, as CSS classes.
LINE_CLASSES = {"删": "revision-deleted", "增": "revision-inserted"}


def marked_lines(lines: list[str]) -> list[tuple[str, str]]:
    """(css class, line) for each diff line, so deletions show red and insertions green."""
    return [(LINE_CLASSES.get(line[:1], ""), line) for line in lines]


class VersionedAdminMixin:
    """Stale-save refusal, a version and a revision per save, and the per-object rule."""

    form = VersionedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        first, *rest = fieldsets
        name, options = first
        if "opened_version" in options["fields"]:
            return fieldsets
        return [(name, {**options, "fields": [*options["fields"], "opened_version"]}), *rest]

    def has_change_permission(self, request, obj=None):
        # Without the right the page is read-only (no save buttons, inlines locked) and a
        # POST is refused with 403 by the admin itself.
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        # Asked many times while one page is made; the answer may look through publications.
        answers = request.__dict__.setdefault("_may_change", {})
        key = (obj._meta.label, obj.pk)
        if key not in answers:
            answers[key] = object_rules.may_change(request.user, obj)
        return answers[key]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            return self._save_as_revision(request, object_id, form_url, extra_context)
        except SaveRefused as refused:
            # Rolled back: the same POST again, the form refusing with the reasons.
            request.save_refused = refused
            for upload in request.FILES.values():
                upload.seek(0)
            return self._save_as_revision(request, object_id, form_url, extra_context)

    def _save_as_revision(self, request, object_id, form_url, extra_context):
        comment = "新建" if object_id is None else "在后台修改"
        with transaction.atomic():
            existing = self.get_object(request, unquote(object_id)) if object_id else None
            if existing is not None:
                keep_state_before_first_revision(existing)
            with saved_revision(request.user, comment):
                return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refused = getattr(request, "save_refused", None)
        return type(form.__name__, (form,), {"refused": refused}) if refused else form

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            bump_version(form.instance, request.user)

    @display(description="版本")
    def version_display(self, obj):
        if not obj or not obj.pk:
            return "—"
        return f"第 {obj.version} 版，{display_name(obj.updated_by)} 于 {beijing(obj.updated_at)} 保存"


class RevisionAdminMixin:
    """Adds 修订记录 pages under an object's change page, and `revision_link` for its form."""

    history: History
    revision_templates = "admin/revisions"

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
        obj = self._viewable(request, object_id)
        entries = self.history.entries(obj)
        rows = [
            {"entry": entry, "who": display_name(entry.user), "when": beijing(entry.date)}
            for entry in entries
        ]
        context = self._revision_context(
            request,
            obj,
            f"修订记录：{obj}",
            rows=rows,
            may_restore=self.history.may_restore(request.user, obj),
            # Preselected: the newest revision against the one before it.
            compare_from=entries[1].id if len(entries) > 1 else None,
            compare_to=entries[0].id if entries else None,
        )
        return TemplateResponse(request, f"{self.revision_templates}/revisions.html", context)

    def revision_compare_view(self, request, object_id):
        obj = self._viewable(request, object_id)
        try:
            older = self.history.find_version(obj, request.GET.get("from"))
            newer = self.history.find_version(obj, request.GET.get("to"))
        except ValidationError as error:
            return self._back_to_list(request, obj, error)
        older_number, newer_number = self.history.number(older), self.history.number(newer)
        context = self._revision_context(
            request,
            obj,
            f"第{older_number}版与第{newer_number}版的差异：{obj}",
            older_number=older_number,
            newer_number=newer_number,
            lines=marked_lines(self.history.compare(obj, older, newer)),
        )
        return TemplateResponse(request, f"{self.revision_templates}/revision_compare.html", context)

    def revision_restore_view(self, request, object_id, version_id):
        """GET asks for confirmation and shows what would change; POST restores."""
        obj = self._viewable(request, object_id)
        self.history.require_may_restore(request.user, obj)
        if request.method == "POST":
            return self._restore(request, obj, version_id)
        try:
            plan = self.history.restore_plan(obj, version_id)
        except ValidationError as error:
            return self._back_to_list(request, obj, error)
        context = self._revision_context(
            request,
            obj,
            f"恢复到第{plan.number}版：{obj}",
            plan=plan,
            lines=marked_lines(plan.changes),
            kept_note=self.history.kept_note(obj),
        )
        return TemplateResponse(request, f"{self.revision_templates}/revision_restore.html", context)

    def _restore(self, request, obj, version_id):
        # The version the page showed travels with the form: a colleague's save since then
        # refuses the restore rather than being overwritten by it.
        opened = request.POST.get("opened_version")
        try:
            number = self.history.number(self.history.find_version(obj, version_id))
            restored = self.history.restore(
                obj,
                version_id,
                user=request.user,
                comment=request.POST.get("comment", ""),
                opened_version=opened if opened is not None else "",
            )
        except ValidationError as error:
            return self._back_to_list(request, obj, error)
        self.after_restore(request, restored)
        total = self.history.count(obj)
        self.message_user(request, f"已恢复到第{number}版（保存为第{total}版）。", messages.SUCCESS)
        opts = self.opts
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
        )

    def after_restore(self, request, obj) -> None:
        """What the page does after a restore committed (e.g. remake renditions)."""

    # For the change form

    @display(description="修订记录")
    def revision_link(self, obj):
        if obj is None or not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">修订记录（{} 版）</a>', self._revisions_url(obj), self.history.count(obj)
        )

    # Helpers

    def _viewable(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"找不到这份{self.opts.verbose_name}。")
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def _revisions_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_revisions", args=[quote(obj.pk)])

    def _back_to_list(self, request, obj, error: ValidationError):
        self.message_user(request, "；".join(error.messages), messages.ERROR)
        return HttpResponseRedirect(self._revisions_url(obj))

    def _revision_context(self, request, obj, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": obj,
            "revisions_url": self._revisions_url(obj),
            **extra,
        }
