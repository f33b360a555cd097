"""Writing a checked package's issue graph: contributors and photos first, then the issue and
each of its parts in reading order, every one either new (`new_rows`) or the site's own
row taking the package's content (`in_place`), then the publication the package was
exported from, restored only when the imported working copy reads exactly like it.
"""

import json
from dataclasses import dataclass, field

from django.db.models import Max

from articles.delivery.rendering import render_issue
from articles.desk.revisions import record_revision
from articles.exchange.in_place import RowsInPlace, publication_states
from articles.exchange.new_rows import NewRows
from articles.exchange.replacing import Replacement
from articles.exchange.row_fields import package_time
from articles.exchange.rows import sync_rows
from articles.models import Article, Issue, IssuePhoto, Publication
from articles.publications import publishing
from articles.workflow import ArticleStatus


@dataclass
class ImportResult:
    issue: Issue
    articles: int
    photos: int
    contributors_created: int
    contributors_matched: int
    publication: Publication | None
    notes: list[str] = field(default_factory=list)


class Writer(NewRows, RowsInPlace):
    """One package written into the database and storage (the caller holds the transaction,
    and deletes the stored files when it fails)."""

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
            states = publication_states(replacement)
            issue = self.update_issue(replacement.issue, data["issue"])
        new, changed = self.parts(issue)
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
            self.notes.insert(0, self.replaced(issue, new, changed))
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

    def parts(self, issue: Issue) -> tuple[list[Article], list[Article]]:
        """Each part in reading order, new or in place, then the page photos' placements;
        the articles created and the site's articles changed."""
        replacement = self.replacement
        new, changed, page_photos = [], [], []
        for part in self.data["parts"]:
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
        sync_rows(
            IssuePhoto, replacement.page_photos if replacement else [], page_photos, "专题图片", issue=issue
        )
        return new, changed

    def replaced(self, issue: Issue, new: list[Article], changed: list[Article]) -> str:
        return (
            f"已以导出包替换本站的专题《{issue.title}》：{len(changed)} 篇稿件有改动（各记一版修订），"
            f"新增 {len(new)} 篇，删除 {len(self.replacement.removed_articles)} 篇；原有的稿件、正文块、大事记和图片"
            "沿用本站的编号，修订记录、流程记录、发布记录和网址都保留。"
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
            visible_from=package_time(meta["visible_from"]),
            note=meta["note"],
        )
        Publication.objects.filter(pk=publication.pk).update(
            number=meta["number"], created_at=package_time(meta["created_at"])
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
