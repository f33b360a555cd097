"""What readers may see, decided in one place: the live publication."""

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone


class PublicationQuerySet(models.QuerySet):
    def live(self, at=None):
        """The publications readers see at `at` (default now): per issue, the highest-numbered
        record whose time has come, unless that record is a withdrawal.

        The one rule for the public. A later decision supersedes an earlier one, so a
        withdrawal made before an embargo lifts keeps the embargoed publication hidden, and an
        embargo needs no background job: it is only a `visible_from` in the future.
        """
        at = at or timezone.now()
        newest = (
            self.model.objects.filter(issue_id=OuterRef("issue_id"), visible_from__lte=at)
            .order_by("-number")
            .values("pk")[:1]
        )
        return self.filter(pk=Subquery(newest), kind=self.model.Kind.SNAPSHOT)

    def scheduled(self, at=None):
        """The publications whose time has not come at `at` (default now): an embargo still
        to lift, or a withdrawal set for later. Whatever `live()` will show next is here."""
        return self.filter(visible_from__gt=at or timezone.now())

    def newest_first(self):
        return self.order_by("-issue_date", "-visible_from", "-issue_id")


class ArticleQuerySet(models.QuerySet):
    def in_reading_order(self):
        return self.order_by("position", "id")
