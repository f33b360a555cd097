"""A Redis that hangs (accepts connections, never answers) or is away (nothing listens):
public reads answer at once from the database and stay correct, a withdrawal made meanwhile
is not served, the duty chief is told the truth about caches, and preview links and the API
document are served without the shared throttle count."""

import contextlib
import socket
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.delivery import caches, listener
from articles.models import Publication
from articles.publications import publishing
from articles.publications.preview import create_link
from newsroom.redis_cache import Breaker
from tests.conftest import REDIS_URL, logged_in, redis_answers
from tests.delivery import test_public_reads as reads
from tests.factories import ArticleFactory, IssueFactory, published

entry = reads.entry  # the production entry around Django's handler
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BOUND = 2.0  # seconds any one read may take while Redis does not answer (loose on purpose)


class Listening:
    """A TCP server on a random port, handing each connection it accepts to `accepted`."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.accepted(client)

    def accepted(self, client):
        raise NotImplementedError

    def close(self):
        self.server.close()
        for end in self.sockets:
            end.close()


class HungRedis(Listening):
    """Accepts connections and never answers."""

    def accepted(self, client):
        self.sockets.append(client)


class Proxy(Listening):
    """A TCP proxy to the real Redis that can be made to hang (connections stay open, what
    is sent meanwhile is lost either way, as in a partition the clients give up on) and to
    recover."""

    def __init__(self, target=("127.0.0.1", 6379)):
        self.target = target
        self.flowing = threading.Event()
        self.flowing.set()
        super().__init__()

    def accepted(self, client):
        upstream = socket.create_connection(self.target)
        self.sockets += [client, upstream]
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self.pump, args=(source, sink), daemon=True).start()

    def pump(self, source, sink):
        try:
            while data := source.recv(65536):
                if self.flowing.is_set():
                    sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.flowing.set()
        super().close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


@pytest.fixture
def redis_at(settings):
    """Makes the shared cache a Redis at a given port (database 15, a prefix of the test's)."""
    Breaker.forget()

    def use(port: int) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "newsroom.redis_cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/15",
                "KEY_PREFIX": f"outage-{port}",
            }
        }

    yield use
    Breaker.forget()
    caches.Distrust.since = None
    listener._retiring["until"] = 0.0  # a retrying thread stops: later tests have their own Redis


@pytest.fixture
def hung():
    server = HungRedis()
    yield server.port
    server.close()


@pytest.fixture
def proxy():
    if not redis_answers():
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    server = Proxy()
    yield server
    server.close()


def timed(read):
    started = time.monotonic()
    answer = read()
    return answer, time.monotonic() - started


def a_live_issue():
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    published(issue)
    return issue, {
        "issue": reverse("v1:issue-detail", kwargs={"slug": issue.slug}),
        "article": reverse("v1:article-detail", kwargs={"pk": article.pk}),
        "list": reverse("v1:issue-list"),
    }


@TRANSACTIONAL
@pytest.mark.parametrize("redis", ["hung", "closed"])
def test_reads_come_from_the_database_at_once_while_redis_does_not_answer(
    client, entry, redis_at, request, chief, redis
):
    redis_at(request.getfixturevalue("hung") if redis == "hung" else closed_port())
    issue, urls = a_live_issue()
    body = Publication.objects.filter(issue=issue).latest("number").body.encode()

    slowest = 0.0
    for _ in range(3):
        for kind, url in urls.items():
            for read in (lambda url=url: reads.wsgi_get(entry, url), lambda url=url: client.get(url)):
                with CaptureQueriesContext(connection) as queries:
                    answer, took = timed(read)
                status = answer[0] if isinstance(answer, tuple) else answer.status_code
                assert status == 200, (kind, status)
                assert len(queries) >= 1  # asked the database: nothing came from Redis
                slowest = max(slowest, took)
    assert reads.wsgi_get(entry, urls["issue"])[2] == body

    with listener.announcements() as announced:
        publishing.withdraw_issue(issue, user=chief, note="撤回")
    gone, took = timed(lambda: reads.wsgi_get(entry, urls["issue"]))

    assert slowest < BOUND and took < BOUND
    assert gone[0] == 404  # at once: no pointer was kept while Redis did not answer
    assert announced.failed and f"{listener.stale_for()} 秒" in announced.late


