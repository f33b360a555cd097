import errno

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from jobs import display as job_display
from media.renditions import jobs as rendition_jobs
from media.renditions import services as renditions
from newsroom.admin.autocomplete import RowAutocompleteInlineMixin
from newsroom.admin.pages import StoredObjectHeadingMixin
from newsroom.admin.versions import RevisionAdminMixin, VersionedAdminMixin
from newsroom.revisions import History
from newsroom.versioning import SaveRefused, VersionedForm

from . import specs
from .conf import conf
from .forms import STORAGE_FAILED, STORAGE_FULL, PhotoCreditForm, PhotoForm
from .metadata import FIELDS, date_taken_label, read_embedded, suggested_alt_text
from .models import Photo, PhotoCredit, Rendition
from .storage import discard_partial_upload, write_errors
from .suggestions import credit_suggestions

THUMBNAIL_SPEC, PICKER_SPEC = "original-480", "original-960"

# Every field of a photo readers see, with its credits: what a revision shows and restores.
PHOTO_HISTORY = History(
    Photo,
    shown=("image", "width", "height", "caption", "alt_text", "credit_action", "focal_x", "focal_y"),
    parts={"credits": None},
)


class VersionedPhotoForm(VersionedForm, PhotoForm):
    """The photo form, refused when someone saved the photo after the page was opened."""


class PhotoCreditInline(RowAutocompleteInlineMixin, admin.TabularInline):
    model = PhotoCredit
    form = PhotoCreditForm
    extra = 1
    autocomplete_fields = ["contributor"]
    fields = ["position", "contributor", "role", "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contributor")

    def get_extra(self, request, obj=None, **kwargs):
        # Room for every credit suggested from the file's by-line, and one blank row.
        suggested = getattr(request, "_photo_credit_suggestions", None)
        return max(self.extra, len(suggested.rows) if suggested else 0)


def _jpeg(photo, spec: str):
    """The photo's JPEG rendition `spec` if its renditions were prefetched, else None (the
    original is shown then): a list of photos must not pay a query per row."""
    rows = getattr(photo, "admin_renditions", None)
    if rows is None:
        rows = getattr(photo, "_prefetched_objects_cache", {}).get("renditions", [])
    return next((r for r in rows if r.spec == spec and r.format == "jpeg"), None)


@admin.display(description="缩略图")
def thumbnail(photo):
    if not photo.image:
        return "—"
    small = _jpeg(photo, THUMBNAIL_SPEC)
    return format_html(
        '<img src="{}" alt="{}" style="max-width:160px;max-height:120px;object-fit:contain">',
        small.file.url if small else photo.image.url,
        photo.alt_text or photo.caption,
    )


