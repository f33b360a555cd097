"""The articles admin: which page each model gets, and what each page shows.

Declarations only. The behaviour is its feature package's, composed here as mixins: the
desk's workflow rules, buttons, merging and inlines (`articles.desk`), publishing and what
readers see (`articles.publications`), importing and the body editor (`articles.copydesk`),
export (`articles.exchange`). The first mixins listed come first: an admin's own page
methods run before the shared plumbing they call through super().
"""

from django.contrib import admin
from django.urls import reverse_lazy

from articles.copydesk.admin import BodyEditorAdminMixin, ImportAdminMixin
from articles.desk.admin import (
    ContributorUseAdminMixin,
    CreatedByAdminMixin,
    IssueContentsAdminMixin,
    TimelineDeskAdminMixin,
    WorkflowAdminMixin,
)
from articles.desk.admin_revisions import (
    CONTRIBUTOR_HISTORY,
    ISSUE_HISTORY,
    TIMELINE_HISTORY,
    RevisionAdminMixin,
)
from articles.desk.article_admin import ArticleDeskAdminMixin, ArticleStepsAdminMixin
from articles.desk.forms import ArticleForm, TimelineForm
from articles.desk.inlines import (
    ArticleBylineInline,
    ArticleInline,
    BlockInline,
    CorrectionInline,
    IssuePhotoInline,
    SectionInline,
    TimelineBylineInline,
    TimelineInline,
    TimelineItemInline,
)
from articles.desk.merge_admin import ArticleMergeAdminMixin
from articles.exchange.admin import ExportAdminMixin
from articles.publications.admin import PreviewAdminMixin
from articles.publications.admin_pages import ArticlePublishedStepsAdminMixin, IssuePublishingAdminMixin
from articles.publications.admin_record import (
    ArticleReadersAdminMixin,
    IssueReadersAdminMixin,
    PublicationContentAdminMixin,
    PublicationInline,
)
from newsroom.admin.pages import StoredObjectHeadingMixin
from newsroom.admin.records import RecordAdminMixin
from newsroom.admin.versions import VersionedAdminMixin

from .models import Article, Contributor, Issue, Publication, Timeline, TransitionRecord


@admin.register(Issue)
class IssueAdmin(
    IssuePublishingAdminMixin,
    IssueReadersAdminMixin,
    IssueContentsAdminMixin,
    StoredObjectHeadingMixin,
    ImportAdminMixin,
    WorkflowAdminMixin,
    RevisionAdminMixin,
    ExportAdminMixin,
    PreviewAdminMixin,
    admin.ModelAdmin,
):
    history = ISSUE_HISTORY
    list_display = ["title", "issue_date", "state", "published_at", "article_count", "api_link"]
    list_filter = ["status", "issue_date"]
    # Body text too: an editor remembers a village (清泉村) before a headline.
    search_fields = [
        "title",
        "slug",
        "articles__headline",
        "articles__blocks__text",
        "timelines__items__text",
    ]
    date_hierarchy = "issue_date"
    # Explicit, because the annotated queryset (IssueContentsAdminMixin) loses Meta.ordering
    # (autocomplete pages).
    ordering = ["-issue_date", "-id"]
    readonly_fields = [
        "state",
        "published_at",
        "api_link",
        "preview_link",
        "import_link",
        "pending_changes",
        "problems",
        "transition_log",
        "version_display",
        "revision_link",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "issue_date", "description"]}),
        (
            "发布",
            {
                "fields": [
                    "state",
                    "published_at",
                    "api_link",
                    "preview_link",
                    "import_link",
                    "pending_changes",
                    "problems",
                ]
            },
        ),
        ("流程记录", {"fields": ["transition_log"]}),
        (
            "记录",
            {
                "fields": ["version_display", "revision_link", "created_at", "updated_at"],
                "classes": ["collapse"],
            },
        ),
    ]
    inlines = [ArticleInline, IssuePhotoInline, TimelineInline, PublicationInline]
    actions = ["publish_selected", "withdraw_selected"]
    change_form_template = "admin/articles/issue/change_form.html"

    class Media:
        # Drag-and-drop reading order of the issue's parts (writes the 版序 fields); the
        # export job's progress bar.
        css = {"all": ["articles/copydesk/copydesk.css"]}
        js = ["articles/copydesk/ordering.js", "jobs/progress.js"]


