"""What `import_issue --replace` would do to the site's copy of an issue, decided before
anything is written: which of the site's rows each part of the package updates in place,
and which work on the site the package does not have.

The package is the issue as it stood when it was exported: issue.json carries every row's
content with its edit counter (`version`) and time (`updated_at`). A part of the site's copy
whose content differs from the package's, and that was saved on the site after the package's
version of it (a higher version, or a later time), holds work the package lacks: replacing it
would lose that work, so the import is refused, naming each such part, who saved it and when
(unless the operator says to discard it). A part without a version on one side is taken as
changed here whenever its content differs, since nobody can tell which side is newer.

Rows are matched by what the package carries: articles by slug, timelines and page photos by
their place in reading order, body blocks, sections, bylines, items and corrections by their
place in their list, and photos by their place (the same block of the same article, or the
same page-photo slot) when their original file is byte for byte the package's (SHA-256).
A matched row keeps its id, so revisions, workflow records, publications and public URLs
stay attached to it.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from articles.exchange.snapshots import WorkingCopy, working_copy
from articles.models import Article, Issue, IssuePhoto, PublishedArticle, Timeline
from media.models import Photo
from newsroom.versioning import beijing, display_name

CHUNK = 1024 * 1024


@dataclass
class Replacement:
    """The plan for replacing `issue` with a package: matches, and what would be lost."""

    issue: Issue
    site: WorkingCopy
    articles: dict[str, Article]  # slug -> the site's article the package's updates
    photos: dict[str, Photo]  # package photo id -> the site's photo it updates
    timelines: dict[str, Timeline]  # package timeline id -> the site's timeline it updates
    page_photos: list[IssuePhoto]  # the site's page-photo placements, in reading order
    changed: set[str]  # slugs of matched articles whose content the package changes
    overwritten: set[str] = field(default_factory=set)  # ...of those, saved here since the export
    kept: list[Article] = field(default_factory=list)  # on record, not in the package: kept
    removed_articles: list[Article] = field(default_factory=list)
    removed_timelines: list[Timeline] = field(default_factory=list)
    newer: list[str] = field(default_factory=list)  # the site's work the package lacks
    had_publications: bool = False


def _time(value):
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def _newer(site: dict, package: dict | None, exported_at) -> bool:
    """Whether the site's row was saved after the package's version of it. `site` and
    `package` are issue.json entries; `package` None: the package does not have the row."""
    if package is None:
        return site.get("updated_at") is None or _time(site["updated_at"]) > exported_at
    compared = False
    if "version" in site and "version" in package:
        compared = True
        if site["version"] > package["version"]:
            return True
    if site.get("updated_at") and package.get("updated_at"):
        compared = True
        if _time(site["updated_at"]) > _time(package["updated_at"]):
            return True
    return not compared  # no counter on one side: nobody can say the package is newer


def _saved(obj, label: str, package: dict | None = None) -> str:
    """稿件《…》：编辑 于 … 保存（本站第 7 版，导出包中是第 5 版）"""
    who = display_name(getattr(obj, "updated_by", None))
    when = getattr(obj, "updated_at", None)
    said = (
        f"{label}：{who} 于 {beijing(when)} 保存"
        if when
        else f"{label}：内容与导出包不同（本站没有记录修改时间）"
    )
    version = getattr(obj, "version", None)
    if version is not None and package is not None and "version" in package:
        said += f"（本站第 {version} 版，导出包中是第 {package['version']} 版）"
    elif version is not None:
        said += f"（本站第 {version} 版）"
    return said


# Content as the site and the package can both say it: contributors by name, photos by the
# package's id for the photos matched, anything else by the site's own name for it.


def _people(document: dict) -> dict[str, tuple]:
    return {c["id"]: (c["name"], c["disambiguation"], c["kind"]) for c in document["contributors"]}


def _credits(entries: list[dict], people: dict) -> list[tuple]:
    return [(people[c["contributor"]], c["role"], c["organisation"], c["position"]) for c in entries]


def article_content(entry: dict, people: dict, photo_ref) -> dict:
    sections = {s["id"]: n for n, s in enumerate(entry["sections"])}
    return {
        "fields": [entry[k] for k in ("kind", "kicker", "headline", "subheadline", "status")],
        "bylines": _credits(entry["bylines"], people),
        "sections": [(s["speaker_name"], s["speaker_title"], s["headline"]) for s in entry["sections"]],
        "blocks": [
            (
                b["position"],
                b["kind"],
                sections.get(b["section"]),
                b["text"],
                photo_ref(b["photo"]) if b["photo"] else None,
                b["url"],
            )
            for b in entry["blocks"]
        ],
        "corrections": [(c["text"], _time(c["created_at"])) for c in entry["corrections"]],
    }


def timeline_content(entry: dict, people: dict) -> dict:
    return {
        "fields": [entry["title"], entry["credit_action"]],
        "bylines": _credits(entry["bylines"], people),
        "items": [(i["position"], i["date"], i["precision"], i["text"]) for i in entry["items"]],
    }


def photo_content(entry: dict, people: dict) -> dict:
    keys = ("caption", "alt_text", "credit_action", "focal_x", "focal_y", "embedded_metadata")
    return {
        "fields": [entry.get(k) for k in keys],
        "credits": _credits(entry["credits"], people),
    }


def issue_content(entry: dict) -> list:
    return [entry[k] for k in ("title", "subtitle", "description", "issue_date")]


def layout(document: dict, photo_ref) -> list[tuple]:
    """Every part's place in reading order."""
    found, timelines = [], 0
    for part in document["parts"]:
        if part["type"] == "article":
            found.append(("article", part["article"]["slug"], part["position"]))
        elif part["type"] == "photo":
            found.append(("photo", photo_ref(part["photo"]), part["position"]))
        else:
            timelines += 1
            found.append(("timeline", timelines, part["position"]))
    return found


