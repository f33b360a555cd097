"""Signing in, in a real browser (headless Chromium, as tests/admin/test_browser.py): the
duty chief enrols an authenticator at the first log-in; an editor registers a passkey and
signs in with it. Every page under the Content-Security-Policy, no inline script."""

import os
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import services

from .devices import code_for

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(
    os.environ.get("BROWSER_ARTIFACTS", Path(__file__).resolve().parents[2] / "var/artifacts/browser")
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


@pytest.fixture
def browser(monkeypatch, live_server):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1100, "height": 800}, locale="zh-CN")
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"JS error: {error}"))
        page.on(
            "console",
            lambda message: (
                page.problems.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        page.base = live_server.url
        yield page
        chromium.close()
        connections.close_all()


def log_in(page, username: str) -> None:
    page.goto(f"{page.base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("input[type=submit]")


def test_the_chief_enrols_an_authenticator_at_the_first_log_in(browser, chief):
    log_in(browser, "chief")

    assert "/admin/two-factor/authenticator/" in browser.url
    qr_width = browser.locator(".qr-code img").evaluate("image => image.naturalWidth")
    assert qr_width > 100
    browser.screenshot(path=str(ARTIFACTS / "sign-in-1-enrol.png"), full_page=True)
    browser.fill("#id_code", code_for(TOTPDevice.objects.get(user=chief)))
    browser.click("input[type=submit]")
    assert browser.locator(".backup-codes li").count() == 10
    browser.screenshot(path=str(ARTIFACTS / "sign-in-2-backup-codes.png"), full_page=True)
    browser.click("text=我已保存，继续")
    assert browser.url == f"{browser.base}/admin/"
    assert "两步验证" in browser.locator("#user-tools").inner_text()
    assert browser.problems == []


def test_an_editor_registers_a_passkey_and_signs_in_with_it(browser, editor, settings, live_server):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]  # http://localhost:<port>
    cdp = browser.context.new_cdp_session(browser)
    cdp.send("WebAuthn.enable")
    options = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True}
    options |= {"hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    log_in(browser, "editor")
    browser.goto(f"{browser.base}/admin/two-factor/")

    with browser.expect_navigation():
        browser.click("#passkey-register-button")
    assert WebAuthnCredential.objects.filter(user=editor, confirmed=True).count() == 1
    assert "通行密钥（添加于" in browser.locator(".passkeys").inner_text()
    browser.click("#logout-form button")
    log_in(browser, "editor")
    assert "/admin/two-factor/verify/" in browser.url
    browser.screenshot(path=str(ARTIFACTS / "sign-in-3-passkey.png"), full_page=True)
    with browser.expect_navigation():
        browser.click("#passkey-verification-button")

    assert browser.url == f"{browser.base}/admin/"
    assert services.is_enrolled(editor)
    assert browser.problems == []
