"""Publishing from the admin: an issue's 发布 and 撤回 pages (buttons on its change page), the
change list's actions, and an article's 撤回 and 重新发布 buttons.

Only the duty chief publishes (`publishing.may_publish`); the publishing services check it
again, decide and record, and the pages show their refusals where the editor typed.
"""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from articles.delivery.listener import announcements
from articles.desk.admin import beijing
from articles.exceptions import refusal_reasons
from articles.publications import checks as publish_checks
from articles.publications import publishing
from articles.publications.admin_record import issue_state, working_copy_once
from articles.workflow import UNFINISHED
from media.validators import LONG_PLAIN_TEXT


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


class IssuePublishingAdminMixin:
    """For IssueAdmin: `<id>/publish/`, `<id>/withdraw/`, their buttons, and the actions
    `publish_selected` and `withdraw_selected` (listed in the admin's `actions`)."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/publish/", wrap(self.publish_view), name="articles_issue_publish"),
            path("<path:object_id>/withdraw/", wrap(self.withdraw_view), name="articles_issue_withdraw"),
            *super().get_urls(),
        ]

    def has_publish_permission(self, request):
        return publishing.may_publish(request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_publish"] = obj is not None and self.has_publish_permission(request)
        context["issue_state"] = issue_state(obj) if obj else ""
        return super().render_change_form(request, context, add, change, form_url, obj)

    def publish_view(self, request, object_id):
        issue = self._publishable_issue(request, object_id)
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
                return self._back_to_issue(issue)
        return self._publishing_page(
            request,
            issue,
            form,
            "publish.html",
            title=f"发布专题：{issue}",
            problems=publish_checks.issue_problems(issue, rendering=working_copy_once(issue)),
            pending=publish_checks.pending_changes(issue, rendering=working_copy_once(issue)),
        )

    def withdraw_view(self, request, object_id):
        issue = self._publishable_issue(request, object_id)
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
                return self._back_to_issue(issue)
        return self._publishing_page(request, issue, form, "withdraw.html", title=f"撤回专题：{issue}")

    def _publishable_issue(self, request, object_id):
        # The admin's own lookup: a malformed id in the path is "no such issue", not a 500.
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("没有这个专题。")
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return issue

    def _publishing_page(self, request, issue, form, template: str, **extra):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": issue,
            "form": form,
            **extra,
        }
        return TemplateResponse(request, f"admin/articles/issue/{template}", context)

    def _back_to_issue(self, issue):
        return HttpResponseRedirect(reverse("admin:articles_issue_change", args=[issue.pk]))

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
                    reasons = refusal_reasons(error)
                    self.message_user(request, f"“{issue}”未能处理：{'；'.join(reasons)}", messages.ERROR)
                else:
                    done += 1
        if done:
            self.message_user(request, done_message % done, messages.SUCCESS)
        if announced.late:
            self.message_user(request, announced.late, messages.WARNING)


class ArticlePublishedStepsAdminMixin:
    """For ArticleAdmin, before the desk's `ArticleStepsAdminMixin`: the two steps that
    change what readers see, carried out by the publishing services."""

    def take_step(self, article, name: str, *, user, note: str = "") -> None:
        if name == "withdraw":
            publishing.withdraw_article(article, user=user, note=note)
        elif name == "republish":
            publishing.republish_article(article, user=user, note=note)
        else:
            super().take_step(article, name, user=user, note=note)
