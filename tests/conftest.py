import os
import uuid

import pytest

# The real Redis of these machines, database 15: for the tests of what is shared through it.
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def isolated_files(settings, tmp_path):
    """Uploads and generated files go to a per-test folder; requests are plain HTTP."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.VAR_DIR = tmp_path
    settings.SECURE_SSL_REDIRECT = False
    # The production hasher is slow on purpose; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest only exists after collectstatic; tests render pages without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def force_login_passes_the_second_factor(monkeypatch):
    """`force_login` stands for a whole sign-in: an account that owes a second factor (the
    duty chief and superusers by default, TWO_FACTOR_REQUIRED_FOR) gets a real, confirmed
    authenticator and a session verified by it, as after typing its code. The requirement
    stays on; password, code and enrolment are tested page by page in tests/accounts/."""
    from django.test.client import ClientMixin

    log_in = ClientMixin.force_login

    def force_login(client, user, backend=None):
        from tests.accounts.devices import pass_second_factor

        log_in(client, user, backend)
        pass_second_factor(client, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "every_rendition: make the site's whole catalogue of renditions, not the light test default",
    )
    config.addinivalue_line(
        "markers",
        "storage: a promise of photo storage, proven on the file system and on S3 (moto's server)",
    )


STORAGE_BACKENDS = ["filesystem", "s3"]


def pytest_generate_tests(metafunc):
    # The marker is the whole opt-in: a `storage` test runs once per backend.
    if metafunc.definition.get_closest_marker("storage"):
        if "storage_backend" not in metafunc.fixturenames:
            metafunc.fixturenames.append("storage_backend")
        metafunc.parametrize("storage_backend", STORAGE_BACKENDS, indirect=True)


@pytest.fixture(autouse=True)
def _storage_of_marked_tests(request):
    # Parametrising alone does not set a fixture up for a test that does not name it.
    if request.node.get_closest_marker("storage"):
        request.getfixturevalue("storage_backend")


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1, started for the first test on S3, stopped at the end."""
    from tests.object_storage import MotoServer, MotoUnavailable

    try:
        server = MotoServer.start()
    except MotoUnavailable as error:
        server = error
    yield server
    if isinstance(server, MotoServer):
        server.stop()


@pytest.fixture
def storage_backend(request, settings, isolated_files):
    """Where this test's photos go: MEDIA_ROOT, or a fresh bucket on moto's S3 server (a
    `storage` test gets both runs); the default storage is set accordingly."""
    from tests.object_storage import MotoServer, StorageBackend

    if request.param == "filesystem":
        backend = StorageBackend("filesystem", settings.MEDIA_ROOT)
        settings.STORAGES = {**settings.STORAGES, "default": backend.settings()}
        yield backend
        return
    server = request.getfixturevalue("s3_server")
    if not isinstance(server, MotoServer):
        # moto is in the dev lock: in CI a server that does not start is a failure.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(str(server))
    backend = StorageBackend("s3", settings.MEDIA_ROOT, server, server.new_bucket())
    settings.STORAGES = {**settings.STORAGES, "default": backend.settings()}
    yield backend
    server.drop_bucket(backend.bucket)


@pytest.fixture(autouse=True)
def light_renditions(request, settings):
    """Two JPEG renditions a photo instead of the site's thirty (AVIF the slowest to encode):
    most tests only need a photo to be ready, and the demo loads in a fraction of the time.
    Tests of the renditions themselves ask for the whole catalogue (`every_rendition`)."""
    if request.node.get_closest_marker("every_rendition") is None:
        settings.PHOTO_RENDITION_SPECS = (("original", (480,)), ("16:9", (480,)))
        settings.PHOTO_RENDITION_FORMATS = ("jpeg",)


ROLES = {"reporter": "记者", "editor": "编辑", "chief": "值班主任"}


def _member(django_user_model, username: str, role: str):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, password="pw-" + username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))  # the groups come from a data migration
    return user


@pytest.fixture
def reporter(django_user_model):
    """记者: writes and submits own articles."""
    return _member(django_user_model, "reporter", ROLES["reporter"])


@pytest.fixture
def other_reporter(django_user_model):
    return _member(django_user_model, "reporter2", ROLES["reporter"])


@pytest.fixture
def editor(django_user_model):
    """编辑: edits anything unpublished, approves, sends back."""
    return _member(django_user_model, "editor", ROLES["editor"])


@pytest.fixture
def chief(django_user_model):
    """值班主任: an editor who also publishes, schedules, withdraws and corrects."""
    return _member(django_user_model, "chief", ROLES["chief"])


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw-root")


def logged_in(user):
    """A browser (Django test client) logged in as `user`."""
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    return browser


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def shared_redis(settings):
    """The real Redis (database 15) as the shared cache, under a prefix of this test's own."""
    if not redis_answers():
        # CI starts Redis (.ci/run): there a missing one is a failure, not a quiet skip.
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": "newsroom.redis_cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    }
    yield prefix
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


@pytest.fixture
def live():
    """A published issue with one article: the public URLs of the issue, the article and the list."""
    from django.urls import reverse

    from .factories import ArticleFactory, IssueFactory, published

    issue = IssueFactory(slug="zhuan-ti")
    article = ArticleFactory(issue=issue)
    published(issue)
    return {
        "issue": reverse("v1:issue-detail", kwargs={"slug": "zhuan-ti"}),
        "article": reverse("v1:article-detail", kwargs={"pk": article.pk}),
        "list": reverse("v1:issue-list"),
    }
