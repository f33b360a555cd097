from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from media.admin import thumbnail
from newsroom.admin_autocomplete import RowAutocompleteInlineMixin

from .forms import BlockFormSet
from .models import Article, Block, Byline, Contributor, Issue, IssuePhoto, Section, Timeline, TimelineItem
from .querysets import PublicationStatus
from .services.publishing import publish_issue, unpublish_issue


class ArticleInline(admin.TabularInline):
    model = Article
    extra = 0
    fields = ["position", "kicker", "headline", "kind", "status"]
    show_change_link = True


class IssuePhotoInline(RowAutocompleteInlineMixin, admin.TabularInline):
    model = IssuePhoto
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
    extra = 0
    fields = ["position", "title"]
    show_change_link = True


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["title", "issue_date", "status", "published_at", "article_count", "api_link"]
    list_filter = ["status", "issue_date"]
    search_fields = ["title", "slug", "articles__headline"]
    date_hierarchy = "issue_date"
    # Explicit, because the annotated queryset below loses Meta.ordering (autocomplete pages).
    ordering = ["-issue_date", "-id"]
    readonly_fields = ["api_link", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "issue_date", "description"]}),
        ("发布", {"fields": ["status", "published_at", "api_link"]}),
        ("记录", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [ArticleInline, IssuePhotoInline, TimelineInline]
    actions = ["publish_selected", "unpublish_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles", distinct=True))

    @admin.display(description="稿件数", ordering="article_total")
    def article_count(self, issue):
        return issue.article_total

    @admin.display(description="API")
    def api_link(self, issue):
        if not issue.pk:
            return "—"
        url = reverse("v1:issue-detail", kwargs={"slug": issue.slug})
        if issue.status != PublicationStatus.PUBLISHED:
            return "草稿：发布后读者才能通过 API 看到"
        if issue.published_at and issue.published_at > timezone.now():
            return format_html('定时发布，{} 后可见：<a href="{}">{}</a>', issue.published_at, url, url)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    @admin.action(description="发布所选专题（连同其稿件）")
    def publish_selected(self, request, queryset):
        self._apply(request, queryset, publish_issue, "已发布 %d 个专题。")

    @admin.action(description="撤回所选专题为草稿")
    def unpublish_selected(self, request, queryset):
        self._apply(request, queryset, unpublish_issue, "已撤回 %d 个专题。")

    def _apply(self, request, queryset, service, done_message):
        done = 0
        for issue in queryset:
            try:
                service(issue)
            except ValidationError as error:
                self.message_user(request, f"“{issue}”未能处理：{'；'.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % done, messages.SUCCESS)


class BylineInline(RowAutocompleteInlineMixin, admin.TabularInline):
    model = Byline
    fk_name = "article"
    extra = 1
    fields = ["position", "contributor", "role", "organisation"]
    autocomplete_fields = ["contributor"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contributor")


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = [("speaker_title", "speaker_name"), "headline"]
    verbose_name = "讲述段落"
    verbose_name_plural = "讲述段落（先在这里添加讲述人，再在下方正文块中选择“所属讲述”）"


class BlockInline(RowAutocompleteInlineMixin, admin.StackedInline):
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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "issue", "position", "kind", "status", "byline_line", "updated_at"]
    list_select_related = ["issue"]
    list_filter = ["status", "kind", "issue"]
    search_fields = ["headline", "kicker", "subheadline", "bylines__contributor__name"]
    autocomplete_fields = ["issue"]
    fieldsets = [
        (None, {"fields": ["issue", "position", "kicker", "headline", "subheadline"]}),
        ("属性", {"fields": ["kind", "status", "slug"]}),
    ]
    inlines = [BylineInline, SectionInline, BlockInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("contributor")))
        )

    @admin.display(description="署名")
    def byline_line(self, article):
        return article.byline_line


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "disambiguation", "byline_total", "photo_credit_total"]
    list_filter = ["kind"]
    search_fields = ["name", "disambiguation"]
    ordering = ["name", "id"]

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


class TimelineBylineInline(BylineInline):
    fk_name = "timeline"
    verbose_name = "编者署名"
    verbose_name_plural = "编者署名（如“本报记者 沈吟 整理”）"


class TimelineItemInline(admin.TabularInline):
    model = TimelineItem
    extra = 1
    fields = ["position", "date", "date_precision", "text"]


@admin.register(Timeline)
class TimelineAdmin(admin.ModelAdmin):
    list_display = ["title", "issue", "position", "item_total"]
    list_select_related = ["issue"]
    search_fields = ["title", "items__text"]
    autocomplete_fields = ["issue"]
    fields = ["issue", "position", "title", "credit_action"]
    inlines = [TimelineBylineInline, TimelineItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_total=Count("items"))

    @admin.display(description="条目数", ordering="item_total")
    def item_total(self, timeline):
        return timeline.item_total