@admin.register(Article)
class ArticleAdmin(
    ArticlePublishedStepsAdminMixin,
    ArticleReadersAdminMixin,
    ArticleMergeAdminMixin,
    ArticleStepsAdminMixin,
    ArticleDeskAdminMixin,
    CreatedByAdminMixin,
    StoredObjectHeadingMixin,
    BodyEditorAdminMixin,
    WorkflowAdminMixin,
    RevisionAdminMixin,
    admin.ModelAdmin,
):
    form = ArticleForm
    list_display = ["headline", "issue", "position", "kind", "status", "byline_line", "updated_at"]
    list_select_related = ["issue"]
    list_filter = ["status", "kind", "issue"]
    search_fields = [
        "headline",
        "kicker",
        "subheadline",
        "bylines__contributor__name",
        "blocks__text",
        "sections__speaker_name",
        "sections__headline",
    ]
    autocomplete_fields = ["issue"]
    readonly_fields = [
        "status",
        "created_by",
        "pending_changes",
        "transition_log",
        "version_display",
        "revision_link",
    ]
    fieldsets = [
        (None, {"fields": ["issue", "position", "kicker", "headline", "subheadline"]}),
        ("正文", {"fields": ["body_text"], "classes": ["body-editor-fieldset"]}),
        ("属性", {"fields": ["kind", "slug"]}),
        (
            "流程",
            {
                "fields": [
                    "status",
                    "created_by",
                    "pending_changes",
                    "version_display",
                    "revision_link",
                    "transition_log",
                ]
            },
        ),
    ]
    inlines = [ArticleBylineInline, SectionInline, BlockInline, CorrectionInline]
    change_form_template = "admin/articles/article/change_form.html"


@admin.register(Publication)
class PublicationAdmin(PublicationContentAdminMixin, RecordAdminMixin, admin.ModelAdmin):
    """Read-only: a publication is the record of what readers saw."""

    list_display = ["title", "number", "kind", "visible_from", "created_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["created_by"]
    search_fields = ["title", "slug"]
    fields = [
        "issue",
        "number",
        "kind",
        "visible_from",
        "created_by",
        "created_at",
        "sha256",
        "note",
        "content",
    ]
    readonly_fields = fields


@admin.register(TransitionRecord)
class TransitionRecordAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "action_label", "article", "issue", "from_status", "to_status", "note"]
    list_select_related = ["user", "article", "issue"]
    list_filter = ["action", "at"]
    search_fields = ["article__headline", "issue__title", "note"]


@admin.register(Contributor)
class ContributorAdmin(
    ContributorUseAdminMixin,
    CreatedByAdminMixin,
    StoredObjectHeadingMixin,
    VersionedAdminMixin,
    RevisionAdminMixin,
    admin.ModelAdmin,
):
    list_display = ["name", "kind", "disambiguation", "byline_total", "photo_credit_total"]
    list_filter = ["kind"]
    search_fields = ["name", "disambiguation"]
    ordering = ["name", "id"]
    fields = ["name", "kind", "disambiguation", "version_display", "revision_link"]
    readonly_fields = ["version_display", "revision_link"]
    history = CONTRIBUTOR_HISTORY


@admin.register(Timeline)
class TimelineAdmin(
    TimelineDeskAdminMixin, StoredObjectHeadingMixin, WorkflowAdminMixin, RevisionAdminMixin, admin.ModelAdmin
):
    form = TimelineForm
    list_display = ["title", "issue", "position", "item_total"]
    list_select_related = ["issue"]
    search_fields = ["title", "items__text"]
    autocomplete_fields = ["issue"]
    fields = ["issue", "position", "title", "credit_action", "version_display", "revision_link"]
    readonly_fields = ["version_display", "revision_link"]
    history = TIMELINE_HISTORY
    inlines = [TimelineBylineInline, TimelineItemInline]

    class Media:
        css = {"all": ["articles/copydesk/copydesk.css"]}
        js = ["articles/copydesk/ordering.js"]


# "查看站点" leads to something an editor can use: the newest issue as readers will see it.
admin.site.site_url = reverse_lazy("admin:articles_issue_newest")
