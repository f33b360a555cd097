"""Measure the issue export: time, package size and peak memory.

Runs against a throwaway database (SQLite in a temp folder unless DATABASE_URL is set) and
a temp MEDIA_ROOT: migrates, loads the demo issue (the baseline, measured in the same run),
then builds and publishes a generated issue of `--articles` articles with two photos each
(400 distinct photos for 200 articles), exported twice: with small photos and with photos
`--big-factor` times the bytes, to show that memory does not follow the photos.

Each issue is exported twice to files (as the command and the admin do): once timed, once
under tracemalloc for the peak of Python allocations; the two zips must be identical. The
process's peak RSS over the whole run is printed last.

    .venv/bin/python bench/export.py [--articles 200] [--big-factor 4]
"""

import argparse
import datetime as dt
import hashlib
import io
import os
import platform
import random
import resource
import secrets
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(tmp: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ["VAR_DIR"] = str(tmp)
    os.environ["MEDIA_ROOT"] = str(tmp / "uploads")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # production settings need one
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["STATIC_ROOT"] = str(tmp / "static")
    (tmp / "static").mkdir()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def noise_jpeg(seed: int, size: tuple[int, int], quality: int) -> bytes:
    """A distinct photo-like JPEG: noise compresses about as badly as a real photo."""
    from PIL import Image

    rng = random.Random(seed)  # noqa: S311 - pixels, not secrets
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def build_issue(articles: int, slug: str, photo_size: tuple[int, int], quality: int):
    """A published issue: `articles` articles of 3 bylines, 12 paragraphs, a testimony of
    6 paragraphs, two photos each (one in the testimony), a 50-item timeline."""
    from django.core.files.storage import default_storage

    from articles.models import Article, Block, Byline, Contributor, Issue, Section, Timeline, TimelineItem
    from articles.publications.publishing import publish_issue
    from articles.workflow import ArticleStatus
    from media.models import Photo, PhotoCredit

    issue = Issue.objects.create(title=f"导出基准专题 {slug}", slug=slug, issue_date=dt.date(2022, 6, 20))
    reporters = [Contributor.objects.get_or_create(name=f"记者{n}")[0] for n in range(10)]
    paragraph = "浙江，中国革命红船的起航地。“红色根脉”，党在浙江百年奋斗最鲜明的底色。" * 3
    photo_bytes = 0
    for n in range(articles):
        article = Article.objects.create(
            issue=issue,
            position=n + 1,
            headline=f"稿件{n}",
            slug=f"{slug}-{n}",
            status=ArticleStatus.APPROVED,
        )
        Byline.objects.bulk_create(
            Byline(article=article, contributor=reporters[(n + k) % 10], position=k) for k in range(3)
        )
        photos = []
        for k in range(2):
            data = noise_jpeg(n * 2 + k + (0 if slug.endswith("small") else 100_000), photo_size, quality)
            photo_bytes += len(data)
            name = default_storage.save(f"photos/bench/{slug}-{n}-{k}.jpg", io.BytesIO(data))
            photos.append(
                Photo(
                    image=name,
                    width=photo_size[0],
                    height=photo_size[1],
                    caption=f"图片说明{n}-{k}",
                    alt_text=f"替代文字{n}-{k}",
                )
            )
        photos = Photo.objects.bulk_create(photos)
        PhotoCredit.objects.bulk_create(
            PhotoCredit(photo=photo, contributor=reporters[n % 10], role="staff_reporter") for photo in photos
        )
        section = Section.objects.create(article=article, speaker_name="讲述人", headline="小标题")
        blocks = [Block(article=article, position=p, text=paragraph) for p in range(12)]
        blocks.append(Block(article=article, position=12, kind="photo", photo=photos[0]))
        blocks += [Block(article=article, section=section, position=13 + p, text=paragraph) for p in range(6)]
        blocks.append(Block(article=article, section=section, position=19, kind="photo", photo=photos[1]))
        Block.objects.bulk_create(blocks)
    timeline = Timeline.objects.create(issue=issue, position=articles + 1, title="大事记")
    Byline.objects.create(timeline=timeline, contributor=reporters[0])
    TimelineItem.objects.bulk_create(
        TimelineItem(timeline=timeline, position=n, date=dt.date(1970 + n, 1, 1), text=paragraph)
        for n in range(50)
    )
    publish_issue(issue)
    return issue, photo_bytes


def measure(issue, folder: Path) -> dict:
    """Export twice to files: timed without tracing, then under tracemalloc for the peak.
    The two zips must be the same bytes (the export is deterministic)."""
    from articles.exchange.export import export_issue

    timed, traced = folder / f"{issue.slug}.zip", folder / f"{issue.slug}-traced.zip"
    start = time.perf_counter()
    with open(timed, "wb") as out:
        result = export_issue(issue, out)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    with open(traced, "wb") as out:
        export_issue(issue, out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert digest(timed) == digest(traced), "two exports of one issue differ"
    return {
        "articles": result.articles,
        "photos": result.photos,
        "files": result.files,
        "bytes": timed.stat().st_size,
        "seconds": seconds,
        "peak": peak,
    }


def digest(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def mib(value: int) -> str:
    return f"{value / 1024 / 1024:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--big-factor", type=int, default=4, help="photo pixels ×N in the second run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        setup_django(tmp)
        import django
        from django.db import connection

        from articles.demo.loader import load_demo_issue

        demo, _ = load_demo_issue()
        small, small_bytes = build_issue(args.articles, "bench-small", (320, 240), 85)
        scale = args.big_factor**0.5  # pixels grow by big_factor
        big, big_bytes = build_issue(args.articles, "bench-big", (round(320 * scale), round(240 * scale)), 92)
        rows = [
            ("demo issue (baseline)", demo),
            (f"{args.articles} articles, small photos ({mib(small_bytes)} MiB of originals)", small),
            (f"{args.articles} articles, big photos ({mib(big_bytes)} MiB of originals)", big),
        ]
        vendor = connection.vendor
        version = connection.Database.sqlite_version if vendor == "sqlite" else connection.pg_version
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
            f"Python {platform.python_version()}; Django {django.get_version()}; database {vendor} {version}"
        )
        print("| issue | articles | photos | files | package MiB | seconds | peak traced MiB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label, issue in rows:
            m = measure(issue, tmp)
            print(
                f"| {label} | {m['articles']} | {m['photos']} | {m['files']} | {mib(m['bytes'])} | "
                f"{m['seconds']:.2f} | {mib(m['peak'])} |"
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"\nprocess peak RSS over the whole run (building included): {rss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
