"""Exporting a finished issue as a self-contained package (a zip): the working copy in the
versioned issue.json format, the publication it was exported from, one IPTC ninjs 3.1
document per article, every photo's files, and a static HTML edition. The layout and every
mapping are in docs/export-format.md.

Rules kept here:

- Only a finished issue exports: it has a live publication, or it was never published and
  every article is approved. `allow_draft` exports anything and marks the package a draft.
- Readers' version, not edits: ninjs and the static edition show the publication (its
  exact JSON is in the package as publication.json); issue.json carries the working copy.
- Deterministic: the same unchanged issue gives the same bytes. The package's time is the
  issue's latest recorded change, never the clock; entries are sorted, keys in a fixed order.
- Flat memory: photos are copied to the zip in chunks, straight from storage.
- Reading the issue runs a constant number of SQL queries whatever its size.
"""

import datetime as dt
import json
import mimetypes
import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import BinaryIO

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from articles.delivery.rendering import render_issue
from articles.exchange.formats import FORMAT_VERSION, ISSUE_FORMAT, PACKAGE_FORMAT, issue_format, ninjs, pages
from articles.exchange.formats.edition import (
    INDEX_PAGE,
    ISSUE_JSON_PATH,
    ISSUE_NINJS_PATH,
    MANIFEST_PATH,
    PUBLICATION_PATH,
    Edition,
    MediaFile,
    article_page,
    ninjs_path,
)
from articles.exchange.formats.zipper import DeterministicZip, read_chunks
from articles.models import (
    Article,
    Block,
    Byline,
    Contributor,
    Correction,
    Issue,
    IssuePhoto,
    Publication,
    Timeline,
    TimelineItem,
    TransitionRecord,
)
from articles.workflow import REVIEW, UNFINISHED, ArticleStatus, IssueStatus
from media.api.serializers import absolute_url
from media.models import Photo, PhotoCredit
from media.published import photo_nodes

Progress = Callable[[int, int, str], None]  # (n, total, what): one call per article


class ExportRefused(Exception):
    """The issue cannot be exported as asked; the message says why, in Chinese.
    `unfinished` when only `allow_draft` would let it through."""

    def __init__(self, message: str, *, unfinished: bool = False):
        super().__init__(message)
        self.unfinished = unfinished


def may_export(user) -> bool:
    """Editors and duty chiefs (and superusers): staff who see every issue and review its
    articles. A package hands the whole working copy out of the CMS, so reporters, who work
    on their own articles, do not export."""
    if user is None or not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or (user.has_perm("articles.view_issue") and user.has_perm(REVIEW))


def has_renditions() -> bool:
    """Whether the photo work's renditions (media.Rendition, `photo.renditions`) exist."""
    return hasattr(Photo, "renditions")


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


# Reading the working copy (constant queries)


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
    lookups: list = [Prefetch("credits", queryset=PhotoCredit.objects.select_related("contributor"))]
    if has_renditions():
        lookups.append("renditions")
    return {photo.pk: photo for photo in Photo.objects.filter(pk__in=pks).prefetch_related(*lookups)}


def reading_order(issue: Issue) -> list[tuple[str, int, object]]:
    """Every part of the working copy, articles in any state: the selectors' order (position,
    then articles, page photos, timelines, then age)."""
    parts = [("article", a.position, a) for a in issue.all_articles]
    parts += [("photo", p.position, p) for p in issue.issue_photos.all()]
    parts += [("timeline", t.position, t) for t in issue.timelines.all()]
    rank = {"article": 0, "photo": 1, "timeline": 2}
    return sorted(parts, key=lambda part: (part[1], rank[part[0]], part[2].pk))


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


# issue.json


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, settings.NEWSROOM_TIME_ZONE).isoformat()
    return value.isoformat()


def _plain(value):
    return iso(value) if isinstance(value, dt.date) else value


def username(user) -> str | None:
    return user.get_username() if user is not None else None


@dataclass
class Identifiers:
    """Package identifiers, and the exporting database's ids they stand for."""

    photos: dict[int, str] = field(default_factory=dict)  # photo pk -> "photo-1"
    contributors: dict[int, str] = field(default_factory=dict)  # contributor pk -> "contributor-1"
    timelines: dict[int, str] = field(default_factory=dict)  # timeline pk -> "timeline-1"