def placements(document: dict) -> dict[tuple, str]:
    """Where each photo sits: (article slug, block index) or ("page", n) -> photo id."""
    found, pages = {}, 0
    for part in document["parts"]:
        if part["type"] == "article":
            for n, block in enumerate(part["article"]["blocks"]):
                if block["photo"]:
                    found[(part["article"]["slug"], n)] = block["photo"]
        elif part["type"] == "photo":
            found[("page", pages)] = part["photo"]
            pages += 1
    return found


def _digest(photo: Photo, size: int) -> str | None:
    """The SHA-256 of the photo's original, or None when its size already tells it apart."""
    storage, name = photo.image.storage, photo.image.name
    try:
        if storage.size(name) != size:
            return None
        digest = hashlib.sha256()
        with storage.open(name, "rb") as file:
            while chunk := file.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()
    except (OSError, NotImplementedError):
        return None  # an original that cannot be read is not the package's file


def plan(package, issue: Issue) -> Replacement:
    """Match the package's parts with the site's copy of `issue` and list what would be lost."""
    site = working_copy(issue)
    photos, site_ids = _match_photos(package, site)
    sides = _Sides(package.issue, site.document, _time(package.manifest["exported_at"]), site_ids)
    on_record = set(
        PublishedArticle.objects.filter(article__issue=issue).values_list("article_id", flat=True)
    )
    result = Replacement(
        issue=issue,
        site=site,
        articles={a.slug: a for a in site.issue.all_articles if a.slug in sides.articles_theirs},
        photos=photos,
        timelines={},
        page_photos=list(site.issue.issue_photos.all()),
        changed=set(),
        had_publications=issue.publications.exists(),
    )
    issue_newer = _compare_issue(sides, result)
    _compare_articles(sides, result, on_record)
    _compare_layout(sides, result, issue_newer)
    _compare_timelines(sides, result)
    _compare_photos(sides, result)
    return result


def _match_photos(package, site: WorkingCopy) -> tuple[dict[str, Photo], dict[str, str]]:
    """Photos: same place and same original file. Returns the site's photo each package
    photo updates, and the package photo id each matched site photo stands for."""
    files = {entry["path"]: entry for entry in package.manifest["files"]}
    package_photos = {p["id"]: p for p in package.issue["photos"]}
    photos: dict[str, Photo] = {}
    site_ids: dict[str, str] = {}  # site photo id -> package photo id
    theirs = placements(package.issue)
    for key, site_id in placements(site.document).items():
        package_id = theirs.get(key)
        if package_id is None or package_id in photos or site_id in site_ids:
            continue
        entry = files[package_photos[package_id]["file"]]
        if _digest(site.photos[site_id], entry["size"]) == entry["sha256"]:
            photos[package_id] = site.photos[site_id]
            site_ids[site_id] = package_id
    return photos, site_ids


@dataclass
class _Sides:
    """The package's issue.json and the site's working copy in the same format."""

    data: dict  # the package's
    mine: dict  # the site's
    exported_at: dt.datetime
    site_ids: dict[str, str]  # site photo id -> the package photo id it matched
    people_theirs: dict = field(init=False)
    people_mine: dict = field(init=False)
    articles_theirs: dict[str, dict] = field(init=False)  # slug -> the package's entry
    articles_mine: dict[str, dict] = field(init=False)

    def __post_init__(self):
        self.people_theirs, self.people_mine = _people(self.data), _people(self.mine)
        self.articles_theirs, self.articles_mine = _article_entries(self.data), _article_entries(self.mine)

    def site_ref(self, photo_id):
        return self.site_ids.get(photo_id, f"site:{photo_id}")

    @staticmethod
    def package_ref(photo_id):
        return photo_id

    def newer(self, site: dict, package: dict | None) -> bool:
        return _newer(site, package, self.exported_at)


