import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.exchange.export import ExportRefused, export_issue
from articles.models import Issue


class Command(BaseCommand):
    help = (
        "把专题导出为自成一体的标准包（ZIP：issue.json、ninjs、图片、静态网页）"
        " / Export a finished issue as a self-contained package (docs/export-format.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="专题的网址标识 / the issue's slug")
        parser.add_argument("--output", "-o", required=True, help="写入的 ZIP 文件 / the zip file to write")
        parser.add_argument(
            "--allow-draft",
            action="store_true",
            help="未发布（或稿件未全部审核）也导出，包标为草稿 / export an unfinished issue, marked draft",
        )

    def handle(self, *args, slug: str, output: str, allow_draft: bool, **options):
        issue = Issue.objects.filter(slug=slug).first()
        if issue is None:
            raise CommandError(f"没有网址标识为 {slug} 的专题 / no issue with slug {slug}")
        target = Path(output)
        if target.is_dir():
            raise CommandError(f"{output} 是文件夹，请给出 ZIP 文件名 / {output} is a folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed at the end: a refused or failed export never
        # leaves half a zip under the name asked for.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "w+b") as out:
                result = export_issue(issue, out, allow_draft=allow_draft, progress=self.progress())
            os.replace(temporary, target)
        except ExportRefused as refusal:
            hint = "如仍要导出（包会标为草稿），请加 --allow-draft。" if refusal.unfinished else ""
            raise CommandError(f"未导出 / not exported：{refusal}{hint}") from refusal
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        draft = "（草稿）" if result.draft else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出《{issue}》{draft}：{result.articles} 篇稿件、{result.photos} 张图片、"
                f"{result.files} 个文件，共 {result.bytes_written:,} 字节 → {target}"
                f" / exported {slug}{' (draft)' if result.draft else ''} to {target}"
            )
        )

    def progress(self):
        """A line per article, only when a person watches (stdout is a terminal)."""
        if not self.stdout.isatty():
            return None

        def report(n: int, total: int, headline: str) -> None:
            self.stdout.write(f"[{n}/{total}] {headline}")

        return report
