import datetime as dt
import json

import reversion
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html

from articles.copydesk.admin import BodyEditorAdminMixin, ImportAdminMixin
from articles.copydesk.forms import same_text
from articles.delivery.listener import announcements
from articles.desk import changes, conflicts
from articles.desk import transitions as workflow
from articles.desk.admin import (
    beijing,
    display_name,
    lines_block,
    parts_moved,
    reading_order_saved,
    transition_table,
)
from articles.desk.admin_revisions import (
    CONTRIBUTOR_HISTORY,
    ISSUE_HISTORY,
    TIMELINE_HISTORY,
    RevisionAdminMixin,
)
from articles.desk.forms import (
    ArticleForm,
    BlockFormSet,
    BodyTextAware,
    IssuePartFormSet,
    SectionFormSet,
    TimelineForm,
    TimelineItemForm,
    TimelineItemFormSet,
)
from articles.desk.revisions import saved_revision
from articles.exchange.admin import ExportAdminMixin
from articles.publications import checks as publish_checks
from articles.publications import publishing
from articles.publications.admin import PreviewAdminMixin
from media.admin import thumbnail
from media.validators import LONG_PLAIN_TEXT
from newsroom.admin.autocomplete import RowAutocompleteInlineMixin
from newsroom.admin.pages import StoredObjectHeadingMixin
from newsroom.admin.versions import VersionedAdminMixin
from newsroom.versioning import SaveRefused

from .models import (
    Article,
    Block,
    Byline,
    Contributor,
    Correction,
    Issue,
    IssuePhoto,
    Publication,
    Section,
    Timeline,
    TimelineItem,
    TransitionRecord,
)
from .workflow import (
    ARTICLE_PAGE_TRANSITIONS,
    ARTICLE_TRANSITIONS,
    ON_RECORD,
    UNFINISHED,
    ArticleStatus,
    IssueStatus,
)


def issue_state(issue: Issue) -> str:
    """The state as the desk says it: 定时发布 until the publication's time comes."""
    if issue.status == IssueStatus.PUBLISHED and issue.published_at and issue.published_at > timezone.now():
        return f"定时发布（{beijing(issue.published_at)} 起可见）"
    return issue.get_status_display()


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


class PublicationInline(admin.TabularInline):
    """What readers were shown, and since when: the issue's publications, newest first."""

    model = Publication
    extra = 0
    can_delete = False
    fields = ["number", "kind", "visible_from", "created_by", "created_at", "note", "show"]
    readonly_fields = fields
    verbose_name_plural = "发布记录（读者看到的每一个版本）"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # whoever sees the issue sees its record

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").order_by("-number")

    @admin.display(description="内容")
    def show(self, publication):
        url = reverse("admin:articles_publication_change", args=[publication.pk])
        return format_html('<a href="{}">查看</a>', url)


