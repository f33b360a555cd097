"""When something goes wrong: wrong codes (django-axes), a lost phone (a superuser's reset),
removing a second factor."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services

from .conftest import log_in, to
from .devices import code_for, enrol_authenticator, wrong_code

pytestmark = pytest.mark.django_db


def test_wrong_codes_count_for_axes_and_lock_the_account_out(client, chief, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own pause between tries, tested apart
    device = enrol_authenticator(chief)
    log_in(client, "chief")

    answers = [client.post(to("accounts:verify"), {"code": wrong_code(device)}) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "登录已暂停" in answers[-1].content.decode()
    # Logged out, and the password step is locked as well, right password or not.
    assert client.get(to("accounts:verify"))["Location"].startswith("/admin/login/")
    assert log_in(client, "chief").status_code == 429


def test_axes_still_locks_the_password_step_of_an_enrolled_chief(client, chief, settings):
    settings.AXES_FAILURE_LIMIT = 3
    enrol_authenticator(chief)
    for _ in range(3):
        client.post(reverse("admin:login"), {"username": "chief", "password": "wrong"})

    assert log_in(client, "chief").status_code == 429


def test_a_superuser_resets_a_chiefs_second_factor_from_the_user_list(client, chief, superuser):
    enrol_authenticator(chief)
    services.new_backup_codes(chief)
    chiefs_browser = type(client)()
    chiefs_browser.force_login(chief)
    assert chiefs_browser.get("/admin/").status_code == 200
    client.force_login(superuser)

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [chief.pk]},
    )

    assert response.status_code == 302
    assert not services.is_enrolled(chief)
    assert services.backup_codes_left(chief) == 0
    # The chief's open session is no longer verified: back to log in, then to enrol again.
    assert chiefs_browser.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert chiefs_browser.get("/admin/login/?next=/admin/")["Location"] == to("accounts:authenticator")


def test_only_superusers_are_offered_the_reset(client, editor):
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(editor)

    page = client.get(reverse("admin:auth_user_changelist"))

    assert page.status_code == 200
    assert "reset_second_factor" not in page.content.decode()


def test_the_user_list_shows_who_has_a_second_factor(client, superuser, chief, editor):
    enrol_authenticator(chief)
    client.force_login(superuser)

    page = client.get(reverse("admin:auth_user_changelist")).content.decode()

    assert "两步验证" in page
    assert '<td class="field-second_factor">验证器应用</td>' in page
    assert '<td class="field-second_factor">未启用</td>' in page


def test_a_chief_cannot_remove_the_last_second_factor(client, chief):
    client.force_login(chief)

    response = client.post(reverse("accounts:remove_authenticator"), follow=True)

    assert "必须启用两步验证" in response.content.decode()
    assert services.is_enrolled(chief)


def test_an_editor_may_turn_the_second_factor_off_and_the_backup_codes_go_with_it(client, editor):
    device = enrol_authenticator(editor)
    services.new_backup_codes(editor)
    log_in(client, "editor")
    client.post(to("accounts:verify"), {"code": code_for(device)})

    client.post(reverse("accounts:remove_authenticator"))

    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert services.backup_codes_left(editor) == 0
    client.post(reverse("admin:logout"))
    assert log_in(client, "editor")["Location"] == "/admin/"


def test_new_backup_codes_replace_the_old_ones(client, chief):
    client.force_login(chief)
    old = services.new_backup_codes(chief)

    shown = client.post(reverse("accounts:backup_codes"), follow=True).content.decode()

    assert shown.count("<li><code>") == 10
    assert old[0] not in shown
    assert services.backup_codes_left(chief) == 10
    assert services.verify_code(chief, old[0]) is None
