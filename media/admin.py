from django import forms
from django.contrib import admin
from django.utils.html import format_html

from newsroom.admin_autocomplete import RowAutocompleteInlineMixin

from .models import Photo, PhotoCredit
from .validators import UNREADABLE_PHOTO


class PhotoForm(forms.ModelForm):
    class Meta:
        model = Photo
        fields = ["image", "caption", "alt_text", "credit_action"]
        # Django's own check rejects non-images before our validator runs: same words for both.
        error_messages = {"image": {"invalid_image": UNREADABLE_PHOTO}}


class PhotoCreditInline(RowAutocompleteInlineMixin, admin.TabularInline):
    model = PhotoCredit
    extra = 1
    autocomplete_fields = ["contributor"]
    fields = ["position", "contributor", "role", "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contributor")


@admin.display(description="缩略图")
def thumbnail(photo):
    if not photo.image:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" style="max-width:160px;max-height:120px;object-fit:contain">',
        photo.image.url,
        photo.alt_text or photo.caption,
    )


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    form = PhotoForm
    list_display = [thumbnail, "caption", "credit_line_display", "width", "height", "created_at"]
    list_display_links = [thumbnail, "caption"]
    list_filter = ["credit_action", "created_at"]
    search_fields = ["caption", "alt_text", "credits__contributor__name"]
    readonly_fields = [thumbnail, "width", "height"]
    fields = ["image", thumbnail, ("width", "height"), "caption", "alt_text", "credit_action"]
    inlines = [PhotoCreditInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("credits__contributor")

    @admin.display(description="署名")
    def credit_line_display(self, photo):
        return photo.credit_line