class WorkflowAdminMixin(VersionedAdminMixin):
    """Stale-save refusal, version bumps and revisions for admins of edited models, and the
    reading order kept consistent between the issue page and each part's own page."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        reading_order_saved(form, request.user, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        parts_moved(formset, request.user)

    @admin.display(description="流程记录")
    def transition_log(self, obj):
        return transition_table(obj.transitions.select_related("user")[:50]) if obj.pk else "—"


@admin.register(Issue)
class IssueAdmin(
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
    # Explicit, because the annotated queryset below loses Meta.ordering (autocomplete pages).
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
        # Drag-and-drop reading order of the issue's parts (writes the 版序 fields).
        css = {"all": ["articles/copydesk/copydesk.css"]}
        js = ["articles/copydesk/ordering.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("updated_by")
            .annotate(article_total=Count("articles", distinct=True))
        )

    def has_delete_permission(self, request, obj=None):
        # A published issue is part of the record: withdraw it instead.
        if obj is not None and obj.publications.exists():
            return False
        return super().has_delete_permission(request, obj)

    def has_publish_permission(self, request):
        return publishing.may_publish(request.user)

    @admin.display(description="状态", ordering="status")
    def state(self, issue):
        return issue_state(issue)

    @admin.display(description="稿件数", ordering="article_total")
    def article_count(self, issue):
        return issue.article_total

    @admin.display(description="API")
    def api_link(self, issue):
        if not issue.pk:
            return "—"
        url = reverse("v1:issue-detail", kwargs={"slug": issue.slug})
        if issue.status == IssueStatus.DRAFT:
            return "草稿：发布后读者才能通过 API 看到"
        if issue.status == IssueStatus.WITHDRAWN:
            return "已撤回：读者看不到"
        if issue.published_at and issue.published_at > timezone.now():
            return format_html("定时发布，{} 起可见：{}", beijing(issue.published_at), url)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    @staticmethod
    def working_copy(issue: Issue):
        """The issue as a publish now would store it, rendered once per page: the pending
        changes and the publish checks both compare it with what readers have. None while
        nothing was ever published (neither needs it then)."""
        if not hasattr(issue, "_working_copy"):
            issue._working_copy = publish_checks.working_copy(issue) if issue.publications.exists() else None
        return issue._working_copy

    @admin.display(description="未发布的修改")
    def pending_changes(self, issue):
        if not issue.pk:
            return "—"
        lines = publish_checks.pending_changes(issue, rendering=self.working_copy(issue))
        if not lines:
            return "无：读者看到的就是当前内容" if issue.publications.exists() else "尚未发布"
        return format_html(
            "<strong>有未发布的修改</strong>，值班主任发布后读者才能看到：{}", lines_block(lines)
        )

    @admin.display(description="发布前检查")
    def problems(self, issue):
        if not issue.pk:
            return "—"
        found = publish_checks.issue_problems(issue, rendering=self.working_copy(issue))
        return lines_block([f"✗ {p.message}" for p in found]) if found else "✓ 可以发布"

    # Publishing, from the change page (buttons) and the change list (actions)

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="articles_issue_publish",
            ),
            path(
                "<path:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="articles_issue_withdraw",
            ),
        ]
        return own + super().get_urls()

    def publish_view(self, request, object_id):
        issue = get_object_or_404(Issue, pk=object_id)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        unfinished = list(issue.articles.filter(status__in=UNFINISHED).order_by("position"))
        # An empty POST (publish now, nothing held back) is still a submitted form.
        form = PublishForm(request.POST if request.method == "POST" else None, unfinished=unfinished)
        if request.method == "POST" and form.is_valid():
            leave_out = [a.pk for a in unfinished if a.pk in form.cleaned_data["leave_out"]]
            try:
                with announcements() as announced:
                    publication = publishing.publish_issue(
                        issue,
                        user=request.user,
                        at=form.cleaned_data["visible_from"],
                        leave_out=leave_out,
                        note=form.cleaned_data["note"],
                    )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                when = beijing(publication.visible_from)
                self.message_user(
                    request,
                    f"已发布“{issue}”第 {publication.number} 次，{when} 起读者可见。",
                    messages.SUCCESS,
                )
                if announced.late:  # Redis did not answer: the old version may be served a while
                    self.message_user(request, announced.late, messages.WARNING)
                return HttpResponseRedirect(reverse("admin:articles_issue_change", args=[issue.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": issue,
            "title": f"发布专题：{issue}",
            "form": form,
            "problems": publish_checks.issue_problems(issue, rendering=self.working_copy(issue)),
            "pending": publish_checks.pending_changes(issue, rendering=self.working_copy(issue)),
        }
        return TemplateResponse(request, "admin/articles/issue/publish.html", context)

    def withdraw_view(self, request, object_id):
        issue = get_object_or_404(Issue, pk=object_id)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        form = WithdrawForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                with announcements() as announced:
                    publishing.withdraw_issue(issue, user=request.user, note=form.cleaned_data["note"])
            except ValidationError as error:
                # Shown on the page with the note still in its box, not as a passing message.
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if announced.late:  # Redis did not answer: readers may still get it for a while
                    self.message_user(request, f"已撤回“{issue}”。{announced.late}", messages.WARNING)
                else:
                    self.message_user(request, f"已撤回“{issue}”：读者已看不到它。", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:articles_issue_change", args=[issue.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": issue,
            "title": f"撤回专题：{issue}",
            "form": form,
        }
        return TemplateResponse(request, "admin/articles/issue/withdraw.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_publish"] = obj is not None and self.has_publish_permission(request)
        context["issue_state"] = issue_state(obj) if obj else ""
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description="发布所选专题（已审稿件及已发布稿件的修改）", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._apply(request, queryset, publishing.publish_issue, "已发布 %d 个专题。")

    @admin.action(description="撤回所选专题", permissions=["publish"])
    def withdraw_selected(self, request, queryset):
        self._apply(request, queryset, publishing.withdraw_issue, "已撤回 %d 个专题。")

    def _apply(self, request, queryset, service, done_message):
        done = 0
        with announcements() as announced:
            for issue in queryset:
                try:
                    service(issue, user=request.user)
                except (ValidationError, PermissionDenied) as error:
                    reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
                    self.message_user(request, f"“{issue}”未能处理：{'；'.join(reasons)}", messages.ERROR)
                else:
                    done += 1
        if done:
            self.message_user(request, done_message % done, messages.SUCCESS)
        if announced.late:
            self.message_user(request, announced.late, messages.WARNING)


class PublishForm(forms.Form):
    visible_from = forms.DateTimeField(
        label="读者可见时间（北京时间）",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="留空即立即发布；填将来的时间即定时发布（禁发时间之前读者看不到）。",
    )
    leave_out = forms.TypedMultipleChoiceField(
        label="本次不发布的稿件",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="仍是草稿或待审的稿件须勾选，留待下次发布。",
    )
    note = forms.CharField(
        label="说明",
        required=False,
        validators=LONG_PLAIN_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, unfinished=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_out"].choices = [
            (a.pk, f"{a.headline}（{a.get_status_display()}）") for a in unfinished
        ]

    def clean_visible_from(self):
        value = self.cleaned_data["visible_from"]
        if value and value < timezone.now() - dt.timedelta(minutes=1):
            raise ValidationError("读者可见时间不能早于现在。")
        return value


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="撤回原因",
        required=False,
        validators=LONG_PLAIN_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


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


@admin.register(Article)
class ArticleAdmin(
    StoredObjectHeadingMixin, BodyEditorAdminMixin, WorkflowAdminMixin, RevisionAdminMixin, admin.ModelAdmin
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

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("issue", "created_by", "updated_by")
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("contributor")))
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.may_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or workflow.may_delete(request.user, obj))

    def get_fieldsets(self, request, obj=None):
        (name, options), *rest = super().get_fieldsets(request, obj)
        if "opened_state" in options["fields"]:
            return [(name, options), *rest]
        return [(name, {**options, "fields": [*options["fields"], "opened_state"]}), *rest]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Once published it stays in its issue (Article.refuse_move): shown, not offered.
        if obj is not None and obj.publications.exists():
            return [*fields, "issue"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Correction) and instance.created_by_id is None:
                instance.created_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    @admin.display(description="署名")
    def byline_line(self, article):
        return article.byline_line

    @admin.display(description="未发布的修改")
    def pending_changes(self, article):
        if not article.pk or article.status != ArticleStatus.PUBLISHED:
            return "—"
        lines = publish_checks.article_pending_changes(article)
        if not lines:
            return "无：读者看到的就是当前内容"
        return format_html(
            "<strong>有未发布的修改</strong>，值班主任发布专题后读者才能看到：{}", lines_block(lines)
        )

    # Workflow buttons

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="articles_article_transition",
            ),
        ]
        return own + super().get_urls()

    def transition_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = get_object_or_404(Article, pk=object_id)
        note = request.POST.get("note", "")
        try:
            with announcements() as announced, saved_revision(request.user, f"流程：{name}"):
                take_step(article, name, user=request.user, note=note)
        except (ValidationError, PermissionDenied) as error:
            reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
            self.message_user(request, "；".join(reasons), messages.ERROR)
        else:
            article.refresh_from_db()
            self.message_user(request, f"“{article}”现为“{article.get_status_display()}”。", messages.SUCCESS)
            if announced.late:  # a withdrawal or republication Redis was not told of
                self.message_user(request, announced.late, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    # A workflow button on the change page is part of its form: one POST saves what is on
    # the page (stale-checked and validated like any save), then takes the step, in one
    # transaction. A refused save takes no step; a refused step undoes the save, and the
    # page comes back with the reason and everything typed still on it.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        step = requested_step(request) if object_id is not None else None
        if step is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        request.workflow_step = step
        with announcements() as announced:
            response = super().changeform_view(request, object_id, form_url, extra_context)
        if announced.late:  # a withdrawal or republication Redis was not told of
            self.message_user(request, announced.late, messages.WARNING)
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        step = getattr(request, "workflow_step", None)
        if step is None or getattr(request, "save_refused", None):
            return
        transition = ARTICLE_TRANSITIONS[step]
        reversion.set_comment(f"保存并{transition.label}")
        try:
            take_step(form.instance, step, user=request.user, note=request.POST.get(f"note_{step}", ""))
        except (ValidationError, PermissionDenied) as error:
            reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise SaveRefused(
                [f"未能{transition.label}，本页的修改也没有保存：{r}" for r in reasons]
            ) from error
        request.workflow_step_done = transition

    def response_change(self, request, obj):
        transition = getattr(request, "workflow_step_done", None)
        if transition is None:
            return super().response_change(request, obj)
        obj.refresh_from_db()
        self.message_user(
            request,
            f"已保存本页的修改并{transition.label}：“{obj}”现为“{obj.get_status_display()}”。",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))

    # Two editors on one article: a stale save names only what conflicts (articles/desk/conflicts.py)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method != "POST" or obj is None:
            return kwargs
        opened = conflicts.posted_state(request.POST)
        if opened is not None and issubclass(inline.formset, BodyTextAware):
            kwargs["opened_rows"] = opened["rows"].get(prefix)
        if conflicts.takes_theirs(request.POST, prefix):
            # "采用同事的版本": the rows are posted back as saved, so the inline changes nothing.
            kwargs["data"] = saved_rows_posted(request.POST, inline.get_formset(request, obj), kwargs)
        return kwargs

    def _body_text_changed(self, request, obj) -> bool:
        opened = conflicts.posted_state(request.POST)
        if opened is None or opened.get("body_text") is None:
            return super()._body_text_changed(request, obj)
        if conflicts.takes_theirs(request.POST, "blocks"):
            return False  # the colleague's body, as re-opened: neither box changes it
        posted = request.POST.get("body_text")
        return posted is not None and not same_text(posted, opened["body_text"])

    def _merge_view(self, request, context, obj) -> None:
        """On a stale save: the page re-opened at the saved version, the colleague's changes
        in, the editor's own carried over, and conflicts side by side for a choice."""
        form = context["adminform"].form
        formsets = {f.formset.prefix: f.formset for f in context["inline_admin_formsets"]}
        opened = conflicts.posted_state(form.data)
        if form.has_error(NON_FIELD_ERRORS, code="stale") and opened is not None:
            current = Article.objects.select_related("updated_by").get(pk=obj.pk)
            merge, state = conflicts.analyse(form, formsets, opened, current)
            data = form.data.copy()
            data.update(merge.data)
            data["opened_version"] = str(current.version)
            data[conflicts.STATE_FIELD] = conflicts.sign(state)
            form.data = data
            form._errors[NON_FIELD_ERRORS] = form.error_class(
                [merge_message(current, merge)], error_class="nonfield"
            )
            fresh = [prefix for prefix in formsets if prefix in merge.fresh_prefixes]
            if fresh:
                self._reopen_inlines(request, context, current, fresh)
            context["merge"] = merge
        elif opened and opened.get("conflicts"):
            context["merge"] = conflicts.Merge(conflicts=conflicts.pending(form, opened))

    def _reopen_inlines(self, request, context, article, prefixes) -> None:
        """These inlines shown as saved now (unbound), the others as posted."""
        shown = []
        for inline_admin_formset in context["inline_admin_formsets"]:
            formset = inline_admin_formset.formset
            if formset.prefix in prefixes:
                inline = inline_admin_formset.opts
                fresh = inline.get_formset(request, article)(
                    instance=article, prefix=formset.prefix, queryset=inline.get_queryset(request)
                )
                shown += self.get_inline_formsets(request, [fresh], [inline], article)
            else:
                shown.append(inline_admin_formset)
        context["inline_admin_formsets"] = shown

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST" and obj is not None and "adminform" in context:
            self._merge_view(request, context, obj)
        transitions = workflow.available_transitions(request.user, obj) if obj else []
        context["transitions"] = transitions
        posted = request.POST if request.method == "POST" else {}
        context["workflow_steps"] = [
            {"transition": t, "asks_note": t.name in NOTED_STEPS, "note": posted.get(f"note_{t.name}", "")}
            for t in transitions
        ]
        step = getattr(request, "workflow_step", None)
        if step in ARTICLE_TRANSITIONS:
            context["workflow_step_not_taken"] = ARTICLE_TRANSITIONS[step]
        return super().render_change_form(request, context, add, change, form_url, obj)