def _transition(record: TransitionRecord) -> dict:
    return {
        "action": record.action,
        "action_label": record.action_label,
        "from_status": record.from_status,
        "to_status": record.to_status,
        "note": record.note,
        "user": username(record.user),
        "at": iso(record.at),
    }


def _credit(credit, ids: Identifiers) -> dict:
    return {
        "contributor": ids.contributors[credit.contributor_id],
        "role": credit.role,
        "organisation": credit.organisation,
        "position": credit.position,
    }


def media_name(photo_id: str, name: str, spec: str | None = None) -> str:
    """The photo's file in the package: media/photo-1.jpg, a rendition media/photo-1.w640.webp."""
    extension = posixpath.splitext(name)[1].lower() or ".jpg"
    if spec is None:
        return f"media/{photo_id}{extension}"
    safe = re.sub(r"[^a-z0-9_-]+", "-", spec.lower()).strip("-") or "rendition"
    return f"media/{photo_id}.{safe}{extension}"


def _renditions(photo: Photo) -> list:
    if not has_renditions():
        return []
    return sorted(photo.renditions.all(), key=lambda r: (r.spec, r.format, r.pk))


# Photo fields the photo work adds (focal point, what the file said about itself): exported
# when this site has them. The renditions key is a cache fingerprint, not the editor's data.
# Its edit counter goes too, as the issue's and articles' do: an import with --replace
# compares it with the site's to tell work done since the export.
PHOTO_EXTRA_FIELDS = ("focal_x", "focal_y", "embedded_metadata", "version")
# A timeline's edit counter and time, when this site keeps them (same reason).
TIMELINE_EXTRA_FIELDS = ("version", "updated_at")


def _present(model, wanted: tuple[str, ...]) -> list[str]:
    names = {f.name for f in model._meta.concrete_fields}
    return [name for name in wanted if name in names]


def photo_extra_fields() -> list[str]:
    return _present(Photo, PHOTO_EXTRA_FIELDS)


def timeline_extra_fields() -> list[str]:
    return _present(Timeline, TIMELINE_EXTRA_FIELDS)


def _photo(photo: Photo, ids: Identifiers) -> dict:
    photo_id = ids.photos[photo.pk]
    return {
        "id": photo_id,
        "file": media_name(photo_id, photo.image.name),
        "width": photo.width,
        "height": photo.height,
        "caption": photo.caption,
        "alt_text": photo.alt_text,
        "credit_action": photo.credit_action,
        "credits": [_credit(c, ids) for c in photo.credits.all()],
        **{name: getattr(photo, name) for name in photo_extra_fields()},
        "created_at": iso(photo.created_at),
        "updated_at": iso(photo.updated_at),
    }


def _article(article: Article, ids: Identifiers) -> dict:
    sections = {section.pk: f"section-{n}" for n, section in enumerate(article.sections.all(), start=1)}
    return {
        "slug": article.slug,
        "kind": article.kind,
        "kicker": article.kicker,
        "headline": article.headline,
        "subheadline": article.subheadline,
        "status": article.status,
        "version": article.version,
        "created_by": username(article.created_by),
        "updated_by": username(article.updated_by),
        "created_at": iso(article.created_at),
        "updated_at": iso(article.updated_at),
        "bylines": [_credit(b, ids) for b in article.bylines.all()],
        "sections": [
            {
                "id": sections[s.pk],
                "speaker_name": s.speaker_name,
                "speaker_title": s.speaker_title,
                "headline": s.headline,
            }
            for s in article.sections.all()
        ],
        "blocks": [
            {
                "position": b.position,
                "kind": b.kind,
                "section": sections.get(b.section_id),
                "text": b.text,
                "photo": ids.photos.get(b.photo_id),
                "url": b.url,
            }
            for b in article.blocks.all()
        ],
        "corrections": [
            {"text": c.text, "created_by": username(c.created_by), "created_at": iso(c.created_at)}
            for c in article.corrections.all()
        ],
        "transitions": [_transition(t) for t in article.transitions.all()],
    }


def _timeline(timeline: Timeline, ids: Identifiers) -> dict:
    return {
        "id": ids.timelines[timeline.pk],
        "title": timeline.title,
        "credit_action": timeline.credit_action,
        **{name: _plain(getattr(timeline, name)) for name in timeline_extra_fields()},
        "bylines": [_credit(b, ids) for b in timeline.bylines.all()],
        "items": [
            {"position": i.position, "date": iso(i.date), "precision": i.date_precision, "text": i.text}
            for i in timeline.items.all()
        ],
    }


