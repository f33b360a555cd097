"""articles' system checks (articles/checks.py): the fast path's middleware order, reported
by `manage.py check` with an id."""

from django.conf import settings
from django.core.checks import Error, Warning, run_checks
from django.test import override_settings

from articles.checks import PUBLIC_READ_MIDDLEWARE, check_public_read_middleware
from articles.delivery.fastpath import PublicReadsWSGI

SECURITY = "django.middleware.security.SecurityMiddleware"


def articles_messages():
    """What `manage.py check` reports of articles: the registered checks, run."""
    return [message for message in run_checks() if message.id.startswith("articles.")]


def test_the_project_settings_pass():
    assert check_public_read_middleware(None) == []
    assert articles_messages() == []


def test_a_middleware_added_above_the_fast_path_is_a_warning_that_the_wsgi_entry_is_off():
    with override_settings(MIDDLEWARE=["newsroom.middleware.FailureAnswersMiddleware", *settings.MIDDLEWARE]):
        messages = articles_messages()
        entry = PublicReadsWSGI(lambda environ, start_response: [b""])

    assert [(type(message), message.id) for message in messages] == [(Warning, "articles.W002")]
    assert "FailureAnswersMiddleware" in messages[0].msg
    assert entry.on is False  # and the entry still steps aside at run time


def test_the_fast_path_above_the_security_middleware_is_an_error():
    middleware = [name for name in settings.MIDDLEWARE if name != PUBLIC_READ_MIDDLEWARE]
    with override_settings(MIDDLEWARE=[PUBLIC_READ_MIDDLEWARE, *middleware]):
        messages = articles_messages()

    assert [(type(message), message.id) for message in messages] == [(Error, "articles.E001")]
    assert SECURITY in messages[0].msg and "corsheaders" in messages[0].msg


def test_without_the_fast_path_middleware_a_warning():
    middleware = [name for name in settings.MIDDLEWARE if name != PUBLIC_READ_MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware):
        messages = articles_messages()

    assert [(type(message), message.id) for message in messages] == [(Warning, "articles.W001")]
