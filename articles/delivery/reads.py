"""Reads: the working copy prefetched for rendering, and the live publications readers get.

Rendering reads (`issue_for_rendering`) run a constant number of queries whatever the size
of the issue; public reads never touch the working copy at all.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connections, router
from django.db.models import Min, Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Article, Block, Byline, Issue, IssuePhoto, Publication, PublishedArticle, Timeline
from articles.workflow import ArticleStatus
from media.models import Photo, PhotoCredit, Rendition
from media.specs import RenditionRow, delivery_order


def _photo_credits(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=PhotoCredit.objects.select_related("contributor"))


def _photo_parts(photo: str) -> list[Prefetch]:
    """What a photo's serializer reads, under the `photo` lookup, but its renditions
    (`attach_renditions`, after the prefetch)."""
    return [_photo_credits(f"{photo}__credits")]


def attach_renditions(photos: Iterable[Photo]) -> None:
    """Give each photo its renditions in delivery order as `delivered_renditions`, plain
    rows in one query: a 200-article issue has some 400 photos with 30 renditions each, and
    as model instances they took longer to build than the rest of the issue."""
    photos = list(photos)
    rows: dict[int, list[RenditionRow]] = defaultdict(list)
    for photo_id, *fields in Rendition.objects.filter(photo__in={photo.pk for photo in photos}).values_list(
        "photo_id", "ratio", "format", "width", "height", "file"
    ):
        rows[photo_id].append(RenditionRow(*fields))
    in_order = delivery_order()
    for found in rows.values():
        found.sort(key=in_order)
    for photo in photos:
        photo.delivered_renditions = rows.get(photo.pk, [])


def _bylines() -> Prefetch:
    return Prefetch("bylines", queryset=Byline.objects.select_related("contributor"))


def _article_parts() -> list:
    return [
        _bylines(),
        "sections",
        "corrections",
        Prefetch("blocks", queryset=Block.objects.select_related("photo")),
        *_photo_parts("blocks__photo"),
    ]


def issue_for_rendering(issue_pk: int, article_statuses, *, held_back=()) -> Issue:
    """The working copy of one issue with every part prefetched in reading order.

    Only articles in `article_statuses` are loaded (as `delivered_articles`), so no
    serializer can render an article that was not meant to be delivered; of the approved
    ones, those `held_back` are left out too (a published article cannot be held back).
    """
    articles = Article.objects.filter(status__in=article_statuses)
    if held_back:
        articles = articles.exclude(status=ArticleStatus.APPROVED, pk__in=list(held_back))
    articles = articles.in_reading_order().prefetch_related(*_article_parts())
    issue = Issue.objects.prefetch_related(
        Prefetch("articles", queryset=articles, to_attr="delivered_articles"),
        Prefetch(
            "issue_photos",
            queryset=IssuePhoto.objects.select_related("photo").prefetch_related(*_photo_parts("photo")),
        ),
        Prefetch("timelines", queryset=Timeline.objects.prefetch_related(_bylines(), "items")),
    ).get(pk=issue_pk)
    attach_renditions(
        [
            *(
                block.photo
                for article in issue.delivered_articles
                for block in article.blocks.all()
                if block.photo
            ),
            *(placement.photo for placement in issue.issue_photos.all()),
        ]
    )
    return issue


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


# Public reads: live publications only. The rule is PublicationQuerySet.live; the three
# reads a public request runs are that rule written out in SQL once, because compiling the
# ORM's nested subqueries took longer (~1 ms) than running them. tests/delivery/test_delivery.py
# checks them against PublicationQuerySet.live through embargoes, withdrawals and changes.

# The column holding each content coding of the stored bytes.
STORED_COLUMNS = {"identity": "body", "gzip": "body_gzip", "br": "body_br"}


class LiveRow(NamedTuple):
    pk: int  # the Publication (issue) or PublishedArticle (article) holding the bytes
    sha256: str
    last_modified: dt.datetime  # when readers could first see these bytes
    next_change: dt.datetime | None  # the next scheduled publication of any issue
    stored: str | bytes | None  # the bytes in the asked coding, unless left out


class ListedRow(NamedTuple):
    pk: int
    sha256: str
    next_change: dt.datetime | None


# Table and column names come from the models, values are always parameters (hence the
# noqa: S608 below).
PUBLICATION = Publication._meta.db_table
PUBLISHED_ARTICLE = PublishedArticle._meta.db_table
# p is live: the newest record of its issue whose time has come, and a snapshot.
# Parameters: the snapshot kind, the moment.
LIVE = f"""p.kind = %s AND p.id = (
    SELECT l.id FROM {PUBLICATION} l WHERE l.issue_id = p.issue_id AND l.visible_from <= %s
    ORDER BY l.number DESC LIMIT 1)"""  # noqa: S608
# The earliest scheduled visible_from of any issue, an index range scan for one row.
# Parameter: the moment.
NEXT_CHANGE = f"""(SELECT n.visible_from FROM {PUBLICATION} n WHERE n.visible_from > %s
    ORDER BY n.visible_from LIMIT 1)"""  # noqa: S608
# Parameters: moment, held SHA-256, slug, kind, moment.
ISSUE_SQL = {
    encoding: f"""SELECT p.id, p.sha256, p.visible_from, p.created_at, {NEXT_CHANGE},
        CASE WHEN p.sha256 = %s THEN NULL ELSE p.{column} END
        FROM {PUBLICATION} p WHERE p.slug = %s AND {LIVE}
        ORDER BY p.issue_id, p.number DESC LIMIT 1"""  # noqa: S608
    for encoding, column in STORED_COLUMNS.items()
}
# Parameters: moment, held SHA-256, article id, kind, moment. Should two issues carry the
# article (data from before moves of published articles were refused), the newest copy wins.
ARTICLE_SQL = {
    encoding: f"""SELECT a.id, a.sha256, p.visible_from, p.created_at, {NEXT_CHANGE},
        CASE WHEN a.sha256 = %s THEN NULL ELSE a.{column} END
        FROM {PUBLISHED_ARTICLE} a JOIN {PUBLICATION} p ON p.id = a.publication_id
        WHERE a.article_id = %s AND {LIVE}
        ORDER BY p.visible_from DESC, p.id DESC LIMIT 1"""  # noqa: S608
    for encoding, column in STORED_COLUMNS.items()
}
# Parameters: moment, kind, moment.
LISTING_SQL = f"""SELECT p.id, p.sha256, {NEXT_CHANGE} FROM {PUBLICATION} p WHERE {LIVE}
    ORDER BY p.issue_date DESC, p.visible_from DESC, p.issue_id DESC"""  # noqa: S608


def _run(sql: str, params: list) -> list[tuple]:
    connection = connections[router.db_for_read(Publication)]
    params = [
        connection.ops.adapt_datetimefield_value(p) if isinstance(p, dt.datetime) else p for p in params
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _moment(value) -> dt.datetime | None:
    """A datetime column as the driver returns it (SQLite: text in UTC) made aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def _live_row(row) -> LiveRow | None:
    if row is None:
        return None
    pk, sha256, visible_from, created_at, next_change, stored = row
    # Readers first saw these bytes when the record became visible, or (for one published
    # with a past time) when it was made.
    last_modified = max(_moment(visible_from), _moment(created_at))
    return LiveRow(pk, sha256, last_modified, _moment(next_change), stored)


