from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.exchange.importing import PackageRefused, import_package


class Command(BaseCommand):
    help = (
        "把导出包导入本站的数据库和存储（一个事务，出错或被拒绝则什么都不改）"
        " / Import an exported issue package into this database and storage, all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("package", help="export_issue 生成的 ZIP 文件 / the package zip")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="网址标识相同的专题已存在时，以导出包原地更新它：稿件、正文块、大事记和图片沿用本站的编号，"
            "修订记录、流程记录、发布记录和网址都保留；本站在导出之后有改动时拒绝并列出改动"
            " / update an existing issue of the same slug in place, keeping ids and history;"
            " refused while the site holds work saved after the export",
        )
        parser.add_argument(
            "--discard-newer",
            action="store_true",
            help="与 --replace 同用：本站在导出之后的改动也以导出包为准（被替换的稿件先各记一版修订）"
            " / with --replace: let the package win over work saved on this site after the export",
        )

    def handle(self, *args, package: str, replace: bool, discard_newer: bool, **options):
        if discard_newer and not replace:
            raise CommandError("--discard-newer 只能与 --replace 一起使用 / needs --replace")
        try:
            result = import_package(package, replace=replace, discard_newer=discard_newer)
        except FileNotFoundError as error:
            raise CommandError(f"找不到文件 {package} / no such file") from error
        except PackageRefused as refusal:
            raise CommandError(
                f"未导入，数据库和存储均未改动 / not imported, nothing changed：{refusal}"
            ) from refusal
        issue = result.issue
        for note in result.notes:
            self.stdout.write(note)
        if result.publication is not None:
            when = timezone.localtime(result.publication.visible_from).strftime("%Y-%m-%d %H:%M")
            shown = f"已恢复第 {result.publication.number} 次发布，{when} 起读者可见"
        else:
            shown = "未恢复发布记录"
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入《{issue}》（{issue.slug}）：{result.articles} 篇稿件、{result.photos} 张图片，"
                f"作者新建 {result.contributors_created} 位、沿用 {result.contributors_matched} 位；{shown}"
                f" / imported {issue.slug}"
            )
        )
