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

The issue is read in `snapshots`, issue.json is built in `issue_json`; here the package is
written from them.
"""

import mimetypes
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import BinaryIO

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from articles.exchange.formats import FORMAT_VERSION, PACKAGE_FORMAT, issue_format, ninjs, pages
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
from articles.exchange.issue_json import iso, issue_document, media_name
from articles.exchange.signals import issue_exported
from articles.exchange.snapshots import ExportRefused, Snapshot, take_snapshot
from articles.models import Issue
from articles.workflow import REVIEW
from media.api.serializers import absolute_url
from media.models import Photo

Progress = Callable[[int, int, str], None]  # (n, total, what): one call per article


def may_export(user) -> bool:
    """Editors and duty chiefs (and superusers): staff who see every issue and review its
    articles. A package hands the whole working copy out of the CMS, so reporters, who work
    on their own articles, do not export."""
    if user is None or not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or (user.has_perm("articles.view_issue") and user.has_perm(REVIEW))


# The photos' files


def _renditions(photo: Photo) -> list:
    return sorted(photo.renditions.all(), key=lambda r: (r.spec, r.format, r.pk))


@dataclass(frozen=True)
class PhotoFile:
    """One file of an exported photo, and where it goes in the package."""

    photo: Photo
    name: str  # "original", or the rendition's "<spec>.<format>"
    path: str  # media/photo-1.jpg
    file: FieldFile
    width: int | None
    height: int | None


def photo_files(snapshot: Snapshot) -> Iterator[PhotoFile]:
    """Every photo's original, then its renditions, in the snapshot's photo order."""
    for photo in snapshot.photos:
        photo_id = snapshot.ids.photos[photo.pk]
        path = media_name(photo_id, photo.image.name)
        yield PhotoFile(photo, "original", path, photo.image, photo.width, photo.height)
        for r in _renditions(photo):
            path = media_name(photo_id, r.file.name, r.spec)
            yield PhotoFile(photo, f"{r.spec}.{r.format}", path, r.file, r.width, r.height)


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


# The edition


def edition_for(snapshot: Snapshot, sizes: dict[str, int]) -> Edition:
    """The edition the public documents show; file sizes once the media are written."""
    publication, issue = snapshot.publication, snapshot.issue
    context = {"base_url": settings.SITE_URL}
    media: dict[int, list[MediaFile]] = {}
    for f in photo_files(snapshot):
        media.setdefault(f.photo.pk, []).append(
            MediaFile(
                f.name,
                f.path,
                _content_type(f.path),
                sizes.get(f.path, 0),
                f.width,
                f.height,
                absolute_url(context, f.file.url),
            )
        )
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


def public_timeline_ids(snapshot: Snapshot) -> dict[int, str]:
    """The package identifier of each timeline the public documents show. One deleted since
    it was published keeps a name of its own in the documents."""
    return {
        part["timeline"]["id"]: snapshot.ids.timelines.get(part["timeline"]["id"], f"timeline-0{n}")
        for n, part in enumerate(snapshot.public["parts"], start=1)
        if part["type"] == "timeline"
    }


# The package


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
    document = _checked_issue_json(snapshot)
    paths_only = edition_for(snapshot, {})  # the media's sizes are known once they are written
    timeline_ids = public_timeline_ids(snapshot)
    zip_time = timezone.localtime(snapshot.exported_at, settings.NEWSROOM_TIME_ZONE)
    writer = DeterministicZip(out, zip_time)
    try:
        # Sorted: articles/, index.html, issue.json, media/, ninjs/, publication.json.
        for path, data in _article_pages(paths_only, progress):
            writer.write_bytes(path, data)
        writer.write_bytes(INDEX_PAGE, pages.index_html(paths_only, timeline_ids).encode())
        writer.write_bytes(ISSUE_JSON_PATH, _dump(document))
        sizes = _write_media(writer, snapshot)
        edition = replace(paths_only, media=edition_for(snapshot, sizes).media)
        _write_ninjs(writer, edition, timeline_ids)
        if snapshot.publication is not None:
            writer.write_bytes(PUBLICATION_PATH, snapshot.publication.body.encode("utf-8"))
        manifest = _manifest(snapshot, writer)
        writer.write_bytes(MANIFEST_PATH, _dump(manifest))
    finally:
        writer.close()
    return ExportResult(
        slug=snapshot.issue.slug,
        draft=snapshot.draft,
        files=len(writer.entries),
        bytes_written=out.tell(),
        articles=len(paths_only.articles()),
        photos=len(snapshot.photos),
        manifest=manifest,
    )


def _checked_issue_json(snapshot: Snapshot) -> dict:
    document = issue_document(
        snapshot.issue,
        snapshot.parts,
        snapshot.photos,
        snapshot.contributors,
        snapshot.publication,
        snapshot.ids,
    )
    found = issue_format.problems(document)
    if found:  # a bug in the export, never the editor's doing: stop before writing anything
        raise ExportRefused("导出的 issue.json 不符合格式说明：" + "；".join(found[:5]))
    return document


def _article_pages(edition: Edition, progress: Progress | None) -> Iterator[tuple[str, bytes]]:
    """Each page made just before it is written, in path order: one page in memory."""
    articles = edition.articles()
    in_path_order = sorted(range(len(articles)), key=lambda n: article_page(articles[n]))
    for done, n in enumerate(in_path_order, start=1):
        article = articles[n]
        previous = articles[n - 1] if n else None
        following = articles[n + 1] if n + 1 < len(articles) else None
        if progress:
            progress(done, len(articles), article["headline"])
        yield article_page(article), pages.article_html(article, edition, previous, following).encode()


def _write_media(writer: DeterministicZip, snapshot: Snapshot) -> dict[str, int]:
    """Copy every photo file into the zip in chunks, straight from storage; their sizes."""
    sizes: dict[str, int] = {}
    for f in sorted(photo_files(snapshot), key=lambda f: f.path):
        try:
            source = f.file.storage.open(f.file.name, "rb")
        except OSError as error:
            raise ExportRefused(f"图片文件缺失或无法读取：{f.file.name}。") from error
        with source:
            entry = writer.write_stream(f.path, read_chunks(source), size_hint=_size_hint(f.file))
        sizes[f.path] = entry.size
    return sizes


def _write_ninjs(writer: DeterministicZip, edition: Edition, timeline_ids: dict[int, str]) -> None:
    documents = {ninjs_path(a): (lambda a=a: ninjs.article_document(a, edition)) for a in edition.articles()}
    documents[ISSUE_NINJS_PATH] = lambda: ninjs.issue_document(edition, timeline_ids)
    for path in sorted(documents):  # made one at a time, as written
        writer.write_bytes(path, _dump(documents[path]()))


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
    issue: Issue, out: BinaryIO, *, allow_draft: bool = False, progress: Progress | None = None, user=None
) -> ExportResult:
    """Export `issue` as a package written to `out`; ExportRefused if it is not finished
    (unless `allow_draft`). `user`: who asked for it, when not the request being served
    (a job's starter), for whoever hears `issue_exported`."""
    result = write_package(take_snapshot(issue, allow_draft=allow_draft), out, progress=progress)
    issue_exported.send(sender=Issue, issue=issue, result=result, user=user)
    return result


def package_filename(issue: Issue) -> str:
    return f"{issue.slug}.zip"
