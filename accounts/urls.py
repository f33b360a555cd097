"""Signing in, under /admin/ and ahead of the admin's own URLs (newsroom/urls.py): its
log-in page, the two-factor pages (passkeys included, in django-otp-webauthn's namespace)
and password reset."""

from django.urls import include, path

from . import passkeys, passwords, views

sign_in = [
    path("login/", views.AdminLoginView.as_view(), name="login"),
    path("two-factor/", views.TwoFactorView.as_view(), name="two_factor"),
    path("two-factor/verify/", views.VerifyView.as_view(), name="verify"),
    path("two-factor/authenticator/", views.AuthenticatorView.as_view(), name="authenticator"),
    path(
        "two-factor/authenticator/remove/",
        views.RemoveDeviceView.as_view(),
        {"kind": "authenticator"},
        name="remove_authenticator",
    ),
    path(
        "two-factor/passkey/<int:pk>/remove/",
        views.RemoveDeviceView.as_view(),
        {"kind": "passkey"},
        name="remove_passkey",
    ),
    path("two-factor/backup-codes/", views.BackupCodesView.as_view(), name="backup_codes"),
    path("password-reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", passwords.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", passwords.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
]

urlpatterns = [
    path("", include((sign_in, "accounts"))),
    # Under two-factor/: the middleware lets a half-signed-in user reach them.
    path("two-factor/passkeys/", include((passkeys.urlpatterns, "otp_webauthn"))),
]
