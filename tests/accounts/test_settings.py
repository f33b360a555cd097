"""Settings of signing in read from the environment (newsroom/settings/accounts.py)."""

import importlib

import pytest

from newsroom.settings import accounts as accounts_settings
from newsroom.settings import base as base_settings
from newsroom.settings.accounts import passkey_origin

from .conftest import log_in


@pytest.fixture
def reread(monkeypatch):
    """The settings module read again under the environment a test sets."""

    def read(**environment):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        importlib.reload(base_settings)  # DEBUG and SITE_URL come from there
        return importlib.reload(accounts_settings)

    yield read
    monkeypatch.undo()
    importlib.reload(base_settings)
    importlib.reload(accounts_settings)


def test_a_session_lasts_a_working_day_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60


@pytest.mark.django_db
def test_the_session_cookie_expires_after_the_configured_age(client, editor):
    log_in(client, "editor")

    assert client.cookies["sessionid"]["max-age"] == 10 * 60 * 60


def test_session_and_mail_come_from_the_environment(reread):
    configured = reread(
        SESSION_MAX_AGE_HOURS="8.5",
        EMAIL_URL="smtp+tls://desk%40news.example.cn:secret@smtp.exmail.qq.com:587",
        DEFAULT_FROM_EMAIL="专题编辑后台 <desk@news.example.cn>",
        TWO_FACTOR_REQUIRED_FOR="superusers,值班主任,编辑",
    )

    assert configured.SESSION_COOKIE_AGE == 8.5 * 60 * 60
    assert configured.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    assert (configured.EMAIL_HOST, configured.EMAIL_PORT, configured.EMAIL_USE_TLS) == (
        "smtp.exmail.qq.com",
        587,
        True,
    )
    assert configured.EMAIL_HOST_USER == "desk@news.example.cn"
    assert configured.DEFAULT_FROM_EMAIL == "专题编辑后台 <desk@news.example.cn>"
    assert configured.TWO_FACTOR_REQUIRED_FOR == ["superusers", "值班主任", "编辑"]


def test_mail_goes_to_the_console_locally_and_to_the_hosts_server_in_production(reread):
    assert reread(DEBUG="true").EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    production = reread(DEBUG="false")
    assert production.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    assert (production.EMAIL_HOST, production.EMAIL_PORT) == ("localhost", 25)


@pytest.mark.parametrize(
    ("site_url", "origin"),
    [
        ("http://127.0.0.1:8000", "http://localhost:8000"),
        ("http://[::1]:8000", "http://localhost:8000"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("https://cms.news.example.cn", "https://cms.news.example.cn"),
        ("https://cms.news.example.cn:8443", "https://cms.news.example.cn:8443"),
        # Plain HTTP elsewhere: no browser would make a passkey there.
        ("http://10.0.0.5:8000", "http://localhost:8000"),
    ],
)
def test_passkeys_belong_to_the_admins_host(site_url, origin):
    assert passkey_origin(site_url) == origin


def test_the_relying_party_follows_the_configured_origin(reread):
    configured = reread(WEBAUTHN_ORIGINS="https://cms.news.example.cn")

    assert configured.OTP_WEBAUTHN_RP_ID == "cms.news.example.cn"
    assert configured.OTP_WEBAUTHN_ALLOWED_ORIGINS == ["https://cms.news.example.cn"]
    assert configured.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is False


def test_a_settings_change_that_drops_the_second_factor_is_an_error(settings):
    from accounts.checks import check_second_factor_middleware

    gate, otp = "accounts.middleware.SecondFactorMiddleware", "django_otp.middleware.OTPMiddleware"
    installed = list(settings.MIDDLEWARE)
    swapped = [gate if name == otp else otp if name == gate else name for name in installed]

    assert check_second_factor_middleware(None) == []
    settings.MIDDLEWARE = [name for name in installed if name != gate]
    assert [error.id for error in check_second_factor_middleware(None)] == ["accounts.E001"]
    settings.MIDDLEWARE = swapped
    assert [error.id for error in check_second_factor_middleware(None)] == ["accounts.E001"]
