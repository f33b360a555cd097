"""Prefetched reads for delivery: what the public may see, in a constant number of queries."""

from django.db.models import Prefetch, QuerySet

from media.models import PhotoCredit

from .models import Article, Block, Byline, Issue, IssuePhoto, Timeline
from .querysets import PublicationStatus


def _photo_credits(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=PhotoCredit.objects.select_related("contributor"))


def _bylines() -> Prefetch:
    return Prefetch("bylines", queryset=Byline.objects.select_related("contributor"))


def _article_parts() -> list[Prefetch]:
    return [
        _bylines(),
        "sections",
        Prefetch("blocks", queryset=Block.objects.select_related("photo")),
        _photo_credits("blocks__photo__credits"),
    ]


def issues_for_listing() -> QuerySet[Issue]:
    """Published issues, newest first; no parts loaded."""
    return Issue.objects.published().newest_first()


def issues_for_delivery() -> QuerySet[Issue]:
    """Published issues with every published part prefetched in reading order.

    Draft articles of a published issue are left out here, so no serializer can leak them.
    """
    published_articles = (
        Article.objects.filter(status=PublicationStatus.PUBLISHED)
        .in_reading_order()
        .prefetch_related(*_article_parts())
    )
    return Issue.objects.published().prefetch_related(
        Prefetch("articles", queryset=published_articles, to_attr="published_articles"),
        Prefetch(
            "issue_photos",
            queryset=IssuePhoto.objects.select_related("photo").prefetch_related(
                _photo_credits("photo__credits")
            ),
        ),
        Prefetch(
            "timelines",
            queryset=Timeline.objects.prefetch_related(_bylines(), "items"),
        ),
    )


def articles_for_delivery() -> QuerySet[Article]:
    """Published articles of published issues, with body, bylines and photos prefetched."""
    return Article.objects.published().select_related("issue").prefetch_related(*_article_parts())


def issue_parts(issue: Issue) -> list[tuple[str, int, object]]:
    """The issue's delivered parts as (type, position, object), in reading order.

    Articles, page photos and timelines share one position sequence; ties keep that
    type order so the result never depends on the database.
    """
    parts = [("article", a.position, a) for a in issue.published_articles]
    parts += [("photo", p.position, p) for p in issue.issue_photos.all()]
    parts += [("timeline", t.position, t) for t in issue.timelines.all()]
    type_rank = {"article": 0, "photo": 1, "timeline": 2}
    return sorted(parts, key=lambda part: (part[1], type_rank[part[0]], part[2].pk))
