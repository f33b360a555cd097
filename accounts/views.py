"""The admin's log-in and the second factor: taking it, enrolling, backup codes, the
"两步验证" page. Thin: the rules are in services, the gate in the middleware."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView, View
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from . import services
from .forms import AuthenticatorCodeForm, CodeForm

FRESH_BACKUP_CODES = "accounts.fresh_backup_codes"


class AdminLoginView(LoginView):
    """The admin's log-in: Django's own form (AdminAuthenticationForm, counted by django-axes),
    then the second factor for an account that owes it."""

    authentication_form = AdminAuthenticationForm
    template_name = "accounts/login.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.is_verified() and services.owes_second_factor(user):
            return second_factor_redirect(user, self.get_success_url())
        if request.method == "GET" and admin.site.has_permission(request):
            return HttpResponseRedirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        # Logging in again as the same person keeps the session's second factor.
        if DEVICE_ID_SESSION_KEY not in self.request.session and services.owes_second_factor(user):
            return second_factor_redirect(user, response.url)
        return response

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            "title": "登录",
            "subtitle": None,
            "app_path": self.request.get_full_path(),
            "username": self.request.user.get_username(),
            **super().get_context_data(**kwargs),
        }


def second_factor_redirect(user, next_url: str) -> HttpResponseRedirect:
    """To the code page when the account has a second factor, else to enrolling one."""
    page = "accounts:verify" if services.is_enrolled(user) else "accounts:authenticator"
    return HttpResponseRedirect(f"{reverse(page)}?{urlencode({'next': next_url})}")


class TwoFactorPage:
    """A page of the two-factor flow: for a staff account that typed its password; one that
    owes its second factor sees only what it may do before (`open_before_verifying`)."""

    open_before_verifying = False
    title = "两步验证"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        self.verified = user.is_verified()
        self.enrolled = services.is_enrolled(user)
        if self.enrolled and not self.verified and not self.open_before_verifying:
            return HttpResponseRedirect(
                f"{reverse('accounts:verify')}?{urlencode({'next': self.next_url()})}"
            )
        return super().dispatch(request, *args, **kwargs)

    def next_url(self) -> str:
        wanted = self.request.POST.get("next") or self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(wanted, {self.request.get_host()}, self.request.is_secure()):
            return wanted
        return reverse("admin:index")

    def signed_in(self) -> bool:
        return self.verified or not services.owes_second_factor(self.request.user)

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            # The admin's menus only once the person is fully signed in.
            "has_permission": self.signed_in(),
            "is_nav_sidebar_enabled": False,
            "title": self.title,
            "next": self.next_url(),
            "required": services.second_factor_required(self.request.user),
            **super().get_context_data(**kwargs),
        }


class VerifyView(TwoFactorPage, FormView):
    """The second step of the log-in: a code from the app, a backup code, or a passkey.
    Wrong codes are held back by django-otp (1, 2, 4 … seconds between tries) and counted by
    django-axes like wrong passwords: past AXES_FAILURE_LIMIT the account is locked out."""

    open_before_verifying = True
    form_class = CodeForm
    template_name = "accounts/verify.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and user.is_verified():
            return HttpResponseRedirect(self.next_url())
        if user.is_authenticated and not services.is_enrolled(user):
            return second_factor_redirect(user, self.next_url())
        if user.is_authenticated and AxesProxyHandler.is_locked(request, self.credentials()):
            return self.locked_out()
        return super().dispatch(request, *args, **kwargs)

    def credentials(self) -> dict:
        return {"username": self.request.user.get_username()}

    def locked_out(self):
        credentials = self.credentials()
        logout(self.request)
        return get_lockout_response(self.request, None, credentials)

    def form_valid(self, form):
        user = self.request.user
        try:
            device = services.verify_code(user, form.cleaned_data["code"])
        except services.SecondFactorThrottled as throttled:
            form.add_error("code", f"验证码错误次数过多，请 {throttled.seconds} 秒后再试。")
            return self.form_invalid(form)
        if device is None:
            user_login_failed.send(sender=__name__, credentials=self.credentials(), request=self.request)
            if getattr(self.request, "axes_locked_out", False):
                return self.locked_out()
            form.add_error("code", "验证码不对。请输入应用里当前显示的 6 位数字，或一个备用码。")
            return self.form_invalid(form)
        otp_login(self.request, device)
        if device.name == services.BACKUP_CODES_NAME:
            left = services.backup_codes_left(user)
            messages.warning(
                self.request, f"已用掉一个备用码，还剩 {left} 个。手机找回前，可在“两步验证”页生成新的一组。"
            )
        return HttpResponseRedirect(self.next_url())

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            has_authenticator=services.authenticator(user) is not None,
            has_passkeys=services.passkeys(user).exists(),
            **kwargs,
        )


class AuthenticatorView(TwoFactorPage, FormView):
    """Enrolling an authenticator app: scan the QR code, type the first code it shows."""

    title = "绑定验证器应用"
    form_class = AuthenticatorCodeForm
    template_name = "accounts/authenticator.html"

    def get(self, request, *args, **kwargs):
        self.device = services.pending_authenticator(request.user) or services.start_authenticator(
            request.user
        )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.device = services.pending_authenticator(request.user)
        if self.device is None:
            return HttpResponseRedirect(request.get_full_path())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            confirmed = services.confirm_authenticator(self.device, form.cleaned_data["code"])
        except services.SecondFactorThrottled as throttled:
            form.add_error("code", f"验证码错误次数过多，请 {throttled.seconds} 秒后再试。")
            return self.form_invalid(form)
        if not confirmed:
            form.add_error("code", "验证码不对。请确认手机时间准确，输入应用里当前显示的 6 位数字。")
            return self.form_invalid(form)
        self.device.refresh_from_db()
        otp_login(self.request, self.device)
        messages.success(self.request, "验证器应用已绑定：以后登录时，输入密码后还要输入应用里的验证码。")
        if services.backup_codes_left(self.request.user) == 0:
            return show_new_backup_codes(self.request, self.next_url())
        return HttpResponseRedirect(self.next_url())

    def get_context_data(self, **kwargs):
        key = b32encode(self.device.bin_key).decode()
        return super().get_context_data(
            qr_code=segno.make(self.device.config_url, error="m").svg_data_uri(scale=5, border=2),
            secret=" ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            replacing=self.enrolled and services.authenticator(self.request.user) is not None,
            **kwargs,
        )


def show_new_backup_codes(request, next_url: str) -> HttpResponseRedirect:
    """New backup codes, shown once on the next page (a reload shows them no more)."""
    request.session[FRESH_BACKUP_CODES] = services.new_backup_codes(request.user)
    return HttpResponseRedirect(f"{reverse('accounts:backup_codes')}?{urlencode({'next': next_url})}")


class BackupCodesView(TwoFactorPage, TemplateView):
    """Backup codes: how many are left, a new set on request, shown once."""

    template_name = "accounts/backup_codes.html"
    title = "备用码"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.is_enrolled(request.user):
            return HttpResponseRedirect(reverse("accounts:two_factor"))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return show_new_backup_codes(request, self.next_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            codes=self.request.session.pop(FRESH_BACKUP_CODES, None),
            left=services.backup_codes_left(self.request.user),
            **kwargs,
        )


class TwoFactorView(TwoFactorPage, TemplateView):
    """ "两步验证": what the account has, adding and removing an app or passkeys."""

    template_name = "accounts/two_factor.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            enrolled=self.enrolled,
            authenticator=services.authenticator(user),
            passkeys=list(services.passkeys(user)),
            backup_codes_left=services.backup_codes_left(user),
            **kwargs,
        )


class RemoveDeviceView(TwoFactorPage, View):
    """Removing the authenticator app or one passkey (URL kwargs: kind, and pk for a passkey)."""

    http_method_names = ["post"]

    def post(self, request, kind: str, pk: int | None = None):
        if kind == "authenticator":
            device = services.authenticator(request.user)
        else:
            device = get_object_or_404(services.passkeys(request.user), pk=pk)
        if device is None:
            raise Http404
        removal = services.remove_device(request.user, device)
        if removal.removed:
            messages.success(request, "已移除。")
        else:
            messages.error(request, removal.reason)
        return redirect("accounts:two_factor")
