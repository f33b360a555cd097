"""Delivery of publications: the stored bytes, ETags and 304s, compressed encodings, CDN
headers, caches that never go stale (embargo, withdrawal, several processes), constant
queries, and the bench issue builder."""

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import uuid
from email.utils import parsedate_to_datetime
from pathlib import Path

import brotli
import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.delivery import caches, encodings, listener
from articles.delivery import reads as selectors
from articles.demo.bench_issue import build_bench_issue
from articles.models import Article, Correction, Publication, PublishedArticle
from articles.publications import publishing
from tests.conftest import REDIS_URL
from tests.factories import ArticleFactory, BlockFactory, BylineFactory, IssueFactory, published

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def issue_url(issue) -> str:
    return reverse("v1:issue-detail", kwargs={"slug": issue.slug})


def article_url(article) -> str:
    return reverse("v1:article-detail", kwargs={"pk": article.pk})


def live(issue) -> Publication:
    return Publication.objects.filter(issue=issue).order_by("-number").first()


def an_issue(articles: int = 3, headline: str = "稿件"):
    issue = IssueFactory()
    for n in range(articles):
        article = ArticleFactory(issue=issue, headline=f"{headline}{n}")
        BlockFactory(article=article, text=f"第{n}篇的正文。")
        BylineFactory(article=article)
    return published(issue)


def queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured)


# --- The bytes and their headers -------------------------------------------------------


def test_the_issue_is_the_stored_bytes_with_validators_and_cdn_headers(client):
    issue = an_issue()
    publication = live(issue)

    response = client.get(issue_url(issue))

    assert response.content == publication.body.encode("utf-8")
    assert response["Content-Type"] == "application/json"
    assert response["ETag"] == f'"{publication.sha256}"'
    assert publication.sha256 == Publication.digest(response.content.decode())
    assert parsedate_to_datetime(response["Last-Modified"]) == publication.created_at.replace(microsecond=0)
    assert response["Cache-Control"] == "public, max-age=30, stale-while-revalidate=30"
    assert response["Vary"] == "Accept-Encoding, origin"  # origin: CORS answers per front-end
    assert "Content-Encoding" not in response
    assert int(response["Content-Length"]) == len(response.content)


def test_an_article_is_its_stored_bytes_and_keeps_its_etag_while_unchanged(client, chief):
    issue = an_issue(2)
    first, second = issue.articles.order_by("position")
    row = PublishedArticle.objects.get(article=first)

    before = client.get(article_url(first))
    Article.objects.filter(pk=second.pk).update(headline="改过的标题")
    Correction.objects.create(article=second, text="更正标题。")
    publishing.publish_issue(issue, user=chief)
    after = client.get(article_url(first))

    assert before.content == row.body.encode("utf-8")
    assert before["ETag"] == after["ETag"] == f'"{row.sha256}"'  # same bytes, same tag
    assert client.get(article_url(second)).json()["headline"] == "改过的标题"


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip", "gzip"),
        ("x-gzip", "gzip"),
        ("br;q=0.5, gzip;q=0.8", "gzip"),
        ("*", "br"),
        ("identity", "identity"),
        ("br;q=0, gzip;q=0", "identity"),
        ("", "identity"),
    ],
)
def test_the_stored_encoding_is_chosen_by_accept_encoding(client, accept, coding):
    issue = an_issue()
    publication = live(issue)

    response = client.get(issue_url(issue), HTTP_ACCEPT_ENCODING=accept)

    decode = {"br": brotli.decompress, "gzip": gzip.decompress, "identity": bytes}[coding]
    assert decode(response.content) == publication.body.encode("utf-8")
    assert response.get("Content-Encoding", "identity") == coding
    # A strong tag names one byte sequence: each coding has its own (RFC 9110 §8.8.3).
    assert response["ETag"] == f'"{publication.sha256}{encodings.ETAG_SUFFIX[coding]}"'
    assert response["Vary"] == "Accept-Encoding, origin"  # origin: CORS answers per front-end


def test_publishing_stores_the_compressed_bytes_once():
    issue = an_issue(2)
    publication = live(issue)

    assert gzip.decompress(publication.body_gzip) == publication.body.encode("utf-8")
    assert brotli.decompress(publication.body_br) == publication.body.encode("utf-8")
    for row in publication.articles.all():
        assert brotli.decompress(row.body_br) == gzip.decompress(row.body_gzip) == row.body.encode("utf-8")
        assert row.sha256 == Publication.digest(row.body)


