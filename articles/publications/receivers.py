"""Who hears `publication_changed`, and what media needs to know of publications to keep
and retire the photo files readers were given. Wired once, at start-up (`connect`, from
the app's `ready()`).

Media sits below articles and never imports it: it is handed callables here
(`media.published`) and its receiver takes only what the signal sends (pks and an alias).
"""

from django.db.models import Q
from django.utils import timezone

from articles.delivery.listener import publications_changed
from articles.models import Publication
from articles.publications.signals import publication_changed
from media import published
from media import signals as media_signals


def servable_bodies_containing(text: str) -> list[str]:
    servable = Q(pk__in=Publication.objects.live().values("pk")) | Q(
        visible_from__gt=timezone.now(), kind=Publication.Kind.SNAPSHOT
    )
    return list(Publication.objects.filter(servable, body__contains=text).values_list("body", flat=True))


def shown_before_and_now(publication_pk: int) -> tuple[str | None, str | None]:
    new = (
        Publication.objects.only("pk", "issue_id", "number", "kind", "body").filter(pk=publication_pk).first()
    )
    if new is None:
        return None, None  # deleted since (the demo's reset): it leaves nothing to retire
    previous = (
        Publication.objects.filter(
            issue_id=new.issue_id, kind=Publication.Kind.SNAPSHOT, number__lt=new.number
        )
        .order_by("-number")
        .values_list("body", flat=True)
        .first()
    )
    return previous, new.body if new.kind == Publication.Kind.SNAPSHOT else None


def retire_delivered(sender, using, **kwargs) -> None:
    """Delivery's cached pointers of every app server give way to what was just committed."""
    publications_changed(using)


def connect() -> None:
    published.register(
        published.Publications(
            servable_bodies_containing=servable_bodies_containing,
            shown_before_and_now=shown_before_and_now,
        )
    )
    # Readers' caches first: they are what readers see next.
    publication_changed.connect(retire_delivered, dispatch_uid="delivery.publications_changed")
    publication_changed.connect(
        media_signals.prune_after_publication, dispatch_uid="media.prune_after_publication"
    )