@admin.register(Photo)
class PhotoAdmin(StoredObjectHeadingMixin, VersionedAdminMixin, RevisionAdminMixin, admin.ModelAdmin):
    form = VersionedPhotoForm
    history = PHOTO_HISTORY
    list_display = [thumbnail, "caption", "credit_line_display", "width", "height", "created_at"]
    list_display_links = [thumbnail, "caption"]
    list_filter = ["credit_action", "created_at"]
    search_fields = ["caption", "alt_text", "credits__contributor__name"]
    readonly_fields = [
        "focal_picker",
        "width",
        "height",
        "embedded_metadata_display",
        "renditions_display",
        "version_display",
        "revision_link",
    ]
    fieldsets = [
        (None, {"fields": ["image", "focal_picker", ("focal_x", "focal_y"), ("width", "height")]}),
        ("说明与署名", {"fields": ["embedded_metadata_display", "caption", "alt_text", "credit_action"]}),
        ("衍生图", {"fields": ["renditions_display"], "classes": ["collapse"]}),
        ("记录", {"fields": ["version_display", "revision_link"]}),
    ]
    inlines = [PhotoCreditInline]
    date_hierarchy = "created_at"

    class Media:
        css = {"all": ["media/focal_point.css"]}
        js = ["media/focal_point.js", "jobs/progress.js"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.renditions_ready:
            return fieldsets
        # Open while they are being made (or failed): the job's progress is the news.
        return [
            (name, {**options, "classes": []})
            if "renditions_display" in options["fields"]
            else (name, options)
            for name, options in fieldsets
        ]

    def get_queryset(self, request):
        thumbnails = Rendition.objects.filter(spec__in=[THUMBNAIL_SPEC, PICKER_SPEC], format="jpeg")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "credits__contributor", Prefetch("renditions", thumbnails, to_attr="admin_renditions")
            )
        )

    @admin.display(description="署名")
    def credit_line_display(self, photo):
        return photo.credit_line

    # The change page: focal point, what the file said, the renditions

    @admin.display(description="焦点")
    def focal_picker(self, photo):
        src = ""
        if photo and photo.pk and photo.image:
            picture = _jpeg(photo, PICKER_SPEC)
            src = picture.file.url if picture else photo.image.url
        ratios = [ratio for ratio, _ in conf.PHOTO_RENDITION_SPECS if ratio != specs.ORIGINAL]
        return render_to_string(
            "admin/media/photo/focal_picker.html",
            {
                "src": src,
                "alt": photo.alt_text if photo else "",
                "ratios": ratios,
                "ratio_list": "、".join(ratios),
            },
        )

    @admin.display(description="图片文件中的信息")
    def embedded_metadata_display(self, photo):
        found = dict(photo.embedded_metadata) if photo and photo.pk else {}
        if found.get("date_taken"):
            found["date_taken"] = date_taken_label(found["date_taken"])
        if found.get("creators"):
            found["creators"] = "、".join(found["creators"])
        rows = [(label, found[key]) for key, label in FIELDS.items() if found.get(key)]
        unknown = credit_suggestions(photo.embedded_metadata).unknown if rows else []
        # Contributors are articles' model, reached through the credit rows: media names no app above it.
        add_contributor = reverse(admin_urlname(PhotoCredit.contributor.field.related_model._meta, "add"))
        return render_to_string(
            "admin/media/photo/embedded_metadata.html",
            {
                "rows": rows,
                "read_from": "、".join(found.get("read_from", [])),
                "unknown": [(name, add_contributor + "?name=" + name) for name in unknown],
                "saved": bool(photo and photo.pk),
            },
        )

    @admin.display(description="衍生图")
    def renditions_display(self, photo):
        if not (photo and photo.pk):
            return "保存后自动生成。"
        rows = sorted(photo.renditions.all(), key=specs.delivery_order())
        job = rendition_jobs.latest(photo)
        return render_to_string(
            "admin/media/photo/renditions.html",
            {
                "rows": rows,
                "ready": photo.renditions_ready,
                # Replaced crops kept while a live publication shows them.
                "waiting": renditions.waiting_for_republish(photo),
                # The job's box while it runs or once it failed; a finished one says nothing new.
                "job": job_display.render(job)
                if job and not (job.state == "done" and photo.renditions_ready)
                else "",
            },
        )

    # Suggestions from the file's metadata

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        suggested = getattr(request, "_photo_credit_suggestions", None)
        if isinstance(inline, PhotoCreditInline) and suggested and suggested.rows:
            kwargs["initial"] = suggested.rows
        return kwargs

    def get_formsets_with_inlines(self, request, obj=None):
        # Suggested only while the photo has no credits: the editor's own rows always win.
        if obj is not None and obj.pk and obj.embedded_metadata and not obj.credits.exists():
            request._photo_credit_suggestions = credit_suggestions(obj.embedded_metadata)
        yield from super().get_formsets_with_inlines(request, obj)

    # Saving: read the metadata from a new file; make renditions once the save commits

    def save_model(self, request, obj, form, change):
        new_file = "image" in form.changed_data
        if new_file:
            obj.embedded_metadata = read_embedded(form.cleaned_data["image"])
        moved = bool({"focal_x", "focal_y"} & set(form.changed_data))
        try:
            super().save_model(request, obj, form, change)
        except write_errors() as error:
            if not new_file:
                raise
            discard_partial_upload(obj)
            full = getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
            # Rolled back and shown again, the reason on the file field (VersionedAdminMixin).
            raise SaveRefused([STORAGE_FULL if full else STORAGE_FAILED], field="image") from error
        if new_file or moved or not obj.renditions_ready:
            # On the task queue once the save commits: the upload returns at once, the
            # photo's page shows the job's progress and reloads when the renditions exist.
            rendition_jobs.start(obj, by=request.user)
            self._queued_renditions_note(request)

    def save_form(self, request, form, change):
        photo = super().save_form(request, form, change)
        if not change:
            photo.uploaded_by = request.user  # the reporter's own photo, until it is used
        return photo

    def after_restore(self, request, photo) -> None:
        # An older file or focal point is back: its renditions are made as after a save.
        if not photo.renditions_ready:
            rendition_jobs.start(photo, by=request.user)
            self._queued_renditions_note(request)

    def _queued_renditions_note(self, request) -> None:
        messages.info(
            request,
            "衍生图（各尺寸与 16:9、4:3、1:1 裁切）正在后台生成，生成完成前含这张图片的专题不能发布。",
        )

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_popup" in request.POST or "_addanother" in request.POST or not self._offers(obj):
            return response
        messages.info(request, "已读取图片文件中的说明、作者等信息并填入下方（浅黄色底），请核对后保存。")
        return HttpResponseRedirect(reverse("admin:media_photo_change", args=[obj.pk]))

    def _offers(self, photo) -> bool:
        """Whether the file's metadata offers anything the editor has not filled in yet."""
        found = photo.embedded_metadata
        if not found:
            return False
        return (
            (found.get("caption") and not photo.caption)
            or (suggested_alt_text(found) and not photo.alt_text)
            or (found.get("creators") and not photo.credits.exists())
        )