def test_a_matching_etag_answers_304_without_a_body(client):
    issue = an_issue()
    first = client.get(issue_url(issue))

    again = client.get(issue_url(issue), HTTP_IF_NONE_MATCH=first["ETag"])
    weak = client.get(issue_url(issue), HTTP_IF_NONE_MATCH=f'"other", W/{first["ETag"]}')
    stale = client.get(issue_url(issue), HTTP_IF_NONE_MATCH='"not-this-one"')
    other_coding = client.get(issue_url(issue), HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_ENCODING="br")

    assert (again.status_code, again.content) == (304, b"")
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == first["Cache-Control"]
    assert again["Vary"] == "Accept-Encoding, origin"
    assert weak.status_code == 304  # If-None-Match compares weakly
    assert stale.status_code == 200 and stale.content == first.content
    assert other_coding.status_code == 200 and other_coding["Content-Encoding"] == "br"


def test_if_modified_since_answers_304_until_a_newer_publication(client, chief):
    issue = an_issue()
    article = issue.articles.first()
    first = client.get(issue_url(issue))
    since = first["Last-Modified"]

    assert client.get(issue_url(issue), HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert client.get(article_url(article), HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        publishing.publish_issue(issue, user=chief)
        assert client.get(issue_url(issue), HTTP_IF_MODIFIED_SINCE=since).status_code == 200


def test_head_sends_the_length_and_no_body(client):
    issue = an_issue()
    publication = live(issue)

    response = client.head(issue_url(issue), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response.content == b""
    assert int(response["Content-Length"]) == len(publication.body_gzip)
    assert response["ETag"] == f'"{publication.sha256}-gzip"'


def test_errors_are_not_kept_by_a_cdn_and_preview_stays_private(client):
    assert client.get("/api/v1/issues/mei-you/")["Cache-Control"] == "no-cache"
    assert client.get("/api/v1/articles/999999/")["Cache-Control"] == "no-cache"
    assert client.get(reverse("v1:issue-list") + "?page=9")["Cache-Control"] == "no-cache"
    assert client.get(reverse("v1:preview", kwargs={"token": "bad"}))["Cache-Control"] == "private, no-store"


# --- Changes, embargoes, withdrawals -----------------------------------------------------


def test_a_published_change_brings_a_new_etag_and_the_old_bytes_until_then(client, chief):
    issue = an_issue(1, headline="第一版")
    article = issue.articles.get()
    old = client.get(issue_url(issue))

    Article.objects.filter(pk=article.pk).update(headline="第二版")
    Correction.objects.create(article=article, text="标题更正。")
    unpublished = client.get(issue_url(issue), HTTP_IF_NONE_MATCH=old["ETag"])
    publishing.publish_issue(issue, user=chief)
    new = client.get(issue_url(issue), HTTP_IF_NONE_MATCH=old["ETag"])

    assert unpublished.status_code == 304  # the edit is not published yet
    assert new.status_code == 200 and new["ETag"] != old["ETag"]
    assert new.json()["parts"][0]["article"]["headline"] == "第二版"
    assert client.get(article_url(article)).json()["headline"] == "第二版"


def test_caching_headers_never_reach_past_a_scheduled_publication(client, chief):
    issue = an_issue(1, headline="第一版")
    other = an_issue(1)
    # Whole seconds, after the first publications: header arithmetic is exact.
    lift = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=41)
    Article.objects.filter(issue=issue).update(headline="第二版")
    Correction.objects.create(article=issue.articles.get(), text="更正。")

    with time_machine.travel(lift - dt.timedelta(seconds=40), tick=False):
        publishing.publish_issue(issue, user=chief, at=lift)
        far = client.get(issue_url(other))
    with time_machine.travel(lift - dt.timedelta(seconds=12), tick=False):
        near = client.get(issue_url(issue))
    with time_machine.travel(lift - dt.timedelta(seconds=1), tick=False):
        last = client.get(issue_url(issue))
    with time_machine.travel(lift, tick=False):
        lifted = client.get(issue_url(issue))

    # 40 s before: fresh for 30 s, then stale for 10 more at most.
    assert far["Cache-Control"] == "public, max-age=30, stale-while-revalidate=10"
    assert near["Cache-Control"] == "public, max-age=12"
    assert last["Cache-Control"] == "public, max-age=1"
    assert near.json()["parts"][0]["article"]["headline"] == "第一版0"
    assert lifted.json()["parts"][0]["article"]["headline"] == "第二版"
    assert lifted["Cache-Control"] == "public, max-age=30, stale-while-revalidate=30"


def test_a_withdrawn_issue_is_gone_at_once_from_every_endpoint(client, chief):
    issue = an_issue(2)
    article = issue.articles.first()
    for url in (issue_url(issue), article_url(article), reverse("v1:issue-list")):
        assert client.get(url).status_code == 200  # warm every cache

    publishing.withdraw_issue(issue, user=chief, note="撤回")

    assert client.get(issue_url(issue)).status_code == 404
    assert client.get(article_url(article)).status_code == 404
    assert client.get(reverse("v1:issue-list")).json()["results"] == []


# --- Queries -------------------------------------------------------------------------------


def test_one_query_per_request_for_3_and_200_articles(client):
    small = build_bench_issue(3, slug="xiao").issue
    large = build_bench_issue(200, slug="da").issue
    counts = {}
    for issue in (small, large):
        article = issue.articles.order_by("position").last()
        counts[issue.slug] = [
            queries(client, issue_url(issue)),  # cold: the bytes come with the pointer
            queries(client, issue_url(issue)),  # warm: the pointer only
            queries(client, issue_url(issue), HTTP_ACCEPT_ENCODING="br"),
            queries(client, article_url(article)),
            queries(client, article_url(article)),
        ]

    assert counts["xiao"] == counts["da"] == [1, 1, 1, 1, 1]


def test_a_missing_issue_or_article_costs_one_query_and_answers_in_the_api_shape(
    client, django_assert_num_queries
):
    with django_assert_num_queries(1):
        missing = client.get("/api/v1/issues/mei-you/")
    with django_assert_num_queries(1):
        client.get("/api/v1/articles/999999/")

    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "detail": "未找到该内容：它不存在，或尚未发布。"}
    assert client.get("/api/v1/issues/mei-you/", HTTP_ACCEPT="text/html").status_code == 406


def test_the_list_is_rendered_once_per_set_of_live_publications(client, chief, django_assert_num_queries):
    first = an_issue(1)
    url = reverse("v1:issue-list")
    with django_assert_num_queries(2):  # the live set, then the page's summaries
        cold = client.get(url)
    with django_assert_num_queries(1):  # the live set: the page is rendered already
        warm = client.get(url, HTTP_IF_NONE_MATCH=cold["ETag"])
    second = an_issue(1)

    changed = client.get(url, HTTP_IF_NONE_MATCH=cold["ETag"])

    assert warm.status_code == 304
    assert [entry["slug"] for entry in cold.json()["results"]] == [first.slug]
    assert changed.status_code == 200
    assert {entry["slug"] for entry in changed.json()["results"]} == {first.slug, second.slug}
    assert changed.json()["count"] == 2
    assert gzip.decompress(client.get(url, HTTP_ACCEPT_ENCODING="gzip").content) == changed.content


# --- Redis: the shared cache, and processes that learn of publishes at once ----------------


TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@TRANSACTIONAL
def test_with_redis_a_warm_request_runs_no_query(client, shared_redis, django_assert_num_queries):
    issue = an_issue()
    article = issue.articles.first()
    for url in (issue_url(issue), article_url(article), reverse("v1:issue-list")):
        client.get(url)  # fills Redis and this process's memory
        with django_assert_num_queries(0):
            response = client.get(url)
        assert response.status_code == 200

    assert client.get(issue_url(issue)).content == live(issue).body.encode("utf-8")


def test_inside_a_transaction_what_is_live_is_never_cached(client, shared_redis, django_assert_num_queries):
    # Pytest's own transaction around this test: a publication made in it could still be
    # rolled back, so no pointer to it may reach Redis.
    issue = an_issue()
    client.get(issue_url(issue))

    with django_assert_num_queries(1):
        assert client.get(issue_url(issue)).status_code == 200
    assert list(caches.redis_client(REDIS_URL).scan_iter(f"{shared_redis}:*:delivery:live:*")) == []


@TRANSACTIONAL
def test_with_redis_a_withdrawal_is_announced_and_gone_at_once(client, chief, shared_redis):
    issue = an_issue()
    article = issue.articles.first()
    for url in (issue_url(issue), article_url(article)):
        client.get(url)
        client.get(url)  # served from this process's memory

    publishing.withdraw_issue(issue, user=chief, note="撤回")

    assert client.get(issue_url(issue)).status_code == 404
    assert client.get(article_url(article)).status_code == 404


@TRANSACTIONAL
def test_with_redis_a_missed_announcement_is_noticed(client, shared_redis):
    issue = an_issue()
    client.get(issue_url(issue))
    with CaptureQueriesContext(connection) as warm:
        client.get(issue_url(issue))
    # Another server changes the generation, but the announcement never arrives.
    caches.shared_cache().set(listener.GENERATION_KEY, "changed-elsewhere", timeout=None)

    with CaptureQueriesContext(connection) as kept:
        client.get(issue_url(issue))
    later = timezone.now() + dt.timedelta(seconds=django_settings.DELIVERY_LOCAL_POINTER_TTL + 1)
    with time_machine.travel(later), CaptureQueriesContext(connection) as checked:
        client.get(issue_url(issue))

    assert (len(warm), len(kept)) == (0, 0)  # kept in memory for a moment
    assert len(checked) == 1  # then checked against Redis, and read again from the database


@TRANSACTIONAL
def test_with_redis_an_embargo_lifts_at_its_second(client, chief, shared_redis):
    issue = an_issue(1, headline="第一版")
    Article.objects.filter(issue=issue).update(headline="第二版")
    Correction.objects.create(article=issue.articles.get(), text="更正。")
    lift = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=21)

    with time_machine.travel(lift - dt.timedelta(seconds=20), tick=False):
        publishing.publish_issue(issue, user=chief, at=lift)
        client.get(issue_url(issue))
        client.get(issue_url(issue))
    with time_machine.travel(lift - dt.timedelta(milliseconds=1), tick=False):
        before = client.get(issue_url(issue)).json()
    with time_machine.travel(lift, tick=False):
        after = client.get(issue_url(issue)).json()

    assert before["parts"][0]["article"]["headline"] == "第一版0"
    assert after["parts"][0]["article"]["headline"] == "第二版"


