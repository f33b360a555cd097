"""Measure publishing: render an issue and store its publication, 20 and 200 articles.

Runs against a throwaway PostgreSQL database (made and dropped here; `--sqlite` for a temp
SQLite file instead). For each size it builds `--runs` issues with `make_bench_issue`'s
builder, unpublished, and times `publish_issue` on each (the first publish: every article
moves from 已审 to 已发布), then publishes each once more after an edit (a republish: the
problem checks compare the working copy with the live publication). Each publish is timed
whole and by step (the steps are wrapped, not re-run). The load average before and after is
printed: these machines are shared, so read the figures next to it.

    .venv/bin/python bench/publishing.py [--runs 3] [--sizes 20,200] [--sqlite]
"""

import argparse
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEPS = {
    # (module, attribute): label
    ("articles.publications.publishing", "working_copy"): "render (serializers)",
    ("articles.publications.publishing", "issue_problems"): "problem checks",
    ("articles.publications.publishing", "move_all"): "article states and records",
    ("articles.publications.publishing", "_stored_forms"): "SHA-256, gzip and brotli",
    ("articles.publications.publishing", "store_snapshot"): "store (JSON, compression, inserts)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="20,200")
    parser.add_argument("--sqlite", action="store_true")
    options = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="newsroom-bench-publish-"))
    database = f"newsroom_bench_publish_{os.getpid()}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        VAR_DIR=str(tmp),
        MEDIA_ROOT=str(tmp / "uploads"),
    )
    os.environ.pop("REDIS_URL", None)
    if options.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    try:
        run(options)
    finally:
        if not options.sqlite:
            from django.db import connections

            connections.close_all()
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True
            )


def run(options) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from articles.demo.bench_issue import build_bench_issue
    from articles.models import Block
    from articles.publications import publishing

    spent: dict[str, list[float]] = defaultdict(list)
    for (module, name), label in STEPS.items():
        wrap(sys.modules[module], name, label, spent)

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    version = ".".join(map(str, connection.get_database_version()))
    print(f"Database: {connection.vendor} {version}")
    print(f"Load average before: {os.getloadavg()}")
    print()
    print("| articles | publish | ms, each run | median ms | JSON bytes (issue + articles) |")
    print("| ---: | --- | --- | ---: | ---: |")
    breakdown = {}
    for size in [int(n) for n in options.sizes.split(",")]:
        issues = [
            build_bench_issue(size, slug=f"publish-{size}-{n}", seed=n, publish=False).issue
            for n in range(options.runs)
        ]
        for kind in ("first", "again after an edit"):
            spent.clear()
            timings = []
            for issue in issues:
                if kind != "first":  # a published article's text changed, with its 更正
                    block = Block.objects.filter(article__issue=issue, kind=Block.Kind.PARAGRAPH).first()
                    block.text += "（补充）"
                    block.save(update_fields=["text"])
                    block.article.corrections.create(text="更正：补充一句。")
                started = time.perf_counter()
                publication = publishing.publish_issue(issue)
                timings.append(time.perf_counter() - started)
            size_bytes = len(publication.body.encode()) + sum(
                len(row.body.encode()) for row in publication.articles.all()
            )
            print(
                f"| {size} | {kind} | {' / '.join(f'{t * 1000:.0f}' for t in timings)} "
                f"| {statistics.median(timings) * 1000:.0f} | {size_bytes:,} |"
            )
            breakdown[(size, kind)] = {label: statistics.median(values) for label, values in spent.items()}
    print()
    print("Median ms per step (nested: store includes compression):")
    print()
    labels = list(STEPS.values())
    print("| articles | publish | " + " | ".join(labels) + " |")
    print("| ---: | --- |" + " ---: |" * len(labels))
    for (size, kind), steps in breakdown.items():
        cells = " | ".join(f"{steps.get(label, 0) * 1000:.0f}" for label in labels)
        print(f"| {size} | {kind} | {cells} |")
    print()
    print(f"Load average after: {os.getloadavg()}")


def wrap(module, name: str, label: str, spent: dict) -> None:
    original = getattr(module, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label].append(time.perf_counter() - started)

    setattr(module, name, timed)


if __name__ == "__main__":
    main()