def live_issue(slug: str, at=None, *, encoding: str = "identity", unless_sha256: str = "") -> LiveRow | None:
    """The issue's live publication, with its bytes in `encoding` unless their SHA-256 is
    `unless_sha256` (the caller holds them)."""
    at = at or timezone.now()
    rows = _run(ISSUE_SQL[encoding], [at, unless_sha256, slug, Publication.Kind.SNAPSHOT.value, at])
    return _live_row(rows[0] if rows else None)


def live_article(
    article_pk: int, at=None, *, encoding: str = "identity", unless_sha256: str = ""
) -> LiveRow | None:
    """The article as its issue's live publication carries it, or None."""
    at = at or timezone.now()
    rows = _run(ARTICLE_SQL[encoding], [at, unless_sha256, article_pk, Publication.Kind.SNAPSHOT.value, at])
    return _live_row(rows[0] if rows else None)


def live_listing(at=None) -> list[ListedRow]:
    """Every public issue's live publication, newest issue first: ids and hashes only."""
    at = at or timezone.now()
    rows = _run(LISTING_SQL, [at, Publication.Kind.SNAPSHOT.value, at])
    return [ListedRow(pk, sha256, _moment(next_change)) for pk, sha256, next_change in rows]


def next_change(at=None) -> dt.datetime | None:
    at = at or timezone.now()
    return Publication.objects.filter(visible_from__gt=at).aggregate(next=Min("visible_from"))["next"]


def stored_bytes(kind: str, pk: int, encoding: str) -> bytes:
    """One publication's (or published article's) stored bytes in `encoding`."""
    model = Publication if kind == "issue" else PublishedArticle
    stored = model.objects.filter(pk=pk).values_list(STORED_COLUMNS[encoding], flat=True).get()
    return stored.encode("utf-8") if isinstance(stored, str) else bytes(stored)


def listing_summaries(pks: list[int]) -> dict[int, dict]:
    """The list entries of these publications, as stored when they were published."""
    return dict(Publication.objects.filter(pk__in=pks).values_list("pk", "summary"))