def merge_message(current: Article, merge) -> str:
    who = display_name(current.updated_by)
    parts = [
        f"保存未成功：您打开此页之后，{who} 于 {beijing(current.updated_at)} 保存了这篇稿件"
        f"（现在是第 {current.version} 版）。本页已按新版本重新打开，您填写的内容没有丢失。"
    ]
    if merge.conflicts:
        names = "、".join(f"“{c.label}”" for c in merge.conflicts)
        parts.append(f"您和同事都改了{names}：请在上方的对照中逐项选择保留哪一版，再保存。")
    else:
        parts.append("没有冲突：检查无误后再点一次“保存”即合并。")
    return "".join(parts)


def saved_rows_posted(posted, formset_class, kwargs) -> dict:
    """The POST with one inline's rows replaced by the rows as saved, as its page would post
    them unchanged."""
    formset = formset_class(instance=kwargs["instance"], prefix=kwargs["prefix"], queryset=kwargs["queryset"])
    prefix = formset.prefix + "-"
    data = posted.copy()
    for key in [key for key in data if key.startswith(prefix)]:
        del data[key]
    forms_ = formset.initial_forms
    data[f"{prefix}TOTAL_FORMS"] = data[f"{prefix}INITIAL_FORMS"] = str(len(forms_))
    data[f"{prefix}MIN_NUM_FORMS"], data[f"{prefix}MAX_NUM_FORMS"] = "0", "1000"
    for form in forms_:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


