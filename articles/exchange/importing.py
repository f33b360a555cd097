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

Replacing an issue of the same slug (`replace`) updates the site's rows in place, so ids,
revisions, workflow records, publications and URLs survive, and is refused while the site's
copy holds work saved after the export (`import_replace` plans both) unless `discard_newer`.
Nothing a replace does deletes a publication or an article that is on record.

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
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from media.models import Photo, PhotoCredit

try:  # the photo work's renditions, when this site has them
    from media.renditions import services as renditions
except ImportError:  # pragma: no cover - a site without renditions
    renditions = None

from articles.delivery.rendering import render_issue
from articles.desk.revisions import record_revision
from articles.exchange import replacing as import_replace
from articles.exchange.export import photo_extra_fields, timeline_extra_fields
from articles.exchange.formats import ISSUE_FORMAT, PACKAGE_FORMAT, READABLE_VERSIONS, issue_format
from articles.exchange.formats.edition import ISSUE_JSON_PATH, MANIFEST_PATH, PUBLICATION_PATH
from articles.exchange.replacing import Replacement
from articles.models import (
    Article,
    Block,
    Byline,
    Contributor,
    Correction,
    Issue,
    IssuePhoto,
    Publication,
    Section,
    Timeline,
    TimelineItem,
    TransitionRecord,
)
from articles.publications import publishing
from articles.workflow import ArticleStatus

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


# Longest name one path segment may have on common file systems, in UTF-8 bytes, and the
# longest whole path: a longer entry could not be unpacked (and no export writes one).
MAX_SEGMENT_BYTES = 255
MAX_PATH_BYTES = 1024
# Compression methods zipfile reads; anything else (or encryption) could not be unpacked.
READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})


def _unsafe_name(name: str) -> str | None:
    """Why a zip entry's name is unsafe to unpack, or None."""
    if not name or "\\" in name or any(unicodedata.category(char) == "Cc" for char in name):
        return "含有非法字符（反斜杠或控制字符）"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "是绝对路径"
    if name.endswith("/"):
        return "是文件夹"
    parts = PurePosixPath(name).parts
    if any(part in ("..", ".", "") for part in parts) or "//" in name:
        return "含有“..”或空的路径段"
    if len(name.encode()) > MAX_PATH_BYTES or any(len(p.encode()) > MAX_SEGMENT_BYTES for p in parts):
        return "的名称过长，无法解压"
    return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A symbolic link (or device, pipe, folder) by its Unix mode; writers that set no file
    type at all write plain files."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    return info.create_system == 3 and kind not in (0, stat.S_IFREG)


def _refuse_entry(name: str, reason: str) -> PackageRefused:
    return PackageRefused(f"导出包不安全：条目“{name}”{reason}，已拒绝导入。")


