"""What media needs to know of publications to keep and retire the photo files readers
were given. Media sits below articles and never imports it: it is told here, at start-up
(`connect`, from the app's `ready()`)."""

from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from articles.models import Publication
from media import published, signals


def servable_bodies_containing(text: str) -> list[str]:
    servable = Q(pk__in=Publication.objects.live().values("pk")) | Q(
        visible_from__gt=timezone.now(), kind=Publication.Kind.SNAPSHOT
    )
    return list(Publication.objects.filter(servable, body__contains=text).values_list("body", flat=True))


def shown_before_and_now(publication_pk: int) -> tuple[str | None, str | None]:
    new = Publication.objects.only("pk", "issue_id", "number", "kind", "body").get(pk=publication_pk)
    previous = (
        Publication.objects.filter(
            issue_id=new.issue_id, kind=Publication.Kind.SNAPSHOT, number__lt=new.number
        )
        .order_by("-number")
        .values_list("body", flat=True)
        .first()
    )
    return previous, new.body if new.kind == Publication.Kind.SNAPSHOT else None


def connect() -> None:
    published.register(
        published.Publications(
            servable_bodies_containing=servable_bodies_containing,
            shown_before_and_now=shown_before_and_now,
        )
    )
    post_save.connect(
        signals.prune_after_publication, sender=Publication, dispatch_uid="media.prune_after_publication"
    )
