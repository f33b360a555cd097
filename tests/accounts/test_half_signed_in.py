"""A password alone is no log-in for an account that owes its second factor: the admin, the
staff export and every page but the second factor's treat the session as anonymous."""

import json

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from tests.factories import IssueFactory

from .conftest import log_in, to
from .devices import enrol_authenticator

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_signed_in(client, chief):
    """The duty chief's browser after the right password and no code yet."""
    enrol_authenticator(chief)
    assert log_in(client, "chief")["Location"] == to("accounts:verify")
    return client


def test_admin_pages_send_a_half_signed_in_chief_to_log_in(half_signed_in):
    for path in (
        "/admin/",
        reverse("admin:articles_article_changelist"),
        reverse("admin:auth_user_changelist"),
    ):
        response = half_signed_in.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/"), path


def test_the_staff_export_does_not_take_a_half_signed_in_chief(half_signed_in):
    issue = IssueFactory()

    response = half_signed_in.get(reverse("v1:issue-export", kwargs={"slug": issue.slug}))

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_a_half_signed_in_chief_cannot_enrol_a_new_second_factor_around_the_old(half_signed_in, chief):
    for page in ("accounts:authenticator", "accounts:backup_codes", "accounts:two_factor"):
        response = half_signed_in.get(reverse(page))
        assert response["Location"].startswith(reverse("accounts:verify")), page
    passkey = half_signed_in.post(
        reverse("otp_webauthn:credential-registration-begin"), "{}", content_type="application/json"
    )
    removal = half_signed_in.post(reverse("accounts:remove_authenticator"))

    assert passkey.status_code == 403
    assert removal["Location"].startswith(reverse("accounts:verify"))
    assert TOTPDevice.objects.filter(user=chief).count() == 1
    assert services.backup_codes_left(chief) == 0


def test_the_half_signed_in_chief_may_still_log_out(half_signed_in):
    half_signed_in.post(reverse("admin:logout"))

    assert half_signed_in.get(to("accounts:verify"))["Location"].startswith("/admin/login/")


def test_passkey_urls_sit_under_the_two_factor_pages_the_gate_lets_through():
    prefix = reverse("accounts:two_factor")
    names = ["registration-begin", "registration-complete", "authentication-begin", "authentication-complete"]

    for name in names:
        assert reverse(f"otp_webauthn:credential-{name}").startswith(prefix)


def test_passkeys_are_no_way_around_the_password(client):
    response = client.post(
        reverse("otp_webauthn:credential-authentication-begin"),
        json.dumps({}),
        content_type="application/json",
    )

    assert response.status_code == 403


def test_a_verified_session_reaches_the_admin(client, chief):
    client.force_login(chief)  # the suite's log-in: password and code (tests/conftest.py)

    assert client.get("/admin/").status_code == 200