@TRANSACTIONAL
def test_a_withdrawal_while_redis_hangs_is_not_served_and_the_chief_is_told(
    entry, redis_at, proxy, chief, settings
):
    redis_at(proxy.port)
    settings.REDIS_RETRY_AFTER = 0.3  # so that Redis is asked again soon after it recovers
    issue, urls = a_live_issue()
    for _ in range(3):  # pointers in Redis and in memory, ready answers in the entry
        assert [reads.wsgi_get(entry, url)[0] for url in urls.values()] == [200, 200, 200]

    proxy.flowing.clear()  # Redis hangs
    browser = logged_in(chief)
    withdraw = reverse("admin:articles_issue_withdraw", args=[issue.pk])
    page, took = timed(lambda: browser.post(withdraw, {"note": "撤回：数据有误"}, follow=True))
    told = [str(message) for message in page.context["messages"]]
    during = [timed(lambda url=url: reads.wsgi_get(entry, url)) for url in urls.values()]

    proxy.flowing.set()  # Redis answers again: what it holds predates the withdrawal
    time.sleep(2 * settings.REDIS_RETRY_AFTER)
    after = [reads.wsgi_get(entry, url) for url in urls.values() for _ in range(2)]
    slug = f'"{issue.slug}"'.encode()

    assert took < 2 * BOUND
    assert not any("读者已看不到它" in message for message in told)
    assert any(f"最迟 {listener.stale_for()} 秒" in message and "缓存" in message for message in told), told
    # The issue and its article are gone, and the list no longer names it: during the hang
    # and after it, never the old pointers Redis kept.
    assert [answer[0] for answer, _ in during] == [404, 404, 200] and slug not in during[2][0][2]
    assert all(took < BOUND for _, took in during)
    assert [status for status, _, _ in after] == [404, 404, 404, 404, 200, 200]
    assert all(slug not in body for _, _, body in after[4:])


@TRANSACTIONAL
@pytest.mark.parametrize("redis", ["hung", "closed"])
def test_preview_links_and_the_api_document_are_served_without_the_shared_count(
    client, redis_at, request, redis, chief
):
    redis_at(request.getfixturevalue("hung") if redis == "hung" else closed_port())
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    _, token = create_link(issue, user=chief)
    preview = reverse("v1:preview", kwargs={"token": token})

    answers = [
        timed(lambda url=url: client.get(url)) for url in (preview, reverse("schema"), reverse("api-docs"))
    ]

    assert [response.status_code for response, _ in answers] == [200, 200, 200]
    assert all(took < BOUND for _, took in answers)


@TRANSACTIONAL
def test_without_the_shared_count_a_client_is_still_limited_in_this_process(client, redis_at, hung, settings):
    from newsroom.api.throttling import SharedCountOrOwn

    redis_at(hung)
    SharedCountOrOwn.own_counts.clear()
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "2/minute"}

    statuses = [client.get(reverse("schema")).status_code for _ in range(3)]
    SharedCountOrOwn.own_counts.clear()

    assert statuses == [200, 200, 429]


@TRANSACTIONAL
def test_a_publish_redis_missed_is_announced_again_once_it_answers(redis_at, proxy, chief, settings):
    redis_at(proxy.port)
    settings.REDIS_RETRY_AFTER = 0.3
    issue, _ = a_live_issue()
    before = caches.shared_cache().get(listener.GENERATION_KEY)

    proxy.flowing.clear()
    with listener.announcements() as announced:
        publishing.withdraw_issue(issue, user=chief, note="撤回")
    proxy.flowing.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # no read in this process: its retrying thread alone
        time.sleep(0.2)
        with contextlib.suppress(Exception):
            if caches.shared_cache().get(listener.GENERATION_KEY) != before:
                break

    assert announced.failed
    assert caches.shared_cache().get(listener.GENERATION_KEY) != before
