"""Import a manuscript (.txt or .docx) as a draft issue, or as new draft articles of an
existing issue, the way the admin's 导入稿件 page does.

    python manage.py import_text page.txt --dry-run            # the report and the line map
    python manage.py import_text page.txt --accept-all --date 2022-06-20
    python manage.py import_text page.docx --issue wo-men-zhe-shi-nian --accept punct-3,join-27
"""

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.copydesk.desk import manuscript_too_long
from articles.copydesk.files import TEXT_SUFFIXES, UnreadableDocument, docx_text, plain_text
from articles.copydesk.grammar import UNPLACED
from articles.copydesk.importing import propose, save_proposal
from articles.exceptions import refusal_reasons
from articles.models import Issue


class Command(BaseCommand):
    help = "导入稿件文本（.txt 或 .docx）为草稿：先给出校对报告和逐行识别结果，再一次保存。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="稿件文件：.txt（UTF-8 或 GB18030）或 .docx")
        parser.add_argument("--issue", metavar="SLUG", help="加到这个已有专题（按网址标识）；不填则新建专题")
        parser.add_argument("--dry-run", action="store_true", help="只显示报告和识别结果，不保存")
        parser.add_argument("--accept-all", action="store_true", help="接受报告中的全部修改建议")
        parser.add_argument(
            "--accept", default="", metavar="ID,…", help="接受这些修改建议（报告中方括号里的编号）"
        )
        parser.add_argument("--title", default="", help="新建专题的名称（默认用稿件中识别出的专题名称）")
        parser.add_argument(
            "--date", default="", metavar="YYYY-MM-DD", help="新建专题的刊发日期（默认今天，北京时间）"
        )
        parser.add_argument(
            "--user", default="", metavar="USERNAME", help="记为导入人和稿件作者账号（默认不记名）"
        )
        parser.add_argument("--lines", action="store_true", help="逐行列出每一行成了什么")

    def handle(self, *args, **options):
        text = read_file(Path(options["file"]))
        too_long = manuscript_too_long(text)
        if too_long:
            raise CommandError(too_long)
        issue = None
        if options["issue"]:
            issue = Issue.objects.filter(slug=options["issue"]).first()
            if issue is None:
                raise CommandError(f"没有网址标识为“{options['issue']}”的专题。")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户“{options['user']}”。")
        accepted = {value.strip() for value in options["accept"].split(",") if value.strip()}
        proposal = propose(text, user=user, issue=issue, accepted=accepted, accept_all=options["accept_all"])
        self.show(proposal, lines=options["lines"] or options["dry_run"])
        if options["dry_run"]:
            self.stdout.write("（试运行：没有保存任何内容）")
            return
        try:
            done = save_proposal(
                proposal, user=user, title=options["title"], issue_date=parse_date(options["date"])
            )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError("未保存：" + "；".join(refusal_reasons(error))) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"已保存到专题“{done.issue}”（{done.issue.slug}）：{len(done.articles)} 篇草稿稿件、"
                f"{done.page_photos} 张专题图片、{done.timelines} 份大事记；{done.awaiting} 张图片待配图。"
            )
        )

    def show(self, proposal, *, lines: bool) -> None:
        reading = proposal.reading
        write = self.stdout.write
        write(f"专题名称：{proposal.title or '（未识别出）'}")
        for n, part in enumerate(reading.page.parts, start=1):
            name = (
                getattr(part, "headline", "")
                or getattr(part, "title", "")
                or getattr(part, "caption", "")[:20]
            )
            write(f"  {n}. {part.type} {name}")
        write("")
        write(f"校对报告（{len(reading.findings)} 条，已接受 {len(reading.accepted)} 条修改）：")
        for finding in reading.findings:
            state = (
                "已接受" if finding.id in reading.accepted else ("可修改" if finding.fixable else "请核实")
            )
            write(f"  [{finding.id}] {finding.where} {finding.category}（{state}）：{finding.message}")
        counts = "，".join(f"{label} {count}" for label, count in reading.element_counts().most_common())
        write("")
        write(f"各元素行数：{counts}")
        if lines:
            write("")
            for row in reading.rows():
                if row.element != "空行":
                    note = f"（{row.note}）" if row.note else ""
                    write(f"  {row.number:>4} {row.element}{note}：{row.text[:40]}")
        unplaced = [row for row in reading.rows() if row.element == UNPLACED]
        if unplaced:
            write(
                self.style.WARNING(
                    f"未能识别 {len(unplaced)} 行：" + "、".join(str(r.number) for r in unplaced)
                )
            )
        for problem in proposal.problems:
            write(self.style.ERROR(problem))
        for name, match in proposal.contributors.items():
            if match.chosen is not None:
                write(f"  作者“{name}”：沿用已有（#{match.chosen.pk}）")


def read_file(path: Path) -> str:
    if not path.is_file():
        raise CommandError(f"找不到文件：{path}")
    if path.suffix.lower() == ".docx":
        try:
            return docx_text(str(path))
        except UnreadableDocument as error:
            raise CommandError(str(error)) from error
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise CommandError(f"不支持 {path.suffix} 文件：请用 .txt 或 .docx。")
    text = plain_text(path.read_bytes())
    if text is None:
        raise CommandError("无法读取文本文件的编码：请另存为 UTF-8。")
    return text


def parse_date(value: str) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"日期“{value}”不对：请写成 YYYY-MM-DD。") from error
