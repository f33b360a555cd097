"""The article page under the workflow's rules: who may change or delete it, and its
workflow buttons (提交, 通过, 退回, and the publications' 撤回 and 重新发布).

A button is taken by `ArticleStepsAdminMixin.take_step`; withdrawing and republishing change
what readers see, so the publications' mixin (`articles.publications.admin_pages`) takes
those two, and the desk, which sits below the publications, never names their services.
"""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from articles.delivery.listener import announcements
from articles.desk import transitions as workflow
from articles.desk.revisions import saved_revision
from articles.exceptions import refusal_reasons
from articles.models import Article, Byline, Correction
from articles.workflow import ARTICLE_PAGE_TRANSITIONS, ARTICLE_TRANSITIONS
from newsroom.versioning import SaveRefused

# Steps whose page field takes a note (required for those the table says).
NOTED_STEPS = ("send_back", "withdraw", "republish")

# The steps the desk's own service takes; the others are the publications'.
DESK_STEPS = ("submit", "approve", "send_back")


def requested_step(request) -> str | None:
    """The workflow button a change form was posted with (`transition-<name>`), if any."""
    if request.method != "POST":
        return None
    for key in request.POST:
        name = key.removeprefix("transition-")
        if name != key and name in ARTICLE_PAGE_TRANSITIONS:
            return name
    return None


class ArticleDeskAdminMixin:
    """What the workflow allows on an article's page, and who wrote its corrections."""

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

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Once published it stays in its issue (Article.refuse_move): shown, not offered.
        if obj is not None and obj.publications.exists():
            return [*fields, "issue"]
        return fields

    def save_formset(self, request, form, formset, change):
        # Saved here, not by super(): a new correction must name its author before it is written.
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


class ArticleStepsAdminMixin:
    """The workflow buttons: `<id>/transition/<name>/`, and the buttons of the change form."""

    def take_step(self, article: Article, name: str, *, user, note: str = "") -> None:
        """The article page's workflow steps, by name, carried out by their services."""
        if name in DESK_STEPS:
            workflow.move(article, name, user=user, note=note)
        else:
            raise ValidationError("未知的操作。")

    def get_urls(self):
        view = self.admin_site.admin_view(self.transition_view)
        route = path("<path:object_id>/transition/<str:name>/", view, name="articles_article_transition")
        return [route, *super().get_urls()]

    def transition_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        # The admin's own lookup: a malformed id in the path is "no such article", not a 500.
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("没有这篇稿件。")
        note = request.POST.get("note", "")
        try:
            with announcements() as announced, saved_revision(request.user, f"流程：{name}"):
                self.take_step(article, name, user=request.user, note=note)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, "；".join(refusal_reasons(error)), messages.ERROR)
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
            self.take_step(form.instance, step, user=request.user, note=request.POST.get(f"note_{step}", ""))
        except (ValidationError, PermissionDenied) as error:
            raise SaveRefused(
                [f"未能{transition.label}，本页的修改也没有保存：{r}" for r in refusal_reasons(error)]
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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
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