def issue_document(
    issue: Issue,
    parts: list,
    photos: list[Photo],
    contributors: list[Contributor],
    publication: Publication | None,
    ids: Identifiers,
) -> dict:
    """issue.json as a dict (format 1.0), from the loaded working copy."""
    part_docs = []
    for part_type, position, obj in parts:
        if part_type == "article":
            part_docs.append({"type": "article", "position": position, "article": _article(obj, ids)})
        elif part_type == "photo":
            part_docs.append({"type": "photo", "position": position, "photo": ids.photos[obj.photo_id]})
        else:
            part_docs.append({"type": "timeline", "position": position, "timeline": _timeline(obj, ids)})
    return {
        "format": ISSUE_FORMAT,
        "version": FORMAT_VERSION,
        "issue": {
            "slug": issue.slug,
            "title": issue.title,
            "subtitle": issue.subtitle,
            "description": issue.description,
            "issue_date": iso(issue.issue_date),
            "status": issue.status,
            "published_at": iso(issue.published_at),
            "version": issue.version,
            "updated_by": username(issue.updated_by),
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "transitions": [_transition(t) for t in issue.transitions.all()],
        },
        "publication": publication
        and {
            "number": publication.number,
            "visible_from": iso(publication.visible_from),
            "note": publication.note,
            "created_by": username(publication.created_by),
            "created_at": iso(publication.created_at),
        },
        "contributors": [
            {
                "id": ids.contributors[c.pk],
                "name": c.name,
                "disambiguation": c.disambiguation,
                "kind": c.kind,
                "created_at": iso(c.created_at),
            }
            for c in contributors
        ],
        "photos": [_photo(photo, ids) for photo in photos],
        "parts": part_docs,
    }


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
    photo_pks: list[int] = []
    for part_type, _, obj in parts:
        if part_type == "article":
            photo_pks += [b.photo_id for b in obj.blocks.all() if b.photo_id]
        elif part_type == "photo":
            photo_pks.append(obj.photo_id)
    photo_pks = list(dict.fromkeys(photo_pks))
    photos_by_pk = load_photos(photo_pks)
    ids = Identifiers(photos={pk: f"photo-{n}" for n, pk in enumerate(photo_pks, start=1)})
    credited = [c.contributor for pk in photo_pks for c in photos_by_pk[pk].credits.all()]
    for part_type, _, obj in parts:
        if part_type in ("article", "timeline"):
            credited += [b.contributor for b in obj.bylines.all()]
    contributors = sorted(
        {c.pk: c for c in credited}.values(), key=lambda c: (c.name, c.disambiguation, c.pk)
    )
    ids.contributors = {c.pk: f"contributor-{n}" for n, c in enumerate(contributors, start=1)}
    timelines = [obj for part_type, _, obj in parts if part_type == "timeline"]
    ids.timelines = {t.pk: f"timeline-{n}" for n, t in enumerate(timelines, start=1)}
    photos = [photos_by_pk[pk] for pk in photo_pks]
    return WorkingCopy(
        document=issue_document(loaded, parts, photos, contributors, None, ids),
        issue=loaded,
        photos={ids.photos[p.pk]: p for p in photos},
        timelines={ids.timelines[t.pk]: t for t in timelines},
    )