def _article_entries(document: dict) -> dict[str, dict]:
    return {p["article"]["slug"]: p["article"] for p in document["parts"] if p["type"] == "article"}


def _compare_issue(sides: _Sides, result: Replacement) -> bool:
    """The issue's own fields; whether the site saved the issue after the package's version."""
    mine_issue, their_issue = sides.mine["issue"], sides.data["issue"]
    issue_newer = sides.newer(mine_issue, their_issue)
    if issue_content(mine_issue) != issue_content(their_issue) and issue_newer:
        result.newer.append(
            _saved(
                result.site.issue,
                f"专题《{result.issue.title}》的名称、副标题、简介或刊发日期",
                their_issue,
            )
        )
    return issue_newer


def _compare_articles(sides: _Sides, result: Replacement, on_record: set[int]) -> None:
    for article in result.site.issue.all_articles:
        slug, entry_mine = article.slug, sides.articles_mine[article.slug]
        entry = sides.articles_theirs.get(slug)
        if entry is None:
            if article.pk in on_record:
                result.kept.append(article)
                continue
            result.removed_articles.append(article)
            if sides.newer(entry_mine, None):
                result.newer.append(_saved(article, f"稿件《{article.headline}》不在导出包中，替换会删除它"))
            continue
        if article_content(entry_mine, sides.people_mine, sides.site_ref) != article_content(
            entry, sides.people_theirs, sides.package_ref
        ):
            result.changed.add(slug)
            if sides.newer(entry_mine, entry):
                result.overwritten.add(slug)
                result.newer.append(_saved(article, f"稿件《{article.headline}》", entry))


def _compare_layout(sides: _Sides, result: Replacement, issue_newer: bool) -> None:
    """The reading order, when the site saved the issue or a matched article since."""
    articles_newer = any(
        sides.newer(sides.articles_mine[slug], sides.articles_theirs[slug]) for slug in result.articles
    )
    if layout(sides.mine, sides.site_ref) != layout(sides.data, sides.package_ref) and (
        issue_newer or articles_newer
    ):
        label = f"专题《{result.issue.title}》各部分的版序（阅读顺序）"
        result.newer.append(_saved(result.site.issue, label, sides.data["issue"]))


def _compare_timelines(sides: _Sides, result: Replacement) -> None:
    """Timelines, by their place in reading order."""
    timelines_mine = [p["timeline"] for p in sides.mine["parts"] if p["type"] == "timeline"]
    timelines_theirs = [p["timeline"] for p in sides.data["parts"] if p["type"] == "timeline"]
    for n, entry_mine in enumerate(timelines_mine):
        timeline = result.site.timelines[entry_mine["id"]]
        entry = timelines_theirs[n] if n < len(timelines_theirs) else None
        if entry is None:
            result.removed_timelines.append(timeline)
            if sides.newer(entry_mine, None):
                result.newer.append(_saved(timeline, f"大事记“{timeline.title}”不在导出包中，替换会删除它"))
            continue
        result.timelines[entry["id"]] = timeline
        differs = timeline_content(entry_mine, sides.people_mine) != timeline_content(
            entry, sides.people_theirs
        )
        if differs and sides.newer(entry_mine, entry):
            result.newer.append(_saved(timeline, f"大事记“{timeline.title}”", entry))


def _compare_photos(sides: _Sides, result: Replacement) -> None:
    """A matched photo changed here since; one the replace stops using, saved since."""
    package_photos = {p["id"]: p for p in sides.data["photos"]}
    site_photos = {p["id"]: p for p in sides.mine["photos"]}
    for site_id, photo in result.site.photos.items():
        package_id = sides.site_ids.get(site_id)
        label = f"图片“{(photo.caption or photo.image.name)[:30]}”"
        if package_id is None:
            if sides.newer(site_photos[site_id], None):
                result.newer.append(_saved(photo, f"{label}在导出之后改过，替换后本专题不再使用它"))
            continue
        entry = package_photos[package_id]
        differs = photo_content(site_photos[site_id], sides.people_mine) != photo_content(
            entry, sides.people_theirs
        )
        if differs and sides.newer(site_photos[site_id], entry):
            result.newer.append(_saved(photo, label, entry))


def refusal(issue: Issue, newer: list[str], exported_at: str) -> str:
    lines = "\n".join(f"- {line}" for line in newer)
    return (
        f"本站的专题《{issue.title}》在导出包导出（{beijing(_time(exported_at))}）之后有改动，"
        f"以导出包替换会丢掉它们，因此没有导入，本站的内容原样未动：\n{lines}\n"
        "请先在本站导出当前版本留底，或在源站点合并这些改动后重新导出；"
        "如确认以导出包为准、放弃上述改动，请加 --discard-newer 重新导入。"
    )
