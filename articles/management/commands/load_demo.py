from django.core.management.base import BaseCommand

from articles.demo.loader import load_demo_issue


class Command(BaseCommand):
    help = "载入演示专题《我们这十年·来自浙江基层的报告》/ Load the demo special report."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="删除已有的演示专题（含其图片）后重建 / delete the demo issue and its photos, then recreate it",
        )

    def handle(self, *args, reset: bool = False, **options):
        issue, created = load_demo_issue(reset=reset)
        if not created:
            self.stdout.write(
                f"演示专题《{issue.title}》已存在，未作改动（如需重建请加 --reset）"
                " / demo issue already present, left unchanged (use --reset to recreate it)"
            )
            return
        verb_zh, verb_en = ("已重建", "recreated") if reset else ("已载入", "loaded")
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb_zh}演示专题《{issue.title}》（{self.summary(issue)}），网址标识 {issue.slug}"
                f" / demo issue {verb_en}: {issue.slug}"
            )
        )

    def summary(self, issue) -> str:
        return (
            f"{issue.articles.count()} 篇稿件、{issue.issue_photos.count()} 张专题图片、"
            f"{issue.timelines.count()} 份大事记"
        )
