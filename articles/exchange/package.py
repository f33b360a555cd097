"""Reading and checking an export package, without touching the database or storage: every
entry a plain file at a safe relative path (no absolute paths, no `..`, no links), exactly
the files the manifest lists, each the size the manifest declares (a zip bomb lies about
sizes), the total and the compression ratio under caps, every SHA-256 matching, a known
format version, issue.json valid against its schema and consistent with itself. Files are
unpacked to a temporary folder in chunks while they are hashed.
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
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from articles.exchange.formats import ISSUE_FORMAT, PACKAGE_FORMAT, READABLE_VERSIONS, issue_format
from articles.exchange.formats.edition import ISSUE_JSON_PATH, MANIFEST_PATH, PUBLICATION_PATH

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
    _check_listing(listed, by_name)

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


def _check_listing(listed: dict[str, dict], by_name: dict[str, zipfile.ZipInfo]) -> None:
    """The archive holds exactly what the manifest lists, at the sizes it declares, before
    a byte is unpacked: a zip bomb lies about sizes."""
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