def check_entries(infos: list[zipfile.ZipInfo]) -> None:
    """Every check of the archive's entries themselves, in one place, before anything is read
    or unpacked: each a plain, readable file at a safe relative path, and no two entries that
    would land on the same place in a folder (the same name, names differing only in case or
    Unicode form, or a file where another entry needs a folder)."""
    for info in infos:
        reason = _unsafe_name(info.filename)
        if reason:
            raise _refuse_entry(info.filename, reason)
        if _is_link(info):
            raise _refuse_entry(info.filename, "是链接或特殊文件")
        if info.flag_bits & 0x1:
            raise _refuse_entry(info.filename, "已加密，无法读取")
        if info.compress_type not in READABLE_METHODS:
            raise _refuse_entry(info.filename, f"使用了无法读取的压缩方式（{info.compress_type}）")
    seen: dict[str, str] = {}
    for info in infos:
        key = unicodedata.normalize("NFC", info.filename).casefold()
        if key in seen:
            if seen[key] == info.filename:
                raise _refuse_entry(info.filename, "重名（压缩包中出现了两次）")
            raise _refuse_entry(info.filename, f"与条目“{seen[key]}”只有大小写或字形不同，解压时会互相覆盖")
        seen[key] = info.filename
    for key, name in seen.items():
        for folder in PurePosixPath(key).parents:
            if str(folder) in seen:
                raise _refuse_entry(
                    seen[str(folder)], f"是文件，而条目“{name}”要把它当作文件夹，两者无法同时解压"
                )


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
    check_entries(infos)
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
    # When the package was made: what a replace compares the site's saves with.
    exported_at = manifest.get("exported_at")
    try:
        moment = dt.datetime.fromisoformat(exported_at) if isinstance(exported_at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PackageRefused("manifest.json 的 exported_at 不是带时区的时间，已拒绝导入。")
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
    digest, size = hashlib.sha256(), 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > entry["size"]:
                    raise PackageRefused(f"文件 {entry['path']} 解压后超过清单所记的大小，已拒绝导入。")
                digest.update(chunk)
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise PackageRefused(
            f"文件 {entry['path']} 已损坏或无法读取，无法解压：{error}，已拒绝导入。"
        ) from error
    except OSError as error:  # the temporary folder's disk, not the package: say so
        raise PackageRefused(
            f"解压文件 {entry['path']} 时出错（{error.strerror or error}），已拒绝导入；请检查临时目录的磁盘空间后重试。"
        ) from error
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


def import_package(source, *, replace: bool = False, discard_newer: bool = False, user=None) -> ImportResult:
    """Check, then import the package at `source` (a path or a binary file)."""
    with open_package(source) as package:
        name = getattr(source, "name", source)
        name = PurePosixPath(str(name)).name if isinstance(name, (str, PurePath)) else ""
        return import_issue(package, replace=replace, discard_newer=discard_newer, user=user, name=name)


def package_label(package: Package, name: str = "") -> str:
    """How revisions and notes name the package: its file, issue and export time."""
    exported = timezone.localtime(_time(package.manifest["exported_at"]), settings.NEWSROOM_TIME_ZONE)
    slug = package.issue["issue"]["slug"]
    said = f"{slug}，导出于 {exported:%Y-%m-%d %H:%M}"
    return f"“{name}”（{said}）" if name else f"（{said}）"


def import_issue(
    package: Package, *, replace: bool = False, discard_newer: bool = False, user=None, name: str = ""
) -> ImportResult:
    """Write a checked package into the database and storage, all or nothing.

    An issue of the same slug is refused unless `replace`; replacing it updates the site's
    rows in place (import_replace explains the matching) and is refused, listing what,
    while the site holds work saved after the export, unless `discard_newer`."""
    writer = _Writer(package, user=user, label=package_label(package, name))
    try:
        with transaction.atomic():
            replacement = _make_room(package, replace=replace, discard_newer=discard_newer, writer=writer)
            return writer.write(replacement)
    except BaseException:
        writer.discard_files()
        raise


def _make_room(package: Package, *, replace: bool, discard_newer: bool, writer) -> Replacement | None:
    """Refuse an issue of the same slug (without `replace`), or plan its replacement and
    refuse it when the site's copy is newer; refuse articles whose slugs another issue
    uses (article slugs are unique across issues)."""
    data = package.issue
    slug = data["issue"]["slug"]
    existing = Issue.objects.select_for_update().filter(slug=slug).first()
    slugs = [p["article"]["slug"] for p in data["parts"] if p["type"] == "article"]
    taken = Article.objects.filter(slug__in=slugs)
    if existing is not None:
        taken = taken.exclude(issue=existing)
    taken = list(taken.select_related("issue").values_list("slug", "issue__title"))
    if existing is not None and not replace:
        raise PackageRefused(f"网址标识为 {slug} 的专题已存在；如要以导出包替换它，请加 --replace。")
    if taken:
        where = "、".join(f"{s}（专题《{title}》）" for s, title in taken[:5])
        raise PackageRefused(f"稿件网址标识已被本站其他专题的稿件使用：{where}，已拒绝导入。")
    if existing is None:
        return None
    replacement = import_replace.plan(package, existing)
    if replacement.newer:
        if not discard_newer:
            raise PackageRefused(
                import_replace.refusal(existing, replacement.newer, package.manifest["exported_at"])
            )
        writer.notes.append(
            "已按 --discard-newer 以导出包为准，放弃了本站在导出之后的这些改动"
            "（被替换的稿件先各记一版修订，可在修订记录中找回）：" + "；".join(replacement.newer) + "。"
        )
    return replacement


def _full_clean(obj, label: str, exclude=()):
    try:
        # Uniqueness was settled before writing (slugs, contributors); constraints carry
        # Chinese messages of their own.
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        raise PackageRefused(f"{label}的内容未通过本站校验：{'；'.join(error.messages)}") from error
    return obj


def _pk(obj):
    return obj.pk if obj is not None else None


def _before(obj) -> dict:
    return {"version": getattr(obj, "version", 0), "updated_at": getattr(obj, "updated_at", None)}


def _assign(obj, values: dict) -> bool:
    """Set `values` on `obj`; whether any differed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _sync(model, rows: list, wanted: list[dict], label: str, *, spare: bool = False, **owner):
    """rows[n] takes wanted[n]'s values in place (its id kept); wanted rows beyond the site's
    are created; site rows beyond the wanted are deleted, or returned with `spare`.
    Returns (the rows in wanted order, whether anything changed) or, with `spare`, (rows,
    the rows left over)."""
    result, changed = [], False
    for n, values in enumerate(wanted):
        if n < len(rows):
            row = rows[n]
            if _assign(row, values):
                _full_clean(row, label).save()
                changed = True
        else:
            row = _full_clean(model(**owner, **values), label)
            row.save()
            changed = True
        result.append(row)
    leftovers = rows[len(wanted) :]
    if spare:
        return result, leftovers
    for row in leftovers:
        row.delete()
    return result, changed or bool(leftovers)


def _states(replacement: Replacement) -> dict:
    issue = replacement.issue
    return {
        "issue_pk": issue.pk,
        "issue": (issue.status, issue.published_at),
        "articles": {a.pk: a.status for a in replacement.articles.values()},
    }


class _Writer:
    """Rows and files for one package, in reading order (so ties in position keep it)."""

    def __init__(self, package: Package, *, user=None, label: str = ""):
        self.package = package
        self.data = package.issue
        self.acting_user = user  # who imports: signs the revisions (None: the operator)
        self.label = label
        self.replacement: Replacement | None = None
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

    def write(self, replacement: Replacement | None = None) -> ImportResult:
        data = self.data
        self.replacement = replacement
        self.contributors, created, matched = self.contributor_rows(data["contributors"])
        same = replacement.photos if replacement else {}
        self.photos = {
            p["id"]: self.update_photo(same[p["id"]], p) if p["id"] in same else self.photo(p)
            for p in data["photos"]
        }
        if replacement is None:
            issue = self.issue(data["issue"])
        else:
            states = _states(replacement)
            issue = self.update_issue(replacement.issue, data["issue"])
        new, changed, page_photos = [], [], []
        for part in data["parts"]:
            if part["type"] == "article":
                entry = part["article"]
                existing = replacement.articles.get(entry["slug"]) if replacement else None
                if existing is None:
                    new.append(self.article(issue, part["position"], entry))
                elif self.update_article(existing, part["position"], entry):
                    changed.append(existing)
            elif part["type"] == "photo":
                page_photos.append({"photo_id": self.photos[part["photo"]].pk, "position": part["position"]})
            else:
                existing = replacement.timelines.get(part["timeline"]["id"]) if replacement else None
                if existing is None:
                    self.timeline(issue, part["position"], part["timeline"])
                else:
                    self.update_timeline(existing, part["position"], part["timeline"])
        _sync(
            IssuePhoto, replacement.page_photos if replacement else [], page_photos, "专题图片", issue=issue
        )
        if replacement is not None:
            self.remove(replacement)
        publication = self.publication(issue)
        if replacement is not None and publication is None and replacement.had_publications:
            self.put_back(states)
        for article in new:
            record_revision(article, self.acting_user, f"从导出包{self.label}导入")
        for article in changed:
            record_revision(article, self.acting_user, f"以导出包{self.label}替换")
        if replacement is not None:
            self.notes.insert(
                0,
                f"已以导出包替换本站的专题《{issue.title}》：{len(changed)} 篇稿件有改动（各记一版修订），"
                f"新增 {len(new)} 篇，删除 {len(replacement.removed_articles)} 篇；原有的稿件、正文块、大事记和图片"
                "沿用本站的编号，修订记录、流程记录、发布记录和网址都保留。",
            )
        issue.refresh_from_db()
        return ImportResult(
            issue=issue,
            articles=len(new)
            + len(changed)
            + (len(replacement.articles) - len(changed) if replacement else 0),
            photos=len(self.photos),
            contributors_created=created,
            contributors_matched=matched,
            publication=publication,
            notes=self.notes,
        )

    # Replacing in place: the site's rows keep their ids, and take the package's content

    def bookkeeping(self, before: dict, entry: dict, model) -> dict:
        """A new version of a row the package changed: the counter grows past both the site's
        and the package's (a form opened before the import is stale), and the row tells the
        package's save, unless the site's was later (then --discard-newer was given)."""
        names = {f.name for f in model._meta.concrete_fields}
        changes = {}
        if "version" in names:
            changes["version"] = max(before["version"] + 1, entry.get("version") or 0)
        if "updated_by" in names and "updated_by" in entry:
            changes["updated_by"] = self.user(entry["updated_by"])
        if "updated_at" in names:
            times = [t for t in (before["updated_at"], _time(entry.get("updated_at"))) if t]
            if times:
                changes["updated_at"] = max(times)
        return changes

    def update_issue(self, issue: Issue, entry: dict) -> Issue:
        before = _before(issue)
        values = {
            "title": entry["title"],
            "subtitle": entry["subtitle"],
            "description": entry["description"],
            "issue_date": dt.date.fromisoformat(entry["issue_date"]),
            "status": entry["status"],
            "published_at": _time(entry["published_at"]),
        }
        if _assign(issue, values):
            _full_clean(issue, f"专题《{entry['title']}》").save()
            Issue.objects.filter(pk=issue.pk).update(**self.bookkeeping(before, entry, Issue))
        self.add_transitions(entry["transitions"], issue=issue)
        return issue

    def update_article(self, article: Article, position: int, entry: dict) -> bool:
        """Make the site's article read like the package's; True when anything changed."""
        replacement = self.replacement
        if article.slug not in replacement.changed and article.position == position:
            self.add_transitions(entry["transitions"], article=article)
            return False
        if article.slug in replacement.overwritten:
            # Its newer text is discarded on the operator's word: kept as a revision first.
            record_revision(article, self.acting_user, f"以导出包{self.label}替换之前本站的版本")
        label = f"稿件《{entry['headline']}》"
        before = _before(article)
        _assign(article, {k: entry[k] for k in ("kind", "kicker", "headline", "subheadline", "status")})
        article.position = position
        _full_clean(article, label).save()
        Article.objects.filter(pk=article.pk).update(**self.bookkeeping(before, entry, Article))
        self.sync_credits(Byline, list(article.bylines.all()), entry["bylines"], article=article)
        sections, spare = _sync(
            Section,
            list(article.sections.all()),
            [
                {
                    "speaker_name": s["speaker_name"],
                    "speaker_title": s["speaker_title"],
                    "headline": s["headline"],
                }
                for s in entry["sections"]
            ],
            f"{label}的讲述",
            spare=True,
            article=article,
        )
        section_rows = {s["id"]: row for s, row in zip(entry["sections"], sections, strict=True)}
        _sync(
            Block,
            list(article.blocks.order_by("position", "id")),
            [
                {
                    "position": b["position"],
                    "kind": b["kind"],
                    "section_id": section_rows[b["section"]].pk if b["section"] else None,
                    "text": b["text"],
                    "photo_id": self.photos[b["photo"]].pk if b["photo"] else None,
                    "url": b["url"],
                }
                for b in entry["blocks"]
            ],
            f"{label}的正文块",
            article=article,
        )
        for section in spare:  # after the blocks: a section deleted first would take its blocks
            section.delete()
        corrections, _ = _sync(
            Correction,
            list(article.corrections.all()),
            [
                {"text": c["text"], "created_by_id": _pk(self.user(c["created_by"]))}
                for c in entry["corrections"]
            ],
            f"{label}的更正",
            article=article,
        )
        for row, c in zip(corrections, entry["corrections"], strict=True):
            if row.created_at != _time(c["created_at"]):
                Correction.objects.filter(pk=row.pk).update(created_at=_time(c["created_at"]))
        self.add_transitions(entry["transitions"], article=article)
        return True

    def update_timeline(self, timeline: Timeline, position: int, entry: dict) -> None:
        label = f"大事记“{entry['title']}”"
        before = _before(timeline)
        changed = _assign(
            timeline, {"title": entry["title"], "credit_action": entry["credit_action"], "position": position}
        )
        if changed:
            _full_clean(timeline, label).save()
        changed |= self.sync_credits(
            Byline, list(timeline.bylines.all()), entry["bylines"], timeline=timeline
        )
        _, items_changed = _sync(
            TimelineItem,
            list(timeline.items.order_by("position", "date", "id")),
            [
                {
                    "position": i["position"],
                    "date": dt.date.fromisoformat(i["date"]),
                    "date_precision": i["precision"],
                    "text": i["text"],
                }
                for i in entry["items"]
            ],
            f"{label}的条目",
            timeline=timeline,
        )
        if changed or items_changed:
            Timeline.objects.filter(pk=timeline.pk).update(**self.bookkeeping(before, entry, Timeline))

    def update_photo(self, photo: Photo, entry: dict) -> Photo:
        """The site's photo with the package's file (the same bytes, so it stays): its
        caption, alt text, credits and focal point become the package's."""
        label = f"图片 {entry['id']}（{entry['caption'][:20]}）"
        before, focal = _before(photo), photo.focal_point
        values = {
            "caption": entry["caption"],
            "alt_text": entry["alt_text"],
            "credit_action": entry["credit_action"],
        }
        values |= {name: entry[name] for name in photo_extra_fields() if name in entry and name != "version"}
        changed = _assign(photo, values)
        if changed:
            # The file is the site's own and was checked when it was uploaded.
            _full_clean(photo, label, exclude=["image"]).save()
        changed |= self.sync_credits(PhotoCredit, list(photo.credits.all()), entry["credits"], photo=photo)
        if changed:
            Photo.objects.filter(pk=photo.pk).update(**self.bookkeeping(before, entry, Photo))
        if photo.focal_point != focal:
            self.make_renditions(photo)
        return photo

    def sync_credits(self, model, rows: list, entries: list[dict], **owner) -> bool:
        wanted = [
            {
                "contributor_id": self.contributors[e["contributor"]].pk,
                "role": e["role"],
                "organisation": e["organisation"],
                "position": e["position"],
            }
            for e in entries
        ]
        return _sync(model, rows, wanted, "署名", **owner)[1]

    def add_transitions(self, entries: list[dict], **subject) -> None:
        """The package's workflow records this site does not have yet (the source's steps
        since the last import), added; the site's own stay."""
        have = {
            (t.action, t.from_status, t.to_status, t.at) for t in TransitionRecord.objects.filter(**subject)
        }
        missing = [
            e for e in entries if (e["action"], e["from_status"], e["to_status"], _time(e["at"])) not in have
        ]
        if missing:
            self.transitions(missing, **subject)

    def remove(self, replacement: Replacement) -> None:
        for article in replacement.removed_articles:
            article.delete()
        for timeline in replacement.removed_timelines:
            timeline.delete()
        gone = [f"稿件《{a.headline}》" for a in replacement.removed_articles]
        gone += [f"大事记“{t.title}”" for t in replacement.removed_timelines]
        if gone:
            self.notes.append(f"导出包中没有、已从本站的专题中删除：{'、'.join(gone)}。")
        for article in replacement.kept:
            self.notes.append(
                f"稿件《{article.headline}》不在导出包中，但它在本站的发布记录中（读者看过它），替换不会删除它："
                f"已保留在专题中（版序 {article.position}）；如不再需要，请撤稿。"
            )

    def put_back(self, states: dict) -> None:
        """The workflow states this site's publication records vouch for, kept: the package's
        publication was not restored here, so its states would contradict what readers see."""
        status, published_at = states["issue"]
        moved = Issue.objects.filter(pk=states["issue_pk"]).exclude(status=status, published_at=published_at)
        changed = moved.update(status=status, published_at=published_at)
        for pk, status in states["articles"].items():
            changed += Article.objects.filter(pk=pk).exclude(status=status).update(status=status)
        if changed:
            self.notes.append(
                "专题和原有稿件的发布状态沿用本站的发布记录；导出包带来的改动在值班主任发布后读者才能看到。"
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
        had = set(photo.renditions.values_list("file", flat=True))
        renditions.refresh(photo)
        storage = photo.image.storage
        self.stored += [
            (storage, name) for name in photo.renditions.values_list("file", flat=True) if name not in had
        ]

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
        extras = {name: entry[name] for name in timeline_extra_fields() if name in entry}
        if "updated_at" in extras:
            extras["updated_at"] = _time(extras["updated_at"])
        if extras:  # after the insert: updated_at is set by the save otherwise
            Timeline.objects.filter(pk=timeline.pk).update(**extras)
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
        newest = issue.publications.aggregate(newest=Max("number"))["newest"]
        if newest is not None and meta["number"] <= newest:
            # The site's own records of what its readers saw stay as they are.
            if meta["number"] < newest or self.replacement.changed:
                self.notes.append(
                    f"未恢复导出包中的第 {meta['number']} 次发布：本站已有到第 {newest} 次的发布记录，"
                    "保留本站的发布记录；值班主任审阅替换后的内容后在本站发布即可。"
                )
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
        publication = publishing.store_snapshot(
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
