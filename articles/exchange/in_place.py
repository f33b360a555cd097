"""Replacing an issue in place: each of the site's rows the plan (`replacing`) matched takes
the package's content and keeps its id, so revisions, workflow records, publications and
URLs stay attached to it. A row the package changes gets a new version; one it leaves alone
is not touched.
"""

from articles.desk.revisions import record_revision
from articles.exchange import row_fields
from articles.exchange.issue_json import photo_extra_fields
from articles.exchange.replacing import Replacement
from articles.exchange.row_fields import package_time
from articles.exchange.rows import Rows, assign, checked, sync_rows
from articles.models import (
    Article,
    Block,
    Byline,
    Correction,
    Issue,
    Section,
    Timeline,
    TimelineItem,
    TransitionRecord,
)
from media.models import Photo, PhotoCredit


def _pk(obj):
    return obj.pk if obj is not None else None


def _before(obj) -> dict:
    return {"version": getattr(obj, "version", 0), "updated_at": getattr(obj, "updated_at", None)}


def publication_states(replacement: Replacement) -> dict:
    """The site's workflow states of the issue and its matched articles, taken before the
    package's overwrite them: `put_back` restores them when the package's publication is not
    restored."""
    issue = replacement.issue
    return {
        "issue_pk": issue.pk,
        "issue": (issue.status, issue.published_at),
        "articles": {a.pk: a.status for a in replacement.articles.values()},
    }


class RowsInPlace(Rows):
    """The site's rows, taking the package's content."""

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
            times = [t for t in (before["updated_at"], package_time(entry.get("updated_at"))) if t]
            if times:
                changes["updated_at"] = max(times)
        return changes

    def update_issue(self, issue: Issue, entry: dict) -> Issue:
        before = _before(issue)
        if assign(issue, row_fields.issue(entry)):
            checked(issue, f"专题《{entry['title']}》").save()
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
        assign(article, row_fields.article(entry))
        article.position = position
        checked(article, label).save()
        Article.objects.filter(pk=article.pk).update(**self.bookkeeping(before, entry, Article))
        self.sync_credits(Byline, list(article.bylines.all()), entry["bylines"], article=article)
        self.sync_body(article, entry, label)
        self.sync_corrections(article, entry, label)
        self.add_transitions(entry["transitions"], article=article)
        return True

    def sync_body(self, article: Article, entry: dict, label: str) -> None:
        sections, spare = sync_rows(
            Section,
            list(article.sections.all()),
            [row_fields.section(s) for s in entry["sections"]],
            f"{label}的讲述",
            spare=True,
            article=article,
        )
        section_rows = {s["id"]: row for s, row in zip(entry["sections"], sections, strict=True)}
        sync_rows(
            Block,
            list(article.blocks.order_by("position", "id")),
            [
                row_fields.block(
                    b,
                    section_id=section_rows[b["section"]].pk if b["section"] else None,
                    photo_id=self.photos[b["photo"]].pk if b["photo"] else None,
                )
                for b in entry["blocks"]
            ],
            f"{label}的正文块",
            article=article,
        )
        for section in spare:  # after the blocks: a section deleted first would take its blocks
            section.delete()

    def sync_corrections(self, article: Article, entry: dict, label: str) -> None:
        corrections, _ = sync_rows(
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
            if row.created_at != package_time(c["created_at"]):
                Correction.objects.filter(pk=row.pk).update(created_at=package_time(c["created_at"]))

    def update_timeline(self, timeline: Timeline, position: int, entry: dict) -> None:
        label = f"大事记“{entry['title']}”"
        before = _before(timeline)
        changed = assign(
            timeline, {"title": entry["title"], "credit_action": entry["credit_action"], "position": position}
        )
        if changed:
            checked(timeline, label).save()
        changed |= self.sync_credits(
            Byline, list(timeline.bylines.all()), entry["bylines"], timeline=timeline
        )
        _, items_changed = sync_rows(
            TimelineItem,
            list(timeline.items.order_by("position", "date", "id")),
            [row_fields.item(i) for i in entry["items"]],
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
        changed = assign(photo, values)
        if changed:
            # The file is the site's own and was checked when it was uploaded.
            checked(photo, label, exclude=["image"]).save()
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
        return sync_rows(model, rows, wanted, "署名", **owner)[1]

    def add_transitions(self, entries: list[dict], **subject) -> None:
        """The package's workflow records this site does not have yet (the source's steps
        since the last import), added; the site's own stay."""
        have = {
            (t.action, t.from_status, t.to_status, t.at) for t in TransitionRecord.objects.filter(**subject)
        }
        missing = [
            e
            for e in entries
            if (e["action"], e["from_status"], e["to_status"], package_time(e["at"])) not in have
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
