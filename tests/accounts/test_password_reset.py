"""Password reset by e-mail for staff (Django's own views, Chinese pages and mail)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from .conftest import log_in, to

pytestmark = pytest.mark.django_db

RESET = "/admin/password-reset/"


@pytest.fixture
def with_addresses(editor, chief):
    for user in (editor, chief):
        user.email = f"{user.username}@news.example.cn"
        user.save(update_fields=["email"])
    get_user_model().objects.create_user("reader", email="reader@news.example.cn", password="pw-reader")


NEW_PASSWORD = "Xinmima-2026-qiu"


def reset_link(message) -> str:
    return re.search(r"http://testserver(/admin/password-reset/\S+/)", message.body)[1]


def set_new_password(client, link: str):
    """Open the mailed link (it moves on to a set-password page) and send the new password."""
    form = client.get(link, follow=True)
    return client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )


def test_the_login_page_offers_the_reset(client):
    page = client.get(reverse("admin:login")).content.decode()

    assert f'<a href="{RESET}">忘记密码？</a>' in page
    assert "Forgotten" not in page


def test_a_staff_address_gets_a_working_link_in_chinese(client, with_addresses):
    sent = client.post(RESET, {"email": "Editor@news.example.cn"})

    assert sent["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["editor@news.example.cn"]
    assert message.subject == "专题编辑后台：重设密码"
    assert "账号 editor 的密码" in message.body
    assert "链接 1 小时内有效" in message.body
    assert (
        "请为账号 <strong>editor</strong> 设置新密码"
        in client.get(reset_link(message), follow=True).content.decode()
    )
    done = set_new_password(client, reset_link(message))
    assert done["Location"] == reverse("accounts:password_reset_complete")
    response = client.post(reverse("admin:login"), {"username": "editor", "password": NEW_PASSWORD})
    assert response["Location"] == "/admin/"


def test_a_link_works_once(client, with_addresses):
    client.post(RESET, {"email": "editor@news.example.cn"})
    link = reset_link(mail.outbox[0])
    set_new_password(client, link)

    again = client.get(link, follow=True)

    assert "这个重设密码的链接已失效" in again.content.decode()


@pytest.mark.parametrize("address", ["reader@news.example.cn", "nobody@news.example.cn"])
def test_non_staff_and_unknown_addresses_get_the_same_page_and_no_mail(client, with_addresses, address):
    response = client.post(RESET, {"email": address}, follow=True)

    assert response.redirect_chain == [(reverse("accounts:password_reset_done"), 302)]
    assert "如果这个邮箱登记在某个编辑后台账号上" in response.content.decode()
    assert mail.outbox == []


def test_one_mail_per_account_however_often_the_form_is_sent(client, with_addresses):
    for _ in range(3):
        client.post(RESET, {"email": "editor@news.example.cn"})

    assert len(mail.outbox) == 1


def test_a_new_password_does_not_get_past_the_second_factor(client, with_addresses, chief):
    client.post(RESET, {"email": "chief@news.example.cn"})
    set_new_password(client, reset_link(mail.outbox[0]))

    response = client.post(reverse("admin:login"), {"username": "chief", "password": NEW_PASSWORD})

    assert response["Location"] == to("accounts:authenticator")


def test_a_reset_password_lifts_a_lock_out_of_its_account(client, with_addresses, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("admin:login"), {"username": "editor", "password": "wrong"})
    assert log_in(client, "editor").status_code == 429

    client.post(RESET, {"email": "editor@news.example.cn"})
    set_new_password(client, reset_link(mail.outbox[0]))

    response = client.post(reverse("admin:login"), {"username": "editor", "password": NEW_PASSWORD})
    assert response["Location"] == "/admin/"
