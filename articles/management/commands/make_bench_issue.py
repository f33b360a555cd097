from django.core.management.base import BaseCommand, CommandError

from articles.demo.bench_issue import build_bench_issue
from articles.models import Issue


class Command(BaseCommand):
    help = (
        "生成并发布一个用于压力测试的专题 / Build and publish a realistic made-up issue for"
        " benchmarks (text from the demo issue, bylines, testimonies, photos, a timeline)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=20, help="稿件篇数 / number of articles")
        parser.add_argument("--slug", default="", help="网址标识，默认 bench-N / the issue's slug")
        parser.add_argument("--seed", type=int, default=0, help="随机种子 / random seed")
        parser.add_argument("--no-publish", action="store_true", help="只生成不发布 / build only")

    def handle(self, *args, articles: int, slug: str, seed: int, no_publish: bool, **options):
        if articles < 1:
            raise CommandError("稿件篇数至少为 1 / --articles must be at least 1")
        slug = slug or f"bench-{articles}"
        if Issue.objects.filter(slug=slug).exists():
            raise CommandError(f"网址标识 {slug} 已被占用 / an issue with slug {slug} exists")
        built = build_bench_issue(articles, slug=slug, seed=seed, publish=not no_publish)
        issue = built.issue
        if no_publish:
            self.stdout.write(self.style.SUCCESS(f"已生成《{issue}》（未发布） / built {slug}"))
            return
        publication = issue.publications.get()
        self.stdout.write(
            self.style.SUCCESS(
                f"已发布《{issue}》：{articles} 篇稿件，{len(publication.body.encode()):,} 字节，"
                f"发布用时 {built.publish_seconds * 1000:.0f} 毫秒"
                f" / published {slug}: {articles} articles, {len(publication.body.encode())} bytes,"
                f" publish took {built.publish_seconds * 1000:.0f} ms"
            )
        )
