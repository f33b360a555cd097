"""Password reset by e-mail for staff: Django's own views, with the admin's look and
Chinese pages and mail. A new password does not get past the second factor."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from .forms import StaffPasswordResetForm


class AdminPage:
    def get_context_data(self, **kwargs):
        context = {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}
        return {**context, "is_nav_sidebar_enabled": False}


class PasswordResetView(AdminPage, auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    title = "找回密码"

    def form_valid(self, form):
        self.extra_email_context = {
            "site_header": admin.site.site_header,
            "valid_for": duration_in_words(settings.PASSWORD_RESET_TIMEOUT),
        }
        return super().form_valid(form)


class PasswordResetDoneView(AdminPage, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    title = "邮件已发出"


class PasswordResetConfirmView(AdminPage, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    title = "设置新密码"

    def form_valid(self, form):
        response = super().form_valid(form)
        # The mailbox proved who this is: a lock-out from someone guessing at the account
        # (django-axes) no longer keeps its owner out.
        AxesProxyHandler.reset_attempts(username=form.user.get_username())
        return response


class PasswordResetCompleteView(AdminPage, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    title = "密码已重设"


def duration_in_words(seconds: int) -> str:
    minutes = seconds // 60
    if minutes % 60 == 0:
        return f"{minutes // 60} 小时"
    return f"{minutes} 分钟"