# Steps whose page field takes a note (required for those the table says).
NOTED_STEPS = ("send_back", "withdraw", "republish")


def requested_step(request) -> str | None:
    """The workflow button a change form was posted with (`transition-<name>`), if any."""
    if request.method != "POST":
        return None
    for key in request.POST:
        name = key.removeprefix("transition-")
        if name != key and name in ARTICLE_PAGE_TRANSITIONS:
            return name
    return None


def take_step(article: Article, name: str, *, user, note: str = "") -> None:
    """The article page's workflow steps, by name, carried out by their services."""
    if name == "withdraw":
        publishing.withdraw_article(article, user=user, note=note)
    elif name == "republish":
        publishing.republish_article(article, user=user, note=note)
    elif name in ("submit", "approve", "send_back"):
        workflow.move(article, name, user=user, note=note)
    else:
        raise ValidationError("未知的操作。")


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="内容（读者看到的文字）")
    def content(self, publication):
        if publication.kind == Publication.Kind.WITHDRAWAL:
            return "撤回：自此时起读者看不到该专题。"
        data = json.loads(publication.body)
        lines = changes.issue_lines(data)
        for part in data["parts"]:
            if part["type"] == "article":
                lines += [
                    "",
                    f"——《{part['article']['headline']}》——",
                    *changes.article_lines(part["article"]),
                ]
        return format_html('<div style="white-space:pre-wrap;max-width:60em">{}</div>', "\n".join(lines))


