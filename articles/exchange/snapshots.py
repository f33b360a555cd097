"""What an export reads: whether the issue is finished, and everything a package is written
from, read once (`reading`). A `Snapshot` is what a package is written from (the working
copy, the publication readers see, every photo either shows); a `WorkingCopy` is the working
copy alone, which an import with --replace compares a package with.
"""

import datetime as dt
import json
from dataclasses import dataclass

from django.utils import timezone

from articles.delivery.rendering import render_issue
from articles.exchange.issue_json import Identifiers, issue_document
from articles.exchange.reading import load_issue, load_photos, reading_order
from articles.models import Contributor, Issue, Publication, Timeline
from articles.workflow import UNFINISHED, ArticleStatus, IssueStatus
from media.models import Photo
from media.published import photo_nodes


class ExportRefused(Exception):
    """The issue cannot be exported as asked; the message says why, in Chinese.
    `unfinished` when only `allow_draft` would let it through."""

    def __init__(self, message: str, *, unfinished: bool = False):
        super().__init__(message)
        self.unfinished = unfinished


# Which publication, and whether the issue is finished


def source_publication(issue: Issue) -> Publication | None:
    """The snapshot readers see or will see (an embargo) unless a withdrawal came after it."""
    newest = issue.publications.order_by("-number").first()
    return newest if newest is not None and newest.kind == Publication.Kind.SNAPSHOT else None


def unfinished_reason(issue: Issue, publication: Publication | None, now=None) -> str | None:
    """Why the issue is not finished (None when it is): finished means a live publication,
    or never published with every article approved."""
    now = now or timezone.now()
    if publication is not None:
        if publication.visible_from <= now:
            return None
        when = timezone.localtime(publication.visible_from).strftime("%Y-%m-%d %H:%M")
        return f"专题《{issue}》定时于 {when} 发布，读者尚看不到它。"
    if issue.status == IssueStatus.WITHDRAWN:
        return f"专题《{issue}》已撤回，读者看不到它。"
    if issue.status == IssueStatus.PUBLISHED:
        return f"专题《{issue}》没有发布记录。"
    statuses = list(issue.articles.values_list("headline", "status"))
    if not statuses:
        return f"专题《{issue}》还没有稿件。"
    unfinished = [
        f"《{headline}》（{ArticleStatus(status).label}）"
        for headline, status in statuses
        if status in UNFINISHED
    ]
    if unfinished:
        return f"专题《{issue}》尚未发布，且有稿件未经审核：{'、'.join(unfinished)}。"
    return None


# Public JSON walkers


def public_photos(issue: dict) -> list[dict]:
    """Photo dicts in the public JSON, in reading order (page photos and body photos)."""
    return list(photo_nodes(issue["parts"]))


def public_contributor_ids(issue: dict) -> set[int]:
    ids = set()
    for part in issue["parts"]:
        if part["type"] == "article":
            ids |= {credit["contributor_id"] for credit in part["article"]["bylines"]}
        elif part["type"] == "timeline":
            ids |= {credit["contributor_id"] for credit in part["timeline"]["credit"]["credits"]}
    ids |= {
        credit["contributor_id"] for photo in public_photos(issue) for credit in photo["credit"]["credits"]
    }
    return ids


# Whose photos and names the package carries, numbered as issue.json names them


def _placed_photo_pks(parts: list) -> list[int]:
    """The photos the working copy places, in reading order (repeats included)."""
    pks: list[int] = []
    for part_type, _, obj in parts:
        if part_type == "article":
            pks += [b.photo_id for b in obj.blocks.all() if b.photo_id]
        elif part_type == "photo":
            pks.append(obj.photo_id)
    return pks


def _credited(parts: list, photos: list[Photo]) -> dict[int, Contributor]:
    """Everyone the working copy credits: photos' credits, then articles' and timelines' bylines."""
    credited = [c.contributor for p in photos for c in p.credits.all()]
    for part_type, _, obj in parts:
        if part_type in ("article", "timeline"):
            credited += [b.contributor for b in obj.bylines.all()]
    return {c.pk: c for c in credited}


def _in_name_order(people: dict[int, Contributor]) -> list[Contributor]:
    return sorted(people.values(), key=lambda c: (c.name, c.disambiguation, c.pk))


def _numbered(pks, prefix: str) -> dict[int, str]:
    return {pk: f"{prefix}-{n}" for n, pk in enumerate(pks, start=1)}


