"""Importing an exported package into this database and storage.

Two stages, so a bad package changes nothing:

1. `open_package` (in `package`) checks the zip without touching the database or storage:
   every entry a plain file at a safe relative path (no absolute paths, no `..`, no links),
   exactly the files the manifest lists, each the size the manifest declares (a zip bomb
   lies about sizes), the total and the compression ratio under caps, every SHA-256
   matching, a known format version, issue.json valid against its schema and consistent
   with itself. Files are unpacked to a temporary folder in chunks while they are hashed.
2. `import_issue` writes everything in one transaction (`writing`, with `new_rows` and
   `in_place`): contributors matched by name and disambiguation (never duplicated), photos
   stored, every row with its states, order, versions and timestamps. Photo files written
   before a failure are deleted again; the database rolls back by itself.

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

from pathlib import PurePath, PurePosixPath

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.exchange import replacing as import_replace
from articles.exchange.package import Package, PackageRefused, open_package
from articles.exchange.replacing import Replacement
from articles.exchange.row_fields import package_time
from articles.exchange.signals import issue_imported
from articles.exchange.writing import ImportResult, Writer
from articles.models import Article, Issue


def import_package(source, *, replace: bool = False, discard_newer: bool = False, user=None) -> ImportResult:
    """Check, then import the package at `source` (a path or a binary file)."""
    with open_package(source) as package:
        name = getattr(source, "name", source)
        name = PurePosixPath(str(name)).name if isinstance(name, (str, PurePath)) else ""
        return import_issue(package, replace=replace, discard_newer=discard_newer, user=user, name=name)


def package_label(package: Package, name: str = "") -> str:
    """How revisions and notes name the package: its file, issue and export time."""
    exported = timezone.localtime(package_time(package.manifest["exported_at"]), settings.NEWSROOM_TIME_ZONE)
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
    writer = Writer(package, user=user, label=package_label(package, name))
    try:
        with transaction.atomic():
            replacement = _make_room(package, replace=replace, discard_newer=discard_newer, writer=writer)
            result = writer.write(replacement)
            issue_imported.send(
                sender=Issue,
                issue=result.issue,
                result=result,
                package=name,
                replace=replacement is not None,
                user=user,
            )
            return result
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
