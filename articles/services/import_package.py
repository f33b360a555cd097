"""Importing an exported package into this database and storage.

Two stages, so a bad package changes nothing:

1. `open_package` checks the zip without touching the database or storage: every entry a
   plain file at a safe relative path (no absolute paths, no `..`, no links), exactly the
   files the manifest lists, each the size the manifest declares (a zip bomb lies about
   sizes), the total and the compression ratio under caps, every SHA-256 matching, a known
   format version, issue.json valid against its schema and consistent with itself. Files are
   unpacked to a temporary folder in chunks while they are hashed.
2. `import_issue` writes everything in one transaction: contributors matched by name and
   disambiguation (never duplicated), photos stored, every row with its states, order,
   versions and timestamps. Photo files written before a failure are deleted again; the
   database rolls back by itself.

The publication the package was exported from is restored only when the imported working
copy, rendered as the publish service renders it, reads exactly like it (ids and links
aside): then readers of this site get the same report, with this site's ids and links, under
the same number and time. Otherwise the source had unpublished edits, and publishing them
here is the duty chief's decision, not the importer's.
"""

import datetime as dt
import hashlib
import json
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q

from media.models import Photo, PhotoCredit

try:  # the photo work's renditions, when this site has them
    from media.services import renditions
except ImportError:  # pragma: no cover - a site without renditions
    renditions = None

from ..exporting import ISSUE_FORMAT, PACKAGE_FORMAT, READABLE_VERSIONS, issue_format
from ..exporting.edition import ISSUE_JSON_PATH, MANIFEST_PATH, PUBLICATION_PATH
from ..models import (
    Article,
    Block,
    Byline,
    Contributor,
    Correction,
    Issue,
    IssuePhoto,
    Publication,
    PublishedArticle,
    Section,
    Timeline,
    TimelineItem,
    TransitionRecord,
)
from ..workflow import ArticleStatus
from . import publishing
from .export import photo_extra_fields
from .rendering import render_issue
from .revisions import record_revision

CHUNK = 1024 * 1024
# What a package may unpack to, at most: the manifest is read before anything else.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # deflated JSON and HTML stay far below; a bomb does not
RATIO_CHECKED_ABOVE = 1024 * 1024  # tiny files may compress absurdly well; they cannot hurt


def max_total_bytes() -> int:
    """Cap on a package's unpacked size (settings.IMPORT_MAX_BYTES, default 4 GiB)."""
    return getattr(settings, "IMPORT_MAX_BYTES", 4 * 1024**3)


class PackageRefused(Exception):
    """The package is not imported; the message says why, in Chinese. Nothing was changed."""


# Stage 1: checking and unpacking


@dataclass
class Package:
    folder: Path  # the unpacked files, checked
    manifest: dict
    issue: dict  # issue.json
    publication: str | None  # publication.json's text, when the package has it

    def path(self, name: str) -> Path:
        return self.folder / name

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _unsafe_name(name: str) -> str | None:
    """Why a zip entry's name is unsafe to unpack, or None."""
    if not name or "\\" in name or "\x00" in name:
        return "含有非法字符"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "是绝对路径"
    if name.endswith("/"):
        return "是文件夹"
    parts = PurePosixPath(name).parts
    if any(part in ("..", ".", "") for part in parts) or "//" in name:
        return "含有“..”或空的路径段"
    return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A symbolic link (or device, pipe, folder) by its Unix mode; writers that set no file
    type at all write plain files."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    return info.create_system == 3 and kind not in (0, stat.S_IFREG)