# --- Two processes sharing the database (and Redis) ----------------------------------------

# The production entry (newsroom/wsgi.py: ready answers, public reads in front of Django).
READER = """
import json, sys
from newsroom.wsgi import application
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
for path in sys.stdin:
    started = []
    with CaptureQueriesContext(connection) as queries:
        environ = RequestFactory().get(path.strip()).environ
        b"".join(application(environ, lambda status, headers, exc_info=None: started.append((status, headers))))
    status, headers = started[0]
    print(json.dumps([int(status.split()[0]), dict(headers).get("ETag"), len(queries)]), flush=True)
"""


class Reader:
    """Another Django process reading the API from the same database (a worker elsewhere)."""

    def __init__(self, env: dict):
        self.process = subprocess.Popen(  # noqa: S603 (this test's own script)
            [sys.executable, "-c", READER],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def get(self, path: str) -> list:
        self.process.stdin.write(path + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def other_process(request):
    if connection.vendor != "postgresql":
        pytest.skip("two processes need a shared database: run on PostgreSQL (DATABASE_URL)")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": "a-test-key-of-the-other-process-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "testserver",
        "DEBUG": "false",
    }
    env.pop("REDIS_URL", None)
    readers = []

    def start(**extra) -> Reader:
        readers.append(Reader({**env, **extra}))
        return readers[-1]

    yield start
    for reader in readers:
        reader.close()


@TRANSACTIONAL
@pytest.mark.parametrize("cache", ["memory", "redis"])
def test_a_withdrawal_is_gone_at_once_in_another_process(cache, chief, other_process, request):
    extra = {}
    if cache == "redis":
        prefix = request.getfixturevalue("shared_redis")
        extra = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    reader = other_process(**extra)
    issue = an_issue(2)
    paths = [issue_url(issue), article_url(issue.articles.first())]
    # The second and third rounds are served warm (with Redis: the third as ready answers).
    warm = [reader.get(path) for path in paths * 3][2:]

    publishing.withdraw_issue(issue, user=chief, note="撤回")
    withdrawn = [reader.get(path)[0] for path in paths]
    publishing.publish_issue(issue, user=chief)
    back = reader.get(paths[0])

    assert [status for status, _, _ in warm] == [200] * 4
    # Memory only: one small query per request. Redis: none, the pointer is kept.
    assert [count for _, _, count in warm] == ([0] * 4 if cache == "redis" else [1] * 4)
    assert withdrawn == [404, 404]
    assert back[0] == 200 and back[1] == f'"{live(issue).sha256}"' != warm[0][1]


# --- The SQL of the public reads is the live rule ------------------------------------------


def test_the_public_reads_follow_the_live_rule_through_every_kind_of_change(chief):
    start = timezone.now()
    soon, later = start + dt.timedelta(hours=1), start + dt.timedelta(hours=3)
    twice = an_issue(1)
    publishing.publish_issue(twice, user=chief)
    embargoed = IssueFactory()
    ArticleFactory(issue=embargoed)
    publishing.publish_issue(embargoed, user=chief, at=soon)
    withdrawn = an_issue(1)
    publishing.withdraw_issue(withdrawn, user=chief, note="撤回")
    back_later = an_issue(1)
    publishing.withdraw_issue(back_later, user=chief, note="撤回")
    publishing.publish_issue(back_later, user=chief, at=later)
    cancelled = an_issue(1)
    publishing.publish_issue(cancelled, user=chief, at=soon)
    publishing.withdraw_issue(cancelled, user=chief, note="取消")
    issues = [twice, embargoed, withdrawn, back_later, cancelled]
    now = timezone.now()

    for at in (start, now, soon, later + dt.timedelta(seconds=1)):
        rule = Publication.objects.live(at)
        for issue in issues:
            expected = rule.filter(slug=issue.slug).first()
            found = selectors.live_issue(issue.slug, at)
            assert (found and found.pk) == (expected and expected.pk), (issue.slug, at)
            for article in issue.articles.all():
                row = PublishedArticle.objects.filter(article=article, publication__in=rule).first()
                found = selectors.live_article(article.pk, at)
                assert (found and found.pk) == (row and row.pk), (article.pk, at)
        assert [row.pk for row in selectors.live_listing(at)] == list(
            rule.newest_first().values_list("pk", flat=True)
        )
    assert selectors.live_issue(twice.slug, now).next_change == soon


def test_negotiation_follows_the_weights():
    assert encodings.negotiate("gzip;q=1.0, br;q=0.9") == "gzip"
    assert encodings.negotiate("br;q=0.1, identity;q=0.5") == "identity"
    assert encodings.negotiate("*;q=0, gzip") == "gzip"
    assert encodings.negotiate("deflate, zstd") == "identity"
    assert encodings.negotiate("gzip;q=bad") == "identity"
    assert encodings.negotiate("br;level=5;q=0.2, gzip;q=0.3") == "gzip"


def test_process_memory_is_bounded(settings):
    settings.DELIVERY_LOCAL_BYTES = 100
    memory = caches.LocalMemory("DELIVERY_LOCAL_BYTES")
    for n in range(5):
        memory.put(n, b"x" * 40, 40)

    assert memory.get(0) is None and memory.get(1) is None and memory.get(2) is None
    assert memory.get(3) == memory.get(4) == b"x" * 40
    assert memory.size == 80
    memory.put("big", b"x" * 101, 101)  # larger than the bound: not kept
    assert memory.get("big") is None


# --- The bench issue -------------------------------------------------------------------


def test_make_bench_issue_builds_a_realistic_published_issue(client):
    call_command("make_bench_issue", "--articles", "4", "--slug", "ji-zhun", verbosity=0)

    data = client.get("/api/v1/issues/ji-zhun/").json()
    articles = [part["article"] for part in data["parts"] if part["type"] == "article"]
    assert len(articles) == 4
    assert {part["type"] for part in data["parts"]} == {"article", "photo", "timeline"}
    for article in articles:
        assert 2 <= len(article["bylines"]) <= 4
        testimonies = [node for node in article["body"] if node["type"] == "testimony"]
        assert len(testimonies) == 1 and testimonies[0]["speaker_name"]
        photos = [node for node in article["body"] if node["type"] == "photo"]
        photos += [node for node in testimonies[0]["body"] if node["type"] == "photo"]
        assert 1 <= len(photos) <= 3
        assert all(photo["photo"]["credit"]["line"] and photo["photo"]["alt_text"] for photo in photos)
        paragraphs = [node["text"] for node in article["body"] if node["type"] == "paragraph"]
        assert len(paragraphs) >= 12 and all(10 <= len(text) <= 300 for text in paragraphs)
    timeline = next(part["timeline"] for part in data["parts"] if part["type"] == "timeline")
    assert len(timeline["items"]) == 20
