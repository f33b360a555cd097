"""Reading an issue's working copy for export, in a constant number of SQL queries whatever
its size: every row the package carries, prefetched in the order the package lists it.
"""

from django.db.models import Prefetch

from articles.models import (
    Article,
    Block,
    Byline,
    Correction,
    Issue,
    IssuePhoto,
    Timeline,
    TimelineItem,
    TransitionRecord,
)
from media.models import Photo, PhotoCredit


def _bylines() -> Prefetch:
    return Prefetch("bylines", queryset=Byline.objects.select_related("contributor"))


def _transitions() -> Prefetch:
    return Prefetch(
        "transitions", queryset=TransitionRecord.objects.select_related("user").order_by("at", "id")
    )


def load_issue(issue_pk: int) -> Issue:
    articles = Article.objects.select_related("created_by", "updated_by").prefetch_related(
        _bylines(),
        "sections",
        Prefetch("blocks", queryset=Block.objects.order_by("position", "id")),
        Prefetch("corrections", queryset=Correction.objects.select_related("created_by")),
        _transitions(),
    )
    return (
        Issue.objects.select_related("updated_by")
        .prefetch_related(
            Prefetch("articles", queryset=articles.order_by("position", "id"), to_attr="all_articles"),
            Prefetch("issue_photos", queryset=IssuePhoto.objects.order_by("position", "id")),
            Prefetch(
                "timelines",
                queryset=Timeline.objects.order_by("position", "id").prefetch_related(
                    _bylines(),
                    Prefetch("items", queryset=TimelineItem.objects.order_by("position", "date", "id")),
                ),
            ),
            _transitions(),
        )
        .get(pk=issue_pk)
    )


def load_photos(pks: list[int]) -> dict[int, Photo]:
    credits = Prefetch("credits", queryset=PhotoCredit.objects.select_related("contributor"))
    photos = Photo.objects.filter(pk__in=pks).prefetch_related(credits, "renditions")
    return {photo.pk: photo for photo in photos}


def reading_order(issue: Issue) -> list[tuple[str, int, object]]:
    """Every part of the working copy, articles in any state: the selectors' order (position,
    then articles, page photos, timelines, then age)."""
    parts = [("article", a.position, a) for a in issue.all_articles]
    parts += [("photo", p.position, p) for p in issue.issue_photos.all()]
    parts += [("timeline", t.position, t) for t in issue.timelines.all()]
    rank = {"article": 0, "photo": 1, "timeline": 2}
    return sorted(parts, key=lambda part: (part[1], rank[part[0]], part[2].pk))
