"""An issue new to this site, written row by row from the package: every row with its
states, order, versions and timestamps as the source recorded them, and each photo's file
stored here under this site's name for it.
"""

from pathlib import PurePosixPath

from django.core.files import File

from articles.exchange import row_fields
from articles.exchange.issue_json import photo_extra_fields, timeline_extra_fields
from articles.exchange.row_fields import package_time
from articles.exchange.rows import Rows, checked
from articles.models import Article, Block, Byline, Correction, Issue, Section, Timeline, TimelineItem
from media.models import Photo, PhotoCredit


class NewRows(Rows):
    """Rows the site does not have yet, created."""

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
            checked(photo, f"图片 {entry['id']}（{entry['caption'][:20]}）")
            try:
                photo.save()  # stores the file: upload_to names it for this site
            finally:
                # Stored even if the row then failed: remembered, so a failure deletes it.
                if getattr(photo.image, "_committed", False) and photo.image.name:
                    self.stored.append((photo.image.storage, photo.image.name))
        self.make_renditions(photo)
        Photo.objects.filter(pk=photo.pk).update(
            created_at=package_time(entry["created_at"]), updated_at=package_time(entry["updated_at"])
        )
        PhotoCredit.objects.bulk_create(
            self.credit(PhotoCredit, credit, photo=photo) for credit in entry["credits"]
        )
        return photo

    def credit(self, model, entry: dict, **owner):
        return checked(
            model(
                contributor=self.contributors[entry["contributor"]],
                role=entry["role"],
                organisation=entry["organisation"],
                position=entry["position"],
                **owner,
            ),
            "署名",
        )

    def issue(self, entry: dict) -> Issue:
        issue = Issue(slug=entry["slug"], **row_fields.issue(entry))
        checked(issue, f"专题《{entry['title']}》").save()
        Issue.objects.filter(pk=issue.pk).update(
            version=entry["version"],
            updated_by=self.user(entry["updated_by"]),
            created_at=package_time(entry["created_at"]),
            updated_at=package_time(entry["updated_at"]),
        )
        self.transitions(entry["transitions"], issue=issue)
        return issue

    def article(self, issue: Issue, position: int, entry: dict) -> Article:
        label = f"稿件《{entry['headline']}》"
        article = Article(issue=issue, position=position, slug=entry["slug"], **row_fields.article(entry))
        checked(article, label).save()
        Article.objects.filter(pk=article.pk).update(
            version=entry["version"],
            created_by=self.user(entry["created_by"]),
            updated_by=self.user(entry["updated_by"]),
            created_at=package_time(entry["created_at"]),
            updated_at=package_time(entry["updated_at"]),
        )
        Byline.objects.bulk_create(self.credit(Byline, b, article=article) for b in entry["bylines"])
        self.sections_and_blocks(article, entry, label)
        self.corrections(article, entry, label)
        self.transitions(entry["transitions"], article=article)
        return article

    def sections_and_blocks(self, article: Article, entry: dict, label: str) -> None:
        sections = {}
        for s in entry["sections"]:
            section = Section(article=article, **row_fields.section(s))
            checked(section, f"{label}的讲述").save()
            sections[s["id"]] = section
        blocks = []
        for b in entry["blocks"]:
            block = Block(
                article=article,
                **row_fields.block(b, section=sections.get(b["section"]), photo=self.photos.get(b["photo"])),
            )
            blocks.append(checked(block, f"{label}的正文块"))
        Block.objects.bulk_create(blocks)

    def corrections(self, article: Article, entry: dict, label: str) -> None:
        corrections = Correction.objects.bulk_create(
            checked(
                Correction(article=article, text=c["text"], created_by=self.user(c["created_by"])),
                f"{label}的更正",
            )
            for c in entry["corrections"]
        )
        for row, c in zip(corrections, entry["corrections"], strict=True):
            Correction.objects.filter(pk=row.pk).update(created_at=package_time(c["created_at"]))

    def timeline(self, issue: Issue, position: int, entry: dict) -> None:
        timeline = Timeline(
            issue=issue, position=position, title=entry["title"], credit_action=entry["credit_action"]
        )
        checked(timeline, f"大事记“{entry['title']}”").save()
        extras = {name: entry[name] for name in timeline_extra_fields() if name in entry}
        if "updated_at" in extras:
            extras["updated_at"] = package_time(extras["updated_at"])
        if extras:  # after the insert: updated_at is set by the save otherwise
            Timeline.objects.filter(pk=timeline.pk).update(**extras)
        Byline.objects.bulk_create(self.credit(Byline, b, timeline=timeline) for b in entry["bylines"])
        TimelineItem.objects.bulk_create(
            checked(
                TimelineItem(timeline=timeline, **row_fields.item(item)),
                f"大事记“{entry['title']}”的条目",
            )
            for item in entry["items"]
        )
