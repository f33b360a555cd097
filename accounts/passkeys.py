"""Passkeys through django-otp-webauthn: its own views and scripts, under the two-factor
pages (so a half-signed-in user reaches them, accounts/middleware.py), with its browser-side
messages in Chinese (the package has no Chinese catalog)."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

TEXTS = {
    "Register a Passkey": "注册通行密钥",
    "Registering...": "正在注册……",
    "Finishing registration...": "正在完成注册……",
    "Registration successful!": "通行密钥已注册。",
    "Registration aborted.": "注册已取消。",
    "Registration aborted or not allowed.": "注册已取消或未获浏览器允许。",
    "An error occurred during registration.": "注册时出错。",
    "Registration failed. A server error occurred.": "注册失败：服务器出错。",
    "Registration failed. An unknown error occurred.": "注册失败：未知错误。",
    "Registration failed. The server was unable to verify this passkey.": "注册失败：服务器无法核验这个通行密钥。",
    "Registration failed. Unable to fetch registration options from server.": "注册失败：无法从服务器取得注册参数。",
    "Registration failed. You most likely already have a Passkey registered for this site.": (
        "注册失败：这台设备上很可能已有本站的通行密钥。"
    ),
    "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.": (
        "注册失败：技术原因，无法在本站注册通行密钥（网址须为 https，本机试用请用 http://localhost）。"
    ),
    "Verify with Passkey": "用通行密钥验证",
    "Verifying...": "正在验证……",
    "Finishing verification...": "正在完成验证……",
    "Verification successful!": "验证通过。",
    "Verification aborted.": "验证已取消。",
    "Verification canceled or not allowed.": "验证已取消或未获浏览器允许。",
    "An error occurred during verification.": "验证时出错。",
    "Verification failed. A server error occurred.": "验证失败：服务器出错。",
    "Verification failed. An unknown error occurred.": "验证失败：未知错误。",
    "Verification failed. An unknown server error occurred.": "验证失败：服务器出现未知错误。",
    "Verification failed. Could not retrieve parameters from the server.": "验证失败：无法从服务器取得验证参数。",
}


class PasskeyTexts(JavaScriptCatalog):
    """The package's scripts ask `gettext()` for their messages: these are the answers."""

    packages = ["django_otp_webauthn"]

    def get_catalog(self):
        return dict(TEXTS)


# The names and namespace (otp_webauthn) are the package's: its template tags reverse them.
urlpatterns = [
    path(
        "registration/begin/", BeginCredentialRegistrationView.as_view(), name="credential-registration-begin"
    ),
    path(
        "registration/complete/",
        CompleteCredentialRegistrationView.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        CompleteCredentialAuthenticationView.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", PasskeyTexts.as_view(), name="js-i18n-catalog"),
]