# The package


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
    if publication is not None:
        public = json.loads(publication.body)
    else:
        statuses = [s for s in ArticleStatus.values if s != ArticleStatus.WITHDRAWN]
        public = render_issue(issue.pk, statuses).issue

    # Photos: the working copy's in reading order, then any only the publication shows.
    photo_pks: list[int] = []
    for part_type, _, obj in parts:
        if part_type == "article":
            photo_pks += [b.photo_id for b in obj.blocks.all() if b.photo_id]
        elif part_type == "photo":
            photo_pks.append(obj.photo_id)
    photo_pks += [photo["id"] for photo in public_photos(public)]
    photo_pks = list(dict.fromkeys(photo_pks))
    photos_by_pk = load_photos(photo_pks)
    missing = [pk for pk in photo_pks if pk not in photos_by_pk]
    if missing:
        raise ExportRefused(
            f"发布内容引用的图片（编号 {'、'.join(map(str, missing))}）已被删除，无法导出其文件。"
        )
    photos = [photos_by_pk[pk] for pk in photo_pks]
    ids = Identifiers(photos={pk: f"photo-{n}" for n, pk in enumerate(photo_pks, start=1)})

    credited = [c.contributor for p in photos for c in p.credits.all()]
    for part_type, _, obj in parts:
        if part_type in ("article", "timeline"):
            credited += [b.contributor for b in obj.bylines.all()]
    people = {c.pk: c for c in credited}
    only_public = public_contributor_ids(public) - set(people)
    people.update({c.pk: c for c in Contributor.objects.filter(pk__in=only_public)})
    contributors = sorted(people.values(), key=lambda c: (c.name, c.disambiguation, c.pk))
    ids.contributors = {c.pk: f"contributor-{n}" for n, c in enumerate(contributors, start=1)}
    ids.timelines = {
        obj.pk: f"timeline-{n}" for n, obj in enumerate((o for t, _, o in parts if t == "timeline"), start=1)
    }

    times = [loaded.updated_at, *(a.updated_at for a in loaded.all_articles), *(p.updated_at for p in photos)]
    if publication is not None:
        times.append(publication.created_at)
    return Snapshot(
        issue=loaded,
        parts=parts,
        publication=publication,
        public=public,
        photos=photos,
        contributors=contributors,
        ids=ids,
        draft=reason is not None,
        exported_at=max(times),
    )


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def edition_for(snapshot: Snapshot, sizes: dict[str, int]) -> Edition:
    """The edition the public documents show; file sizes once the media are written."""
    publication, issue = snapshot.publication, snapshot.issue
    media: dict[int, list[MediaFile]] = {}
    context = {"base_url": settings.SITE_URL}
    for photo in snapshot.photos:
        photo_id = snapshot.ids.photos[photo.pk]
        path = media_name(photo_id, photo.image.name)
        files = [
            MediaFile(
                "original",
                path,
                _content_type(path),
                sizes.get(path, 0),
                photo.width,
                photo.height,
                absolute_url(context, photo.image.url),
            )
        ]
        for r in _renditions(photo):
            r_path = media_name(photo_id, r.file.name, r.spec)
            files.append(
                MediaFile(
                    f"{r.spec}.{r.format}",
                    r_path,
                    _content_type(r_path),
                    sizes.get(r_path, 0),
                    r.width,
                    r.height,
                    absolute_url(context, r.file.url),
                )
            )
        media[photo.pk] = files
    if publication is not None:
        created, visible = publication.created_at, publication.visible_from
        version = str(publication.number)
        version_created = iso(min(created, visible))
        embargoed = iso(visible) if visible > created else None
    else:
        version, version_created, embargoed = f"unpublished-{issue.version}", iso(snapshot.exported_at), None
    return Edition(
        issue=snapshot.public,
        version=version,
        version_created=version_created,
        draft=snapshot.draft,
        embargoed_until=embargoed,
        media=media,
        photo_ids=snapshot.ids.photos,
        contributor_ids=snapshot.ids.contributors,
        first_created={a.pk: iso(a.created_at) for a in issue.all_articles},
    )


@lru_cache(maxsize=1)
def software_version() -> str:
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


@dataclass
class ExportResult:
    slug: str
    draft: bool
    files: int
    bytes_written: int
    articles: int
    photos: int
    manifest: dict


def _dump(data) -> bytes:
    return issue_format.dumps(data)