def identifiers(photos: list[Photo], contributors: list[Contributor], parts: list) -> Identifiers:
    return Identifiers(
        photos=_numbered([p.pk for p in photos], "photo"),
        contributors=_numbered([c.pk for c in contributors], "contributor"),
        timelines=_numbered([obj.pk for part_type, _, obj in parts if part_type == "timeline"], "timeline"),
    )


# The working copy alone


@dataclass
class WorkingCopy:
    """An issue's working copy as issue.json would carry it, with the rows each package
    identifier stands for: what an import with --replace compares a package with."""

    document: dict
    issue: Issue
    photos: dict[str, Photo]  # "photo-1" -> the row
    timelines: dict[str, Timeline]  # "timeline-1" -> the row


def working_copy(issue: Issue) -> WorkingCopy:
    """The issue's working copy in the issue.json format (no publication, only the photos the
    working copy places), read in a constant number of queries."""
    loaded = load_issue(issue.pk)
    parts = reading_order(loaded)
    photo_pks = list(dict.fromkeys(_placed_photo_pks(parts)))
    photos_by_pk = load_photos(photo_pks)
    photos = [photos_by_pk[pk] for pk in photo_pks]
    contributors = _in_name_order(_credited(parts, photos))
    ids = identifiers(photos, contributors, parts)
    timelines = [obj for part_type, _, obj in parts if part_type == "timeline"]
    return WorkingCopy(
        document=issue_document(loaded, parts, photos, contributors, None, ids),
        issue=loaded,
        photos={ids.photos[p.pk]: p for p in photos},
        timelines={ids.timelines[t.pk]: t for t in timelines},
    )


# What one export reads


@dataclass
class Snapshot:
    """Everything one export reads from the database, read once."""

    issue: Issue
    parts: list
    publication: Publication | None
    public: dict  # the public issue JSON the edition shows
    photos: list[Photo]
    contributors: list[Contributor]
    ids: Identifiers
    draft: bool
    exported_at: dt.datetime


def take_snapshot(issue: Issue, *, allow_draft: bool = False, now=None) -> Snapshot:
    """Read the issue for export, or refuse (ExportRefused) an unfinished one."""
    issue = Issue.objects.get(pk=issue.pk)  # as it is now, not as the caller last saw it
    publication = source_publication(issue)
    reason = unfinished_reason(issue, publication, now)
    if reason and not allow_draft:
        raise ExportRefused(f"{reason}只有已发布（或稿件全部审核通过）的专题才能导出。", unfinished=True)
    loaded = load_issue(issue.pk)
    parts = reading_order(loaded)
    public = _public_issue(issue, publication)
    photos = _photos_shown(parts, public)
    people = _credited(parts, photos)
    only_public = public_contributor_ids(public) - set(people)
    people.update({c.pk: c for c in Contributor.objects.filter(pk__in=only_public)})
    contributors = _in_name_order(people)
    return Snapshot(
        issue=loaded,
        parts=parts,
        publication=publication,
        public=public,
        photos=photos,
        contributors=contributors,
        ids=identifiers(photos, contributors, parts),
        draft=reason is not None,
        exported_at=_latest_change(loaded, photos, publication),
    )


def _public_issue(issue: Issue, publication: Publication | None) -> dict:
    """The public JSON readers see, or for a draft the working copy rendered the same way."""
    if publication is not None:
        return json.loads(publication.body)
    statuses = [s for s in ArticleStatus.values if s != ArticleStatus.WITHDRAWN]
    return render_issue(issue.pk, statuses).issue


def _photos_shown(parts: list, public: dict) -> list[Photo]:
    """The working copy's photos in reading order, then any only the publication shows; an
    export without a file the readers' version shows would be incomplete, so it is refused."""
    photo_pks = _placed_photo_pks(parts) + [photo["id"] for photo in public_photos(public)]
    photo_pks = list(dict.fromkeys(photo_pks))
    photos_by_pk = load_photos(photo_pks)
    missing = [pk for pk in photo_pks if pk not in photos_by_pk]
    if missing:
        raise ExportRefused(
            f"发布内容引用的图片（编号 {'、'.join(map(str, missing))}）已被删除，无法导出其文件。"
        )
    return [photos_by_pk[pk] for pk in photo_pks]


def _latest_change(loaded: Issue, photos: list[Photo], publication: Publication | None) -> dt.datetime:
    """The package's time: never the clock, so an unchanged issue exports the same bytes."""
    times = [loaded.updated_at, *(a.updated_at for a in loaded.all_articles), *(p.updated_at for p in photos)]
    if publication is not None:
        times.append(publication.created_at)
    return max(times)
