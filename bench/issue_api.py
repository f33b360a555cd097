"""Measure the read API: SQL queries, response size and latency per request.

Runs against a throwaway database (SQLite in a temp folder unless DATABASE_URL is set):
migrates it, loads the demo issue, builds a synthetic issue 20 times its size, then
requests both through Django's test client. The demo issue is the baseline the large one
is compared with in the same run, since these machines are noisy.

    .venv/bin/python bench/issue_api.py [--requests 60] [--articles 60]
"""

import argparse
import datetime as dt
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(tmp: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ["VAR_DIR"] = str(tmp)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["STATIC_ROOT"] = str(tmp / "static")
    (tmp / "static").mkdir()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_large_issue(article_count: int):
    """The demo issue, and a published one with `article_count` articles of 19 blocks each
    (a testimony with a photo inside), a page photo and a 50-item timeline."""
    from articles.delivery.reads import live_issue
    from articles.demo.loader import load_demo_issue
    from articles.models import (
        Article,
        Block,
        Byline,
        Contributor,
        IssuePhoto,
        Section,
        Timeline,
        TimelineItem,
    )
    from articles.publications.publishing import publish_issue
    from articles.workflow import ArticleStatus
    from tests.factories import IssueFactory, PhotoCreditFactory, PhotoFactory

    demo, _ = load_demo_issue()
    issue = IssueFactory(title="基准测试专题", slug="bench-large")
    reporters = [Contributor.objects.get_or_create(name=f"记者{n}")[0] for n in range(10)]
    photo = PhotoFactory()
    PhotoCreditFactory(photo=photo, contributor=reporters[0])
    paragraph = "浙江，中国革命红船的起航地。" * 8
    for n in range(article_count):
        article = Article.objects.create(
            issue=issue, position=n + 1, headline=f"稿件{n}", slug=f"bench-{n}", status=ArticleStatus.APPROVED
        )
        Byline.objects.bulk_create(
            Byline(article=article, contributor=reporters[(n + k) % 10], position=k) for k in range(3)
        )
        section = Section.objects.create(article=article, speaker_name="讲述人", headline="小标题")
        blocks = [Block(article=article, position=p, text=paragraph) for p in range(12)]
        blocks += [Block(article=article, section=section, position=12 + p, text=paragraph) for p in range(6)]
        blocks.append(
            Block(article=article, section=section, position=18, kind="photo", text="", photo=photo)
        )
        Block.objects.bulk_create(blocks)
    IssuePhoto.objects.create(issue=issue, photo=photo, position=article_count + 1)
    timeline = Timeline.objects.create(issue=issue, position=article_count + 2, title="大事记")
    Byline.objects.create(timeline=timeline, contributor=reporters[0])
    TimelineItem.objects.bulk_create(
        TimelineItem(timeline=timeline, position=n, date=dt.date(1970 + n, 1, 1), text=paragraph)
        for n in range(50)
    )
    start = time.perf_counter()
    publish_issue(issue)
    publish_ms = (time.perf_counter() - start) * 1000
    assert live_issue(issue.slug) is not None
    return demo, issue, publish_ms


def measure(client, url: str, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "queries": query_count,
        "bytes": len(response.content),
        "median_ms": statistics.median(timings),
        "p90_ms": statistics.quantiles(timings, n=10)[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--articles", type=int, default=60)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        import django
        from django.core.signals import request_finished, request_started
        from django.db import close_old_connections, connection, reset_queries
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        # As Django's own test cases do: keep one connection and its query log across requests.
        request_started.disconnect(reset_queries)
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        demo, large, publish_ms = build_large_issue(args.articles)
        client = Client()
        rows = [
            ("issue list", "/api/v1/issues/"),
            (f"demo issue ({demo.articles.count()} articles)", f"/api/v1/issues/{demo.slug}/"),
            (f"large issue ({large.articles.count()} articles)", f"/api/v1/issues/{large.slug}/"),
            ("one demo article", f"/api/v1/articles/{demo.articles.first().pk}/"),
            ("one large-issue article", f"/api/v1/articles/{large.articles.first().pk}/"),
        ]
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
            f"Python {platform.python_version()}; Django {django.get_version()}; "
            f"database {connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}"
        )
        print(f"{args.requests} requests each, Django test client (no network)")
        print(f"publishing the large issue (checks, render, store): {publish_ms:.0f} ms\n")
        print("| request | SQL queries | response bytes | median ms | p90 ms |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for label, url in rows:
            m = measure(client, url, args.requests)
            print(f"| {label} | {m['queries']} | {m['bytes']:,} | {m['median_ms']:.1f} | {m['p90_ms']:.1f} |")


if __name__ == "__main__":
    main()
