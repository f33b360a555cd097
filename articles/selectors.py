"""Reads: the working copy prefetched for rendering, and the live publications readers get.

Rendering reads (`issue_for_rendering`) run a constant number of queries whatever the size
of the issue; public reads never touch the working copy at all.
"""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from media.models import PhotoCredit

from .models import Article, Block, Byline, Issue, IssuePhoto, Publication, PublishedArticle, Timeline


def _photo_credits(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=PhotoCredit.objects.select_related("contributor"))


def _bylines() -> Prefetch:
    return Prefetch("bylines", queryset=Byline.objects.select_related("contributor"))


def _article_parts() -> list:
    return [
        _bylines(),
        "sections",
        "corrections",
        Prefetch("blocks", queryset=Block.objects.select_related("photo")),
        _photo_credits("blocks__photo__credits"),
    ]


def issue_for_rendering(issue_pk: int, article_statuses) -> Issue:
    """The working copy of one issue with every part prefetched in reading order.

    Only articles in `article_statuses` are loaded (as `delivered_articles`), so no
    serializer can render an article that was not meant to be delivered.
    """
    articles = (
        Article.objects.filter(status__in=article_statuses)
        .in_reading_order()
        .prefetch_related(*_article_parts())
    )
    return Issue.objects.prefetch_related(
        Prefetch("articles", queryset=articles, to_attr="delivered_articles"),
        Prefetch(
            "issue_photos",
            queryset=IssuePhoto.objects.select_related("photo").prefetch_related(
                _photo_credits("photo__credits")
            ),
        ),
        Prefetch("timelines", queryset=Timeline.objects.prefetch_related(_bylines(), "items")),
    ).get(pk=issue_pk)


def issue_parts(issue: Issue) -> list[tuple[str, int, object]]:
    """The issue's delivered parts as (type, position, object), in reading order.

    Articles, page photos and timelines share one position sequence; ties keep that
    type order so the result never depends on the database.
    """
    parts = [("article", a.position, a) for a in issue.delivered_articles]
    parts += [("photo", p.position, p) for p in issue.issue_photos.all()]
    parts += [("timeline", t.position, t) for t in issue.timelines.all()]
    type_rank = {"article": 0, "photo": 1, "timeline": 2}
    return sorted(parts, key=lambda part: (part[1], type_rank[part[0]], part[2].pk))


# Public reads: live publications only (the rule is PublicationQuerySet.live).


def live_issue_listing(at=None) -> QuerySet[Publication]:
    """The live publication of every public issue, newest issue first; bodies not loaded."""
    return Publication.objects.live(at).newest_first().only("summary", "issue_date", "visible_from")


def live_issue(slug: str, at=None) -> Publication | None:
    return Publication.objects.live(at).filter(slug=slug).only("body", "sha256", "visible_from").first()


def live_article(article_pk: int, at=None) -> PublishedArticle | None:
    """The article as its issue's live publication carries it, or None."""
    at = at or timezone.now()
    newest = (
        Publication.objects.filter(issue_id=OuterRef("publication__issue_id"), visible_from__lte=at)
        .order_by("-number")
        .values("pk")[:1]
    )
    return (
        PublishedArticle.objects.filter(
            article_id=article_pk,
            publication_id=Subquery(newest),
            publication__kind=Publication.Kind.SNAPSHOT,
        )
        .only("body", "sha256")
        .first()
    )
