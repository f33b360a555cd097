"""Two-factor sign-in: required for the duty chief and superusers (TWO_FACTOR_REQUIRED_FOR),
offered to everyone else; enrolment with an authenticator app and backup codes."""

import datetime as dt

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services

from .conftest import log_in, to
from .devices import code_for, enrol_authenticator, wrong_code

pytestmark = pytest.mark.django_db


def test_a_chief_with_only_the_password_is_sent_to_enrol_and_kept_out_of_the_admin(client, chief):
    response = log_in(client, "chief")

    assert response.status_code == 302
    assert response["Location"] == to("accounts:authenticator")
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    # The log-in page sends a half-signed-in user back to the second factor, not to the form.
    assert client.get("/admin/login/?next=/admin/")["Location"] == to("accounts:authenticator")


def test_a_superuser_must_enrol_too(client, superuser):
    assert log_in(client, "root")["Location"] == to("accounts:authenticator")


def test_enrolling_an_authenticator_lets_the_chief_in_with_ten_backup_codes_shown_once(client, chief):
    log_in(client, "chief")

    page = client.get(to("accounts:authenticator")).content.decode()
    device = TOTPDevice.objects.get(user=chief, confirmed=False)
    assert '<img src="data:image/svg+xml' in page
    assert "扫描下面的二维码" in page
    confirmed = client.post(to("accounts:authenticator"), {"code": code_for(device), "next": "/admin/"})

    assert confirmed["Location"] == to("accounts:backup_codes")
    codes_page = client.get(confirmed["Location"]).content.decode()
    assert codes_page.count("<li><code>") == 10
    assert "只显示这一次" in codes_page
    again = client.get(confirmed["Location"]).content.decode()
    assert "<li><code>" not in again
    assert "还剩 <strong>10</strong> 个备用码" in again
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_code_does_not_confirm_the_authenticator(client, chief):
    log_in(client, "chief")
    client.get(to("accounts:authenticator"))
    device = TOTPDevice.objects.get(user=chief)

    response = client.post(to("accounts:authenticator"), {"code": wrong_code(device), "next": "/admin/"})

    assert response.status_code == 200
    assert "验证码不对" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302


def test_an_enrolled_chief_types_the_apps_code_after_the_password(client, chief):
    device = enrol_authenticator(chief)

    assert log_in(client, "chief")["Location"] == to("accounts:verify")
    page = client.get(to("accounts:verify")).content.decode()
    assert "的密码已通过" in page
    assert "passkey-verification" not in page  # no passkey, no passkey button
    response = client.post(to("accounts:verify"), {"code": code_for(device), "next": "/admin/"})

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_and_the_next_one_held_back_for_a_while(client, chief, time_machine):
    device = enrol_authenticator(chief)
    log_in(client, "chief")
    time_machine.move_to(dt.datetime.now(tz=dt.UTC), tick=False)

    wrong = client.post(to("accounts:verify"), {"code": wrong_code(device)})
    right_too_soon = client.post(to("accounts:verify"), {"code": code_for(device)})
    time_machine.shift(3)
    right_later = client.post(to("accounts:verify"), {"code": code_for(device), "next": "/admin/"})

    assert "验证码不对" in wrong.content.decode()
    assert "验证码错误次数过多，请 1 秒后再试" in right_too_soon.content.decode()
    assert right_later["Location"] == "/admin/"


def test_a_backup_code_signs_in_once_and_is_used_up(client, chief):
    enrol_authenticator(chief)
    codes = services.new_backup_codes(chief)
    log_in(client, "chief")

    first = client.post(to("accounts:verify"), {"code": f" {codes[0].upper()} ", "next": "/admin/"})
    client.post(reverse("admin:logout"))
    log_in(client, "chief")
    second = client.post(to("accounts:verify"), {"code": codes[0], "next": "/admin/"})

    assert first["Location"] == "/admin/"
    assert "验证码不对" in second.content.decode()
    assert StaticToken.objects.filter(device__user=chief).count() == 9
    assert client.get("/admin/").status_code == 302


def test_an_editor_goes_straight_in_and_may_enrol_from_the_admins_user_links(client, editor):
    assert log_in(client, "editor")["Location"] == "/admin/"
    index = client.get("/admin/").content.decode()
    assert f'<a href="{reverse("accounts:two_factor")}">两步验证</a>' in index
    assert "未启用" in client.get(reverse("accounts:two_factor")).content.decode()

    client.get(reverse("accounts:authenticator"))
    device = TOTPDevice.objects.get(user=editor)
    client.post(reverse("accounts:authenticator"), {"code": code_for(device)})
    client.post(reverse("admin:logout"))

    assert log_in(client, "editor")["Location"] == to("accounts:verify")


def test_with_nobody_required_the_chief_goes_straight_in(client, chief, settings):
    settings.TWO_FACTOR_REQUIRED_FOR = []

    assert log_in(client, "chief")["Location"] == "/admin/"


def test_staff_may_be_required_as_a_whole(editor, reporter, settings):
    settings.TWO_FACTOR_REQUIRED_FOR = ["staff"]

    assert services.second_factor_required(editor)
    assert services.second_factor_required(reporter)
