import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.models import Issue
from articles.publications.publishing import publish_issue


class Command(BaseCommand):
    help = (
        "发布专题（或其修改），可定时 / Publish an issue, or its changes, now or at a given time"
        " (the same service as the admin's 发布 button)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="专题的网址标识 / the issue's slug")
        parser.add_argument(
            "--at",
            type=aware_time,
            help="读者可见时间，ISO 8601，无时区时按北京时间 / visible-from time, e.g. 2026-12-01T08:00",
        )
        parser.add_argument(
            "--leave-out",
            type=int,
            nargs="*",
            default=[],
            metavar="ARTICLE_ID",
            help="本次不发布的草稿或待审稿件 / unfinished articles to hold back",
        )
        parser.add_argument("--note", default="", help="说明 / a note for the record")

    def handle(self, *args, slug, at, leave_out, note, **options):
        issue = Issue.objects.filter(slug=slug).first()
        if issue is None:
            raise CommandError(f"没有网址标识为 {slug} 的专题 / no issue with slug {slug}")
        try:
            publication = publish_issue(issue, at=at, leave_out=leave_out, note=note)
        except ValidationError as error:
            reasons = "\n".join(f"  - {message}" for message in error.messages)
            raise CommandError(f"未发布 / not published:\n{reasons}") from error
        when = timezone.localtime(publication.visible_from).strftime("%Y-%m-%d %H:%M:%S %Z")
        self.stdout.write(
            self.style.SUCCESS(
                f"已发布《{issue}》第 {publication.number} 次，{when} 起读者可见"
                f" / publication {publication.number} visible from {publication.visible_from.isoformat()}"
            )
        )


def aware_time(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"不是 ISO 8601 时间 / not an ISO 8601 time: {value}") from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # the newsroom's zone, Asia/Shanghai
    return moment