@admin.register(TransitionRecord)
class TransitionRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action_label", "article", "issue", "from_status", "to_status", "note"]
    list_select_related = ["user", "article", "issue"]
    list_filter = ["action", "at"]
    search_fields = ["article__headline", "issue__title", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contributor)
class ContributorAdmin(StoredObjectHeadingMixin, VersionedAdminMixin, RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "disambiguation", "byline_total", "photo_credit_total"]
    list_filter = ["kind"]
    search_fields = ["name", "disambiguation"]
    ordering = ["name", "id"]
    fields = ["name", "kind", "disambiguation", "version_display", "revision_link"]
    readonly_fields = ["version_display", "revision_link"]
    history = CONTRIBUTOR_HISTORY

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

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
    form = TimelineItemForm
    formset = TimelineItemFormSet
    extra = 1
    fields = ["position", "date", "text"]


@admin.register(Timeline)
class TimelineAdmin(StoredObjectHeadingMixin, WorkflowAdminMixin, RevisionAdminMixin, admin.ModelAdmin):
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The form checks the chosen issue against the rights of whoever is saving.
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"desk_user": request.user})

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_total=Count("items"))

    @admin.display(description="条目数", ordering="item_total")
    def item_total(self, timeline):
        return timeline.item_total


# "查看站点" leads to something an editor can use: the newest issue as readers will see it.
admin.site.site_url = reverse_lazy("admin:articles_issue_newest")
