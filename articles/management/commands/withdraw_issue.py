from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.models import Issue
from articles.publications.publishing import withdraw_issue


class Command(BaseCommand):
    help = "撤回专题，读者立即看不到 / Withdraw an issue: readers lose it at once."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="专题的网址标识 / the issue's slug")
        parser.add_argument("--note", default="", help="撤回原因 / why")

    def handle(self, *args, slug, note, **options):
        issue = Issue.objects.filter(slug=slug).first()
        if issue is None:
            raise CommandError(f"没有网址标识为 {slug} 的专题 / no issue with slug {slug}")
        try:
            withdraw_issue(issue, note=note)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"已撤回《{issue}》/ withdrawn: {slug}"))
