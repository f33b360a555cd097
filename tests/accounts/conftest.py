import pytest
from django.core.cache import cache
from django.urls import reverse


@pytest.fixture(autouse=True)
def fresh_cache():
    """Reset mails are limited per account in the cache; ids repeat from test to test."""
    cache.clear()
    yield
    cache.clear()


def log_in(client, username: str, next_url: str = "/admin/"):
    """The admin's log-in form, posted with the account's password (tests/conftest.py)."""
    return client.post(
        reverse("admin:login"), {"username": username, "password": f"pw-{username}", "next": next_url}
    )


def to(page: str, next_url: str = "/admin/") -> str:
    return f"{reverse(page)}?next={next_url.replace('/', '%2F')}"
