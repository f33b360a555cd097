"""Scale-out: two app servers and one worker, each its own process, sharing only PostgreSQL,
Redis and the S3 bucket, as production runs behind a load balancer. A publish is served by
both servers at once, a withdrawal is gone from both at once, and the renditions the worker
made are linked alike by both and fetched from the bucket.

The servers are gunicorn with DEBUG off (one worker each), the worker is
`celery -A newsroom worker` on a RabbitMQ queue of this module's own, the bucket is on
moto's S3 server (tests/object_storage.py). They start once for the module; the test process
publishes through the same services the admin calls. PostgreSQL only (tests/jobs/worker.py);
`.ci/run` sets REQUIRE_SERVICES, so a broker, Redis or moto that is missing fails.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from kombu import Connection

from articles.models import Article, Block, Correction
from articles.publications import publishing
from media.models import Photo
from media.renditions import jobs as rendition_jobs
from newsroom.celery import app as celery_app
from tests.conftest import REDIS_URL, redis_answers
from tests.factories import ArticleFactory, BlockFactory, BylineFactory, IssueFactory, PhotoCreditFactory
from tests.imaging import jpeg
from tests.jobs.worker import BROKERS, ROOT, Worker, forget_broker, reachable, wait_for
from tests.object_storage import CREDENTIALS, REGION, MotoServer, StorageBackend, fetched

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BOOT = 60  # a server's or worker's start with Django, on a loaded two-core machine


def free_port() -> int:
    # Free when asked; a server that loses it to another process fails to start, loudly.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class AppServer:
    """`gunicorn newsroom.wsgi:application -w 1` on a port of its own."""

    name: str
    env: dict
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application"]
        command += ["-b", f"127.0.0.1:{self.port}", "-w", "1", "--timeout", "60"]
        with self.log.open("a") as out:
            self.process = subprocess.Popen(  # noqa: S603 - the product's own server
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def answers(self) -> bool:
        assert self.process.poll() is None, f"{self.name} exited:\n{self.log.read_text()[-3000:]}"
        try:
            status, _, _ = fetched(self.url + "/healthz")
        except OSError:  # not listening yet
            return False
        return status == 200

    def stop(self) -> None:
        # SIGINT: gunicorn's quick shutdown (its workers serve nothing by now).
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@dataclass
class Cluster:
    servers: list[AppServer]
    worker: Worker
    storage: StorageBackend
    cache_prefix: str
    broker: str

    def read(self, path: str) -> list[tuple[int, dict | None, str | None]]:
        """What each server answers for `path`: status, the JSON, the ETag."""
        answers = []
        for server in self.servers:
            status, body, headers = fetched(server.url + path)
            answers.append((status, json.loads(body) if status == 200 else None, headers.get("ETag")))
        return answers


def require(available: bool, what: str) -> None:
    if not available:
        if os.environ.get("REQUIRE_SERVICES") or os.environ.get("CI"):
            pytest.fail(f"{what} is not available, and CI or REQUIRE_SERVICES is set")
        pytest.skip(f"{what} is not available")


@pytest.fixture(scope="module")
def cluster(request, django_db_setup, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("the servers and the worker share the test database only on PostgreSQL (DATABASE_URL)")
    s3_server = request.getfixturevalue("s3_server")
    broker = BROKERS["rabbitmq"]
    require(reachable(broker), f"the broker {broker}")
    require(redis_answers(), f"Redis at {REDIS_URL}")
    require(isinstance(s3_server, MotoServer), f"moto's S3 server ({s3_server})")

    tmp = tmp_path_factory.mktemp("scale-out")
    queue, prefix = f"test-{uuid.uuid4().hex[:12]}", f"test-{uuid.uuid4().hex}"
    storage = StorageBackend("s3", tmp / "uploads", s3_server, s3_server.new_bucket())
    storage.allow_public_renditions()
    database = connection.settings_dict
    shared = {
        **{k: v for k, v in os.environ.items() if k not in ("JOBS_IN_PROCESS", "DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),  # one key: a session made on one server works on both
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1:8000",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "CELERY_BROKER_URL": broker,
        "CELERY_QUEUE": queue,
        "STORAGE_BACKEND": "s3",
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint,
        "AWS_STORAGE_BUCKET_NAME": storage.bucket,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["access_key"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["secret_key"],
        "VAR_DIR": str(tmp),
        "MEDIA_ROOT": str(tmp / "uploads"),
        "LOG_FORMAT": "text",
    }
    servers = [AppServer(name, shared, tmp / f"{name}.log") for name in ("server-a", "server-b")]
    worker = Worker("rabbitmq", queue, shared, tmp / "worker.log")
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_default_queue")}
    celery_app.conf.update(broker_url=broker, task_default_queue=queue)
    forget_broker()
    try:
        worker.start()
        for server in servers:
            server.start()
        for server in servers:
            wait_for(server.answers, BOOT, f"{server.name} to answer", server.log)
        yield Cluster(servers, worker, storage, prefix, broker)
    finally:
        for server in servers:
            server.stop()
        worker.stop_all()
        with Connection(broker, connect_timeout=2) as channel_owner:
            channel_owner.SimpleQueue(queue).queue.delete()
        s3_server.drop_bucket(storage.bucket)
        keys = redis.Redis.from_url(REDIS_URL)
        for key in keys.scan_iter(f"{prefix}:*"):
            keys.delete(key)
        celery_app.conf.update(saved)
        forget_broker()


@pytest.fixture(autouse=True)
def on_the_cluster(cluster, settings):
    """This process as a third member: the same bucket, Redis prefix and broker queue."""
    settings.STORAGES = {**settings.STORAGES, "default": cluster.storage.settings()}
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": cluster.cache_prefix,
        }
    }
    settings.CELERY_BROKER_URL = cluster.broker
    return cluster


def an_issue(slug: str, headline: str):
    issue = IssueFactory(slug=slug)
    article = ArticleFactory(issue=issue, headline=headline)
    BlockFactory(article=article, text="村口的老樟树下，大家议事。")
    BylineFactory(article=article)
    return issue, article


def issue_path(issue) -> str:
    return reverse("v1:issue-detail", kwargs={"slug": issue.slug})


def article_path(article) -> str:
    return reverse("v1:article-detail", kwargs={"pk": article.pk})


def headlines(answers) -> list:
    return [
        document["parts"][0]["article"]["headline"] if document else status for status, document, _ in answers
    ]


def test_a_publish_is_served_by_both_servers_at_once(cluster, chief):
    issue, article = an_issue("kuo-rong-fa-bu", "第一版")
    publishing.publish_issue(issue, user=chief)
    for _ in range(3):  # both warm: the pointer kept in each worker's memory and in Redis
        assert headlines(cluster.read(issue_path(issue))) == ["第一版", "第一版"]
    # Kept by the servers (this process read nothing) in the Redis they share.
    assert redis.Redis.from_url(REDIS_URL).keys(f"{cluster.cache_prefix}:*:delivery:live:issue:{issue.slug}")

    Article.objects.filter(pk=article.pk).update(headline="第二版")
    Correction.objects.create(article=article, text="标题更正。")
    publishing.publish_issue(issue, user=chief)
    answers = cluster.read(issue_path(issue))

    assert headlines(answers) == ["第二版", "第二版"]
    assert answers[0][2] == answers[1][2]  # the same stored bytes, the same ETag
    assert [document["headline"] for _, document, _ in cluster.read(article_path(article))] == ["第二版"] * 2


def test_a_withdrawal_is_gone_from_both_servers_at_once(cluster, chief):
    issue, article = an_issue("kuo-rong-che-hui", "要撤回的稿件")
    publishing.publish_issue(issue, user=chief)
    paths = [issue_path(issue), article_path(article)]
    for _ in range(3):
        assert [status for path in paths for status, _, _ in cluster.read(path)] == [200] * 4

    publishing.withdraw_issue(issue, user=chief, note="内容有误，撤回专题")

    assert [status for path in paths for status, _, _ in cluster.read(path)] == [404] * 4


@pytest.mark.every_rendition  # the worker makes the site's whole catalogue; this process must agree
def test_renditions_made_by_the_worker_are_linked_by_both_servers_and_served_by_the_bucket(cluster, chief):
    with transaction.atomic():  # sent to the broker when this commits
        photo = Photo(
            caption="老樟树", alt_text="村口的老樟树", image=ContentFile(jpeg((1200, 800)), name="IMG.jpg")
        )
        photo.save()
        job = rendition_jobs.start(photo)
    PhotoCreditFactory(photo=photo)

    def finished():
        job.refresh_from_db()
        return job if job.finished else None

    wait_for(finished, BOOT + 30, "the worker to make the renditions", cluster.worker.log)
    photo.refresh_from_db()
    assert job.state == "done" and job.attempts == 1, job.error
    assert photo.renditions_ready and job.result["made"] == photo.renditions.count() > 0
    made = {rendition.file.name for rendition in photo.renditions.all()}
    assert made <= cluster.storage.stored()  # in the bucket, not on anyone's disk

    issue, article = an_issue("kuo-rong-tu-pian", "有图的稿件")
    BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=photo)
    publishing.publish_issue(issue, user=chief)
    answers = cluster.read(issue_path(issue))

    links = []
    for status, document, _ in answers:
        assert status == 200
        node = next(n for n in document["parts"][0]["article"]["body"] if n["type"] == "photo")
        links.append([rendition["url"] for rendition in node["photo"]["renditions"]])
    assert links[0] == links[1] and len(links[0]) == len(made)
    bucket = f"{cluster.storage.server.endpoint}/{cluster.storage.bucket}/"
    for link in links[0]:
        assert link.startswith(bucket + "renditions/") and link.removeprefix(bucket) in made
        status, body, headers = fetched(link)
        assert status == 200 and body, link
        assert headers["Content-Type"].startswith("image/")
