"""The forms of signing in: a second-factor code, and the password-reset request."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache


class CodeForm(forms.Form):
    """A code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label="验证码",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off", "size": 12}
        ),
    )


class AuthenticatorCodeForm(CodeForm):
    """The first code the new authenticator app shows, which proves it has the key."""

    code = forms.CharField(
        label="应用显示的 6 位验证码",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )


class StaffPasswordResetForm(PasswordResetForm):
    """Django's own reset form, for staff accounts only. Any other address gets the same
    answer and no mail, so the page tells nobody which addresses have accounts."""

    email = forms.EmailField(
        label="电子邮箱",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        # One mail per account per interval, however often someone sends the form: the form is
        # open to anyone, the inbox is a colleague's.
        if cache.add(
            f"accounts:reset-mail:{context['user'].pk}", True, settings.PASSWORD_RESET_MAIL_INTERVAL
        ):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, **kwargs
            )