def open_package(source) -> Package:
    """Check and unpack `source` (a path or a binary file); PackageRefused if anything is
    wrong. The caller closes the returned package (it owns a temporary folder)."""
    try:
        archive = zipfile.ZipFile(source)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise PackageRefused("这不是有效的 ZIP 文件，无法读取。") from error
    folder = Path(tempfile.mkdtemp(prefix="newsroom-import-"))
    try:
        with archive:
            return _unpack(archive, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _unpack(archive: zipfile.ZipFile, folder: Path) -> Package:
    infos = archive.infolist()
    names = [info.filename for info in infos]
    for info in infos:
        reason = _unsafe_name(info.filename)
        if reason:
            raise PackageRefused(f"导出包不安全：条目“{info.filename}”{reason}，已拒绝导入。")
        if _is_link(info):
            raise PackageRefused(f"导出包不安全：条目“{info.filename}”是链接或特殊文件，已拒绝导入。")
    if len(set(names)) != len(names):
        raise PackageRefused("导出包不安全：有重名的条目，已拒绝导入。")
    by_name = {info.filename: info for info in infos}
    if MANIFEST_PATH not in by_name:
        raise PackageRefused("导出包不完整：缺少 manifest.json。")
    manifest = _read_json(archive, by_name[MANIFEST_PATH], MAX_MANIFEST_BYTES, "manifest.json")
    _check_manifest(manifest)

    listed = {entry["path"]: entry for entry in manifest["files"]}
    missing = sorted(set(listed) - set(by_name))
    if missing:
        raise PackageRefused(
            f"导出包不完整：缺少 {'、'.join(missing[:5])}{' 等' if len(missing) > 5 else ''}。"
        )
    extra = sorted(set(by_name) - set(listed) - {MANIFEST_PATH})
    if extra:
        raise PackageRefused(f"导出包含有清单之外的文件：{'、'.join(extra[:5])}，可能已被改动，已拒绝导入。")
    total = 0
    for path, entry in listed.items():
        info = by_name[path]
        if info.file_size != entry["size"]:
            raise PackageRefused(
                f"文件 {path} 解压后的大小（{info.file_size} 字节）与清单所记（{entry['size']} 字节）不符，"
                "导出包可能已被改动或是压缩炸弹，已拒绝导入。"
            )
        if info.file_size > RATIO_CHECKED_ABOVE and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise PackageRefused(f"文件 {path} 的压缩比异常（疑似压缩炸弹），已拒绝导入。")
        total += info.file_size
    if total > max_total_bytes():
        raise PackageRefused(f"导出包解压后共 {total} 字节，超过上限 {max_total_bytes()} 字节，已拒绝导入。")
    if ISSUE_JSON_PATH not in listed:
        raise PackageRefused("导出包不完整：缺少 issue.json。")

    for path, entry in sorted(listed.items()):
        _extract(archive, by_name[path], folder / path, entry)

    data = _load_json(folder / ISSUE_JSON_PATH, "issue.json")
    _check_issue(data, listed)
    publication = None
    if data["publication"] is not None:
        if PUBLICATION_PATH not in listed:
            raise PackageRefused("导出包不完整：issue.json 记有发布版本，但缺少 publication.json。")
        publication = (folder / PUBLICATION_PATH).read_text(encoding="utf-8")
        _load_json(folder / PUBLICATION_PATH, "publication.json")
    return Package(folder=folder, manifest=manifest, issue=data, publication=publication)


def _read_json(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, label: str):
    if info.file_size > limit:
        raise PackageRefused(f"{label} 过大（{info.file_size} 字节），已拒绝导入。")
    with archive.open(info) as file:
        raw = file.read(limit + 1)
    if len(raw) > limit:
        raise PackageRefused(f"{label} 过大，已拒绝导入。")
    return _parse_json(raw, label)


def _parse_json(raw: bytes, label: str):
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageRefused(f"{label} 不是有效的 UTF-8 JSON：{error}") from error


def _load_json(path: Path, label: str):
    return _parse_json(path.read_bytes(), label)


def _check_manifest(manifest) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != PACKAGE_FORMAT:
        raise PackageRefused("这不是专题导出包：manifest.json 的 format 不是 newsroom-issue-package。")
    version = manifest.get("version")
    if version not in READABLE_VERSIONS:
        readable = "、".join(sorted(READABLE_VERSIONS))
        raise PackageRefused(
            f"导出包格式版本“{version}”不受支持（本系统可读取的版本：{readable}），已拒绝导入。"
        )
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(e, dict)
        and isinstance(e.get("path"), str)
        and isinstance(e.get("size"), int)
        and e["size"] >= 0
        and isinstance(e.get("sha256"), str)
        for e in files
    ):
        raise PackageRefused("manifest.json 的文件清单格式有误，已拒绝导入。")
    for entry in files:
        reason = _unsafe_name(entry["path"])
        if reason or entry["path"] == MANIFEST_PATH:
            raise PackageRefused(f"manifest.json 列出的路径“{entry['path']}”不安全，已拒绝导入。")
    if len({e["path"] for e in files}) != len(files):
        raise PackageRefused("manifest.json 的文件清单有重复的路径，已拒绝导入。")


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, entry: dict) -> None:
    """Unpack one entry in chunks, never past its declared size, hashing as it goes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(info) as source, open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > entry["size"]:
                    raise PackageRefused(f"文件 {entry['path']} 解压后超过清单所记的大小，已拒绝导入。")
                digest.update(chunk)
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise PackageRefused(f"文件 {entry['path']} 已损坏，无法解压：{error}") from error
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        raise PackageRefused(f"文件 {entry['path']} 的校验和与清单不符：导出包已被改动或已损坏，已拒绝导入。")


def _check_issue(data, listed: dict) -> None:
    """issue.json against its schema, then its cross-references."""
    if not isinstance(data, dict) or data.get("format") != ISSUE_FORMAT:
        raise PackageRefused("issue.json 不是专题数据（format 不是 newsroom-issue）。")
    if data.get("version") not in READABLE_VERSIONS:
        raise PackageRefused(f"issue.json 的格式版本“{data.get('version')}”不受支持，已拒绝导入。")
    found = issue_format.problems(data)
    if found:
        raise PackageRefused("issue.json 不符合格式说明：" + "；".join(found[:5]))
    contributors = {c["id"] for c in data["contributors"]}
    photos = {p["id"] for p in data["photos"]}
    problems = []
    if len(contributors) != len(data["contributors"]) or len(photos) != len(data["photos"]):
        problems.append("作者或图片的标识有重复")
    keys = [(c["name"], c["disambiguation"]) for c in data["contributors"]]
    if len(set(keys)) != len(keys):
        problems.append("有同名且区分说明相同的作者")
    for photo in data["photos"]:
        if photo["file"] not in listed:
            problems.append(f"图片 {photo['id']} 的文件 {photo['file']} 不在导出包中")
    credits = [c for p in data["photos"] for c in p["credits"]]
    slugs = []
    for part in data["parts"]:
        if part["type"] == "article":
            article = part["article"]
            slugs.append(article["slug"])
            credits += article["bylines"]
            sections = {s["id"] for s in article["sections"]}
            for block in article["blocks"]:
                if block["section"] is not None and block["section"] not in sections:
                    problems.append(f"稿件 {article['slug']} 的正文块引用了不存在的讲述 {block['section']}")
                if block["photo"] is not None and block["photo"] not in photos:
                    problems.append(f"稿件 {article['slug']} 的正文块引用了不存在的图片 {block['photo']}")
        elif part["type"] == "photo":
            if part["photo"] not in photos:
                problems.append(f"专题图片引用了不存在的图片 {part['photo']}")
        else:
            credits += part["timeline"]["bylines"]
    problems += [
        f"署名引用了不存在的作者 {c['contributor']}" for c in credits if c["contributor"] not in contributors
    ]
    if len(set(slugs)) != len(slugs):
        problems.append("有重复的稿件网址标识")
    if problems:
        raise PackageRefused("issue.json 内容前后不一致：" + "；".join(dict.fromkeys(problems)) + "。")


# Stage 2: writing


@dataclass
class ImportResult:
    issue: Issue
    articles: int
    photos: int
    contributors_created: int
    contributors_matched: int
    publication: Publication | None
    notes: list[str] = field(default_factory=list)


def _time(value: str | None):
    return dt.datetime.fromisoformat(value) if value else None


def import_package(
    source, *, replace: bool = False, discard_publications: bool = False, user=None
) -> ImportResult:
    """Check, then import the package at `source` (a path or a binary file)."""
    with open_package(source) as package:
        return import_issue(package, replace=replace, discard_publications=discard_publications, user=user)


def import_issue(package: Package, *, replace: bool = False, discard_publications: bool = False, user=None):
    """Write a checked package into the database and storage, all or nothing."""
    writer = _Writer(package)
    try:
        with transaction.atomic():
            _make_room(
                package.issue, replace=replace, discard_publications=discard_publications, writer=writer
            )
            return writer.write()
    except BaseException:
        writer.discard_files()
        raise


def _make_room(data: dict, *, replace: bool, discard_publications: bool, writer) -> None:
    """Refuse, or with `replace` delete, an issue of the same slug; refuse articles whose
    slugs another issue uses (article slugs are unique across issues)."""
    slug = data["issue"]["slug"]
    existing = Issue.objects.select_for_update().filter(slug=slug).first()
    if existing is not None:
        if not replace:
            raise PackageRefused(f"网址标识为 {slug} 的专题已存在；如要以导出包替换它，请加 --replace。")
        published = list(existing.publications.order_by("number").values_list("number", flat=True))
        if published and not discard_publications:
            raise PackageRefused(
                f"专题《{existing}》已有 {len(published)} 条发布记录（读者看过的版本，第 "
                f"{'、'.join(map(str, published))} 次），--replace 不会悄悄删除它们。"
                "如确认以导出包取代它、并删除这些发布记录，请同时加 --discard-publications。"
            )
        writer.notes.append(_delete_issue(existing, published))
    slugs = [p["article"]["slug"] for p in data["parts"] if p["type"] == "article"]
    taken = list(
        Article.objects.filter(slug__in=slugs).select_related("issue").values_list("slug", "issue__title")
    )
    if taken:
        where = "、".join(f"{s}（专题《{title}》）" for s, title in taken[:5])
        raise PackageRefused(f"稿件网址标识已被本站其他专题的稿件使用：{where}，已拒绝导入。")


def _delete_issue(issue: Issue, published: list[int]) -> str:
    """Delete the issue being replaced, its publications and the photos only it used (their
    files after the commit, so a rollback loses nothing)."""
    photo_ids = set(
        Photo.objects.filter(Q(blocks__article__issue=issue) | Q(issue_placements__issue=issue)).values_list(
            "pk", flat=True
        )
    )
    PublishedArticle.objects.filter(publication__issue=issue).delete()
    Publication.objects.filter(issue=issue).delete()
    title = str(issue)
    issue.delete()
    orphans = list(Photo.objects.filter(pk__in=photo_ids, blocks__isnull=True, issue_placements__isnull=True))
    for photo in orphans:
        storage, name = photo.image.storage, photo.image.name
        photo.delete()
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    removed = f"，及其 {len(published)} 条发布记录" if published else ""
    return f"已删除原有的专题《{title}》{removed}和仅它使用的 {len(orphans)} 张图片。"


def _full_clean(obj, label: str, exclude=()):
    try:
        # Uniqueness was settled before writing (slugs, contributors); constraints carry
        # Chinese messages of their own.
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        raise PackageRefused(f"{label}的内容未通过本站校验：{'；'.join(error.messages)}") from error
    return obj


class _Writer:
    """Rows and files for one package, in reading order (so ties in position keep it)."""

    def __init__(self, package: Package):
        self.package = package
        self.data = package.issue
        self.stored: list[tuple] = []
        self.notes: list[str] = []
        users = get_user_model()
        lookup = {f"{users.USERNAME_FIELD}__in": self._usernames()}
        self.users = {u.get_username(): u for u in users.objects.filter(**lookup)}

    def _usernames(self) -> set[str]:
        found = set()

        def walk(value):
            if isinstance(value, dict):
                for key, inner in value.items():
                    if key in ("user", "created_by", "updated_by") and isinstance(inner, str):
                        found.add(inner)
                    else:
                        walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)

        walk(self.data)
        return found

    def user(self, name):
        return self.users.get(name) if name else None

    def discard_files(self) -> None:
        for storage, name in self.stored:
            storage.delete(name)

    def write(self) -> ImportResult:
        data = self.data
        self.contributors, created, matched = self.contributor_rows(data["contributors"])
        self.photos = {p["id"]: self.photo(p) for p in data["photos"]}
        issue = self.issue(data["issue"])
        articles = []
        for part in data["parts"]:
            if part["type"] == "article":
                articles.append(self.article(issue, part["position"], part["article"]))
            elif part["type"] == "photo":
                _full_clean(
                    IssuePhoto(issue=issue, photo=self.photos[part["photo"]], position=part["position"]),
                    "专题图片",
                ).save()
            else:
                self.timeline(issue, part["position"], part["timeline"])
        for article in articles:
            record_revision(article, comment="从导出包导入")
        publication = self.publication(issue)
        issue.refresh_from_db()
        return ImportResult(
            issue=issue,
            articles=len(articles),
            photos=len(self.photos),
            contributors_created=created,
            contributors_matched=matched,
            publication=publication,
            notes=self.notes,
        )

    # Contributors and photos

    def contributor_rows(self, entries: list[dict]):
        keys = [(e["name"], e["disambiguation"]) for e in entries]
        query = Q(pk__in=[])
        for name, disambiguation in keys:
            query |= Q(name=name, disambiguation=disambiguation)
        existing = {(c.name, c.disambiguation): c for c in Contributor.objects.filter(query)}
        rows, created = {}, 0
        for entry in entries:
            key = (entry["name"], entry["disambiguation"])
            contributor = existing.get(key)
            if contributor is None:
                contributor = Contributor(
                    name=entry["name"], disambiguation=entry["disambiguation"], kind=entry["kind"]
                )
                _full_clean(contributor, f"作者“{entry['name']}”").save()
                Contributor.objects.filter(pk=contributor.pk).update(created_at=_time(entry["created_at"]))
                created += 1
            rows[entry["id"]] = contributor
        return rows, created, len(entries) - created

    def photo(self, entry: dict) -> Photo:
        path = self.package.path(entry["file"])
        photo = Photo(
            caption=entry["caption"], alt_text=entry["alt_text"], credit_action=entry["credit_action"]
        )
        for name in photo_extra_fields():
            if name in entry:
                setattr(photo, name, entry[name])
        with open(path, "rb") as file:
            photo.image = File(file, name=PurePosixPath(entry["file"]).name)
            _full_clean(photo, f"图片 {entry['id']}（{entry['caption'][:20]}）")
            try:
                photo.save()  # stores the file: upload_to names it for this site
            finally:
                # Stored even if the row then failed: remembered, so a failure deletes it.
                if getattr(photo.image, "_committed", False) and photo.image.name:
                    self.stored.append((photo.image.storage, photo.image.name))
        self.make_renditions(photo)
        Photo.objects.filter(pk=photo.pk).update(
            created_at=_time(entry["created_at"]), updated_at=_time(entry["updated_at"])
        )
        PhotoCredit.objects.bulk_create(
            self.credit(PhotoCredit, credit, photo=photo) for credit in entry["credits"]
        )
        return photo

    def make_renditions(self, photo: Photo) -> None:
        """The photo work's renditions, made here from the original as on upload (the package's
        copies were made for the exporting site's names and settings), before the publication
        is restored: it delivers the rows as they are. Tracked, so a failure deletes them."""
        if renditions is None:
            return
        renditions.refresh(photo)
        storage = photo.image.storage
        self.stored += [(storage, name) for name in photo.renditions.values_list("file", flat=True)]

    def credit(self, model, entry: dict, **owner):
        return _full_clean(
            model(
                contributor=self.contributors[entry["contributor"]],
                role=entry["role"],
                organisation=entry["organisation"],
                position=entry["position"],
                **owner,
            ),
            "署名",
        )

    # The issue and its parts

    def issue(self, entry: dict) -> Issue:
        issue = Issue(
            title=entry["title"],
            slug=entry["slug"],
            subtitle=entry["subtitle"],
            description=entry["description"],
            issue_date=dt.date.fromisoformat(entry["issue_date"]),
            status=entry["status"],
            published_at=_time(entry["published_at"]),
        )
        _full_clean(issue, f"专题《{entry['title']}》").save()
        Issue.objects.filter(pk=issue.pk).update(
            version=entry["version"],
            updated_by=self.user(entry["updated_by"]),
            created_at=_time(entry["created_at"]),
            updated_at=_time(entry["updated_at"]),
        )
        self.transitions(entry["transitions"], issue=issue)
        return issue

    def transitions(self, entries: list[dict], **subject) -> None:
        rows = TransitionRecord.objects.bulk_create(
            TransitionRecord(
                action=e["action"],
                action_label=e["action_label"],
                from_status=e["from_status"],
                to_status=e["to_status"],
                note=e["note"],
                user=self.user(e["user"]),
                **subject,
            )
            for e in entries
        )
        # auto_now_add ignores what it is given: the recorded times are put back after.
        for row, entry in zip(rows, entries, strict=True):
            TransitionRecord.objects.filter(pk=row.pk).update(at=_time(entry["at"]))

    def article(self, issue: Issue, position: int, entry: dict) -> Article:
        label = f"稿件《{entry['headline']}》"
        article = Article(
            issue=issue,
            position=position,
            slug=entry["slug"],
            kind=entry["kind"],
            kicker=entry["kicker"],
            headline=entry["headline"],
            subheadline=entry["subheadline"],
            status=entry["status"],
        )
        _full_clean(article, label).save()
        Article.objects.filter(pk=article.pk).update(
            version=entry["version"],
            created_by=self.user(entry["created_by"]),
            updated_by=self.user(entry["updated_by"]),
            created_at=_time(entry["created_at"]),
            updated_at=_time(entry["updated_at"]),
        )
        Byline.objects.bulk_create(self.credit(Byline, b, article=article) for b in entry["bylines"])
        sections = {}
        for s in entry["sections"]:
            section = Section(
                article=article,
                speaker_name=s["speaker_name"],
                speaker_title=s["speaker_title"],
                headline=s["headline"],
            )
            _full_clean(section, f"{label}的讲述").save()
            sections[s["id"]] = section
        blocks = []
        for b in entry["blocks"]:
            block = Block(
                article=article,
                position=b["position"],
                kind=b["kind"],
                section=sections.get(b["section"]),
                text=b["text"],
                photo=self.photos.get(b["photo"]),
                url=b["url"],
            )
            blocks.append(_full_clean(block, f"{label}的正文块"))
        Block.objects.bulk_create(blocks)
        corrections = Correction.objects.bulk_create(
            _full_clean(
                Correction(article=article, text=c["text"], created_by=self.user(c["created_by"])),
                f"{label}的更正",
            )
            for c in entry["corrections"]
        )
        for row, c in zip(corrections, entry["corrections"], strict=True):
            Correction.objects.filter(pk=row.pk).update(created_at=_time(c["created_at"]))
        self.transitions(entry["transitions"], article=article)
        return article

    def timeline(self, issue: Issue, position: int, entry: dict) -> None:
        timeline = Timeline(
            issue=issue, position=position, title=entry["title"], credit_action=entry["credit_action"]
        )
        _full_clean(timeline, f"大事记“{entry['title']}”").save()
        Byline.objects.bulk_create(self.credit(Byline, b, timeline=timeline) for b in entry["bylines"])
        TimelineItem.objects.bulk_create(
            _full_clean(
                TimelineItem(
                    timeline=timeline,
                    position=item["position"],
                    date=dt.date.fromisoformat(item["date"]),
                    date_precision=item["precision"],
                    text=item["text"],
                ),
                f"大事记“{entry['title']}”的条目",
            )
            for item in entry["items"]
        )

    # The publication

    def publication(self, issue: Issue) -> Publication | None:
        meta, text = self.data["publication"], self.package.publication
        if meta is None or text is None:
            return None
        rendering = render_issue(issue.pk, (ArticleStatus.PUBLISHED,))
        if reader_view(json.loads(text)) != reader_view(rendering.issue):
            self.notes.append(
                f"未恢复发布记录：源站点第 {meta['number']} 次发布的内容与导入的工作副本不同（源站点有未发布的修改），"
                "读者暂时看不到本专题；值班主任审阅后在本站发布即可。"
            )
            return None
        # Stored by the publish service's own writer (compressed copies and all), then given
        # back the number and time it had at the source.
        publication = publishing._store(
            issue,
            rendering,
            user=self.user(meta["created_by"]),
            visible_from=_time(meta["visible_from"]),
            note=meta["note"],
        )
        Publication.objects.filter(pk=publication.pk).update(
            number=meta["number"], created_at=_time(meta["created_at"])
        )
        publication.refresh_from_db()
        return publication


# Keys that name rows, links and files of one site: what a reader reads is everything else.
SITE_SPECIFIC_KEYS = frozenset({"id", "url", "contributor_id", "renditions", "published_at"})


def reader_view(value):
    """The public JSON without what differs between sites for the same report."""
    if isinstance(value, dict):
        return {k: reader_view(v) for k, v in value.items() if k not in SITE_SPECIFIC_KEYS}
    if isinstance(value, list):
        return [reader_view(v) for v in value]
    return value