def write_package(snapshot: Snapshot, out: BinaryIO, *, progress: Progress | None = None) -> ExportResult:
    """Write the zip to `out` (a seekable binary file). Entries in sorted path order, the
    manifest last: it lists every other entry's size and SHA-256."""
    issue = snapshot.issue
    document = issue_document(
        issue, snapshot.parts, snapshot.photos, snapshot.contributors, snapshot.publication, snapshot.ids
    )
    found = issue_format.problems(document)
    if found:  # a bug in the export, never the editor's doing: stop before writing anything
        raise ExportRefused("导出的 issue.json 不符合格式说明：" + "；".join(found[:5]))

    sizes: dict[str, int] = {}
    paths_only = edition_for(snapshot, sizes)
    articles = paths_only.articles()
    # A timeline deleted since it was published keeps a name of its own in the documents.
    public_timeline_ids = {
        part["timeline"]["id"]: snapshot.ids.timelines.get(part["timeline"]["id"], f"timeline-0{n}")
        for n, part in enumerate(snapshot.public["parts"], start=1)
        if part["type"] == "timeline"
    }

    def article_pages():
        """Each page made just before it is written, in path order: one page in memory."""
        in_path_order = sorted(range(len(articles)), key=lambda n: article_page(articles[n]))
        for done, n in enumerate(in_path_order, start=1):
            article = articles[n]
            previous = articles[n - 1] if n else None
            following = articles[n + 1] if n + 1 < len(articles) else None
            if progress:
                progress(done, len(articles), article["headline"])
            yield article_page(article), pages.article_html(article, paths_only, previous, following).encode()

    def media_files():
        for photo in snapshot.photos:
            photo_id = snapshot.ids.photos[photo.pk]
            yield media_name(photo_id, photo.image.name), photo.image
            for r in _renditions(photo):
                yield media_name(photo_id, r.file.name, r.spec), r.file

    zip_time = timezone.localtime(snapshot.exported_at, settings.NEWSROOM_TIME_ZONE)
    writer = DeterministicZip(out, zip_time)
    try:
        # Sorted: articles/, index.html, issue.json, media/, ninjs/, publication.json.
        for path, data in article_pages():
            writer.write_bytes(path, data)
        writer.write_bytes(INDEX_PAGE, pages.index_html(paths_only, public_timeline_ids).encode())
        writer.write_bytes(ISSUE_JSON_PATH, _dump(document))
        for path, file in sorted(media_files(), key=lambda pair: pair[0]):
            try:
                source = file.storage.open(file.name, "rb")
            except OSError as error:
                raise ExportRefused(f"图片文件缺失或无法读取：{file.name}。") from error
            with source:
                entry = writer.write_stream(path, read_chunks(source), size_hint=_size_hint(file))
            sizes[path] = entry.size
        edition = replace(paths_only, media=edition_for(snapshot, sizes).media)
        documents = {ninjs_path(a): (lambda a=a: ninjs.article_document(a, edition)) for a in articles}
        documents[ISSUE_NINJS_PATH] = lambda: ninjs.issue_document(edition, public_timeline_ids)
        for path in sorted(documents):  # made one at a time, as written
            writer.write_bytes(path, _dump(documents[path]()))
        if snapshot.publication is not None:
            writer.write_bytes(PUBLICATION_PATH, snapshot.publication.body.encode("utf-8"))
        manifest = _manifest(snapshot, writer)
        writer.write_bytes(MANIFEST_PATH, _dump(manifest))
    finally:
        writer.close()
    return ExportResult(
        slug=issue.slug,
        draft=snapshot.draft,
        files=len(writer.entries),
        bytes_written=out.tell(),
        articles=len(articles),
        photos=len(snapshot.photos),
        manifest=manifest,
    )


def _size_hint(file) -> int:
    try:
        return file.storage.size(file.name)
    except (OSError, NotImplementedError):
        return 0


def _manifest(snapshot: Snapshot, writer: DeterministicZip) -> dict:
    issue, publication = snapshot.issue, snapshot.publication
    return {
        "format": PACKAGE_FORMAT,
        "version": FORMAT_VERSION,
        "draft": snapshot.draft,
        "issue": {"slug": issue.slug, "title": issue.title, "issue_date": iso(issue.issue_date)},
        "exported_at": iso(snapshot.exported_at),
        "software": {"name": "newsroom", "version": software_version()},
        "source": {
            "site_url": settings.SITE_URL,
            "publication": publication
            and {
                "number": publication.number,
                "visible_from": iso(publication.visible_from),
                "sha256": publication.sha256,
            },
        },
        "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in writer.entries],
    }


def export_issue(
    issue: Issue, out: BinaryIO, *, allow_draft: bool = False, progress: Progress | None = None
) -> ExportResult:
    """Export `issue` as a package written to `out`; ExportRefused if it is not finished
    (unless `allow_draft`)."""
    return write_package(take_snapshot(issue, allow_draft=allow_draft), out, progress=progress)


def package_filename(issue: Issue) -> str:
    return f"{issue.slug}.zip"
