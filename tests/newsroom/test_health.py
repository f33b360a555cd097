"""/healthz and /readyz (newsroom/operations/health.py): what a load balancer asks, answered
over plain HTTP whatever Host it sends, within a bound, naming what is down."""

import os
import threading
import time
import uuid

import pytest
from django.core.files.storage import FileSystemStorage

from newsroom.operations import bounded
from newsroom.redis_cache import Breaker
from tests.conftest import REDIS_URL

CLOSED = "127.0.0.1:1"  # nothing listens there: refused at once
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


def test_healthz_answers_without_asking_the_database(client):
    # No django_db mark: pytest-django refuses any use of the database in this test.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_asks_the_database_and_the_storage_and_nothing_unconfigured(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage"}  # no Redis cache, no broker
    assert all(check["ok"] for check in body["checks"].values())


@pytest.fixture
def redis_at(settings):
    def point_cache_at(url: str):
        settings.CACHES = {"default": {"BACKEND": "newsroom.redis_cache.RedisCache", "LOCATION": url}}

    yield point_cache_at
    Breaker.forget()


@pytest.mark.django_db
def test_readyz_names_a_redis_that_does_not_answer(client, redis_at):
    redis_at(f"redis://{CLOSED}/0")

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["down"] == ["redis"]
    assert body["checks"]["redis"] == {
        "ok": False,
        "ms": body["checks"]["redis"]["ms"],
        "error": "ConnectionError",
    }
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_asks_a_redis_that_answers(client, shared_redis):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("url", [f"redis://{CLOSED}/0", f"amqp://guest:guest@{CLOSED}//"])
def test_readyz_names_a_broker_that_does_not_answer(client, settings, url):
    settings.CELERY_BROKER_URL = url

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def broker_answers(url: str) -> bool:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=1) as connection:
            connection.ensure_connection(max_retries=0)
        return True
    except Exception:
        return False


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REDIS_URL, RABBITMQ_URL])
def test_readyz_asks_a_broker_that_answers(client, settings, url):
    if not broker_answers(url):
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no broker at {url}")
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_DEFAULT_QUEUE = f"readyz-{uuid.uuid4().hex}"  # never declared: still an answer

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
@pytest.mark.storage
def test_readyz_asks_the_storage_on_either_backend(client, storage_backend):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["storage"]["ok"] is True


@pytest.mark.django_db
def test_readyz_names_an_object_storage_that_does_not_answer(client, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "readyz")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "readyz")
    settings.READINESS_TIMEOUT = 1.0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "photos",
                "endpoint_url": f"http://{CLOSED}",
                "region_name": "us-east-1",
            },
        },
    }

    started = time.monotonic()
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["down"] == ["storage"]
    assert time.monotonic() - started < 3  # botocore's own retries run past the bound


@pytest.fixture
def hanging_storage(monkeypatch):
    """A storage that does not answer until the test lets it go."""
    released = threading.Event()
    monkeypatch.setattr(FileSystemStorage, "exists", lambda storage, name: released.wait(30))
    # A check an earlier test left hanging (a storage that timed out) would answer "still
    # waiting" at once: each test starts with none.
    bounded._waiting.clear()
    yield
    released.set()
    bounded._waiting.clear()


@pytest.mark.django_db
def test_a_hanging_check_costs_the_bound_and_is_not_asked_again_while_it_hangs(
    client, settings, hanging_storage
):
    settings.READINESS_TIMEOUT = 0.3

    started = time.monotonic()
    first = client.get("/readyz")
    took = time.monotonic() - started
    second = client.get("/readyz")

    assert first.status_code == second.status_code == 503
    assert 0.3 <= took < 1.5
    assert first.json()["checks"]["storage"]["error"] == "timeout"
    assert first.json()["checks"]["database"]["ok"] is True  # asked at the same time
    assert second.json()["checks"]["storage"]["error"] == "still waiting"
    assert [t.name for t in threading.enumerate()].count("ask-storage") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_over_plain_http_by_address_are_answered(client, settings, path):
    """A load balancer probes http://10.0.3.7:8000/healthz: no redirect to HTTPS, no 400 for a
    Host that ALLOWED_HOSTS does not list, while every other page still gets both."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["news.example.cn"]

    probe = client.get(path, HTTP_HOST="10.0.3.7:8000")
    page = client.get("/admin/", HTTP_HOST="news.example.cn")
    by_address = client.get("/admin/", HTTP_HOST="10.0.3.7:8000", secure=True)

    assert probe.status_code == 200
    assert page.status_code == 301 and page["Location"].startswith("https://")
    assert by_address.status_code == 400


@pytest.mark.django_db
def test_probes_are_never_throttled(client, settings):
    settings.API_THROTTLE_RATES = {"reader": "2/minute", "anon": "2/minute", "user": "2/minute"}

    answers = [client.get(path).status_code for path in ["/healthz", "/readyz"] * 5]

    assert answers == [200] * 10


def test_probes_only_answer_reads(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_after_a_failure_redis_is_reported_left_alone_without_being_asked(client, redis_at):
    """The check goes through the project's bounded client (newsroom/redis_cache.py): once
    Redis failed, this process leaves it alone for a while, and the probe says so at once."""
    redis_at(f"redis://{CLOSED}/0")
    client.get("/readyz")

    started = time.monotonic()
    again = client.get("/readyz").json()

    assert again["checks"]["redis"]["error"] == "RedisUnavailable"
    assert time.monotonic() - started < 1


@pytest.mark.django_db
def test_a_failing_readiness_probe_is_a_warning_naming_the_reason_not_an_error(client, redis_at, caplog):
    """Not Django's "Service Unavailable" error for each probe (Sentry would get one every few
    seconds while Redis is away): a warning with the reason. Fails if Django stops honouring
    the response's `_has_been_logged` flag."""
    redis_at(f"redis://{CLOSED}/0")

    with caplog.at_level("WARNING"):
        assert client.get("/readyz").status_code == 503

    assert [r.levelname for r in caplog.records if r.name == "django.request"] == []
    assert any(r.levelname == "WARNING" and "redis did not answer" in r.getMessage() for r in caplog.records)
