"""The parts edited on an issue's, an article's and a timeline's page: reading order, bylines,
testimony sections, body blocks, corrections and timeline items.

An article's rows follow the workflow: editable exactly when the article is. The issue page
only orders its parts; each part is edited on its own page, under its own rules.
"""

from django import forms
from django.contrib import admin
from django.db import models

from articles.desk import transitions as workflow
from articles.desk.forms import (
    BlockFormSet,
    IssuePartFormSet,
    SectionFormSet,
    TimelineItemForm,
    TimelineItemFormSet,
)
from articles.models import (
    Article,
    Block,
    Byline,
    Correction,
    IssuePhoto,
    Section,
    Timeline,
    TimelineItem,
)
from articles.workflow import ON_RECORD
from media.admin import thumbnail
from newsroom.admin.autocomplete import RowAutocompleteInlineMixin

# The issue page


class ArticleInline(admin.TabularInline):
    """The issue's articles in reading order; each article is edited on its own page, under
    the workflow's rules, so only the position is changed here."""

    model = Article
    formset = IssuePartFormSet
    extra = 0
    fields = ["position", "headline", "kind", "status"]
    readonly_fields = ["headline", "kind", "status"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class IssuePhotoInline(RowAutocompleteInlineMixin, admin.TabularInline):
    model = IssuePhoto
    formset = IssuePartFormSet
    extra = 0
    fields = ["position", "photo", "preview"]
    readonly_fields = ["preview"]
    autocomplete_fields = ["photo"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("photo")

    @admin.display(description="预览")
    def preview(self, placement):
        return thumbnail(placement.photo) if placement.photo_id else "—"


class TimelineInline(admin.TabularInline):
    model = Timeline
    formset = IssuePartFormSet
    extra = 0
    fields = ["position", "title"]
    show_change_link = True


# The article page


class ArticleRowPermissions:
    """An article's inline rows are editable exactly when the article is (workflow rules)."""

    def _editable(self, request, obj):
        return obj is None or workflow.may_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


class BylineInline(RowAutocompleteInlineMixin, admin.TabularInline):
    model = Byline
    fk_name = "article"
    extra = 1
    fields = ["position", "contributor", "role", "organisation"]
    autocomplete_fields = ["contributor"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contributor")


class ArticleBylineInline(ArticleRowPermissions, BylineInline):
    pass


class SectionInline(ArticleRowPermissions, admin.StackedInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = [("speaker_title", "speaker_name"), "headline"]
    verbose_name = "讲述段落"
    verbose_name_plural = "讲述段落（先在这里添加讲述人，再在下方正文块中选择“所属讲述”）"


class BlockInline(ArticleRowPermissions, RowAutocompleteInlineMixin, admin.StackedInline):
    model = Block
    formset = BlockFormSet
    extra = 1
    fields = [("position", "kind", "section"), "text", ("photo", "url")]
    autocomplete_fields = ["photo"]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        # A long body stays scannable: four lines a paragraph, the box grows when dragged.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 90})},
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("photo", "section")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "section":
            article_id = request.resolver_match.kwargs.get("object_id")
            field.queryset = (
                Section.objects.filter(article_id=article_id) if article_id else Section.objects.none()
            )
            # Listed once for the whole inline, not once per block (no N+1 on long bodies).
            field.choices = list(field.choices)
        return field


class CorrectionInline(admin.StackedInline):
    """更正: added by the duty chief when a published article's text changes; once written
    it is part of the record, so rows are never edited or deleted here."""

    model = Correction
    extra = 0
    fields = ["text", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return (
            obj is not None
            and obj.status in ON_RECORD
            and workflow.may_edit(request.user, obj)
            and super().has_add_permission(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


# The timeline page


class TimelineBylineInline(BylineInline):
    fk_name = "timeline"
    verbose_name = "编者署名"
    verbose_name_plural = "编者署名（如“本报记者 沈吟 整理”）"


class TimelineItemInline(admin.TabularInline):
    model = TimelineItem
    form = TimelineItemForm
    formset = TimelineItemFormSet
    extra = 1
    fields = ["position", "date", "text"]
