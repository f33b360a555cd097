"""Demo content: build a whole issue from a dict shaped like the API output.

The fixture `articles/demo/special_report.json` is the corrected edition of the seed issue
(我们这十年·来自浙江基层的报告). Everything goes through `full_clean()`, so the demo is
held to the same validation as an editor's work in the admin.
"""

import colorsys
import datetime as dt
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from PIL import Image, ImageDraw

from articles.desk.revisions import record_revision
from articles.models import (
    Article,
    Block,
    Byline,
    Contributor,
    Issue,
    IssuePhoto,
    Publication,
    Section,
    Timeline,
    TimelineItem,
)
from articles.publications.publishing import publish_issue
from articles.publications.signals import announce
from articles.workflow import ArticleStatus, IssueStatus
from media.credits import CreditAction
from media.models import Photo, PhotoCredit
from media.renditions import services as renditions

FIXTURE = Path(__file__).resolve().parent.parent / "demo" / "special_report.json"
# The paper goes to press in Beijing time, whatever the server's own zone.
NEWSROOM_TZ = ZoneInfo("Asia/Shanghai")
PUBLISH_HOUR = dt.time(8, 0)
PHOTO_SIZE = (1600, 1067)


def read_fixture(path: Path = FIXTURE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def morning_of(day: dt.date) -> dt.datetime:
    """08:00 Beijing time on `day`: when the printed edition reaches readers."""
    return dt.datetime.combine(day, PUBLISH_HOUR, tzinfo=NEWSROOM_TZ)


def load_issue(data: dict, *, publish: bool, published_at=None) -> Issue:
    """Create the issue described by `data` with all its parts, in one transaction.

    `published_at` defaults to 08:00 Beijing time on the issue date when publishing.
    Image files written before a failure are removed again: the database rolls back,
    storage does not.
    """
    builder = _IssueBuilder(data)
    try:
        with transaction.atomic():
            return builder.build(publish=publish, published_at=published_at)
    except Exception:
        builder.discard_files()
        raise


def load_demo_issue(*, reset: bool = False) -> tuple[Issue, bool]:
    """Load the demo issue unless it is there already; returns (issue, created).

    An existing demo issue is left alone, since editors may have worked on it; `reset`
    deletes it, with the photos only it used, and builds it afresh.
    """
    data = read_fixture()
    with transaction.atomic():
        existing = Issue.objects.filter(slug=data["issue"]["slug"]).first()
        if existing and not reset:
            # A database from before renditions existed: the demo photos get theirs (the
            # live publication shows them once the issue is published again).
            for photo in _photos_of(existing):
                if not photo.renditions_ready:
                    renditions.refresh(photo)
            if existing.status == IssueStatus.PUBLISHED and not existing.publications.exists():
                # A database from before publications existed: give readers the issue back.
                publish_issue(existing, at=existing.published_at)
            return existing, False
        if existing:
            delete_issue(existing)
        return load_issue(data, publish=True), True


def _photos_of(issue: Issue):
    return Photo.objects.filter(Q(blocks__article__issue=issue) | Q(issue_placements__issue=issue)).distinct()


def delete_issue(issue: Issue) -> None:
    """Delete an issue, its publication history and the photos nothing else uses (files
    removed after commit). For the demo only: a real issue's publications are the record
    of what readers saw, which is why the models protect them."""
    gone = list(Publication.objects.filter(issue=issue).values_list("pk", flat=True))
    Publication.objects.filter(pk__in=gone).delete()
    announce(gone)  # readers lose it once this commits
    photo_ids = set(
        Photo.objects.filter(Q(blocks__article__issue=issue) | Q(issue_placements__issue=issue)).values_list(
            "pk", flat=True
        )
    )
    issue.delete()
    # A photo an editor has since reused elsewhere stays; Block/IssuePhoto protect it anyway.
    orphans = Photo.objects.filter(pk__in=photo_ids, blocks__isnull=True, issue_placements__isnull=True)
    for photo in orphans:
        storage, name = photo.image.storage, photo.image.name
        photo.delete()
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def placeholder_jpeg(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A calm diagonal gradient with a ring, different for every `seed`; no text, so no
    Chinese font is needed."""
    hue = (0.55 + seed * 0.137) % 1.0
    light = _rgb(hue, 0.22, 0.92)
    dark = _rgb((hue + 0.06) % 1.0, 0.45, 0.62)
    width, height = size
    vertical = Image.linear_gradient("L").resize(size)
    horizontal = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize(size)
    mask = Image.blend(vertical, horizontal, 0.5)  # light top-left to dark bottom-right
    image = Image.composite(Image.new("RGB", size, dark), Image.new("RGB", size, light), mask)
    radius = height // 5
    cx = width * (0.3 + 0.4 * ((seed * 0.381) % 1.0))
    cy = height * 0.5
    ImageDraw.Draw(image).ellipse(
        (cx - radius, cy - radius, cx + radius, cy + radius), outline=light, width=max(6, height // 80)
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    return tuple(round(channel * 255) for channel in colorsys.hsv_to_rgb(hue, saturation, value))


def _saved(obj):
    obj.full_clean()
    obj.save()
    return obj


class _IssueBuilder:
    """Turns the fixture's nested dicts into rows; remembers what it wrote to storage."""

    def __init__(self, data: dict):
        self.data = data
        self.kinds = {entry["name"]: entry["kind"] for entry in data.get("contributors", [])}
        self.contributors: dict[str, Contributor] = {}
        self.photo_count = 0
        self.stored_files: list[tuple] = []

    def build(self, *, publish: bool, published_at) -> Issue:
        # Written and approved as the desk would, then published through the same service
        # the duty chief uses.
        # What is loaded to be published has passed the desk; anything else starts as a draft.
        self.status = ArticleStatus.APPROVED if publish else ArticleStatus.DRAFT
        issue = self.issue()
        part_builders = {"article": self.article, "photo": self.page_photo, "timeline": self.timeline}
        for position, part in enumerate(self.data["parts"], start=1):
            part_builders[part["type"]](issue, position, part)
        # The first revision of each article: what the desk started from.
        for article in issue.articles.all():
            record_revision(article, comment="载入演示内容")
        if publish:
            publish_issue(issue, at=published_at or morning_of(issue.issue_date))
        return issue

    def discard_files(self) -> None:
        for storage, name in self.stored_files:
            storage.delete(name)

    # Issue-level parts

    def issue(self) -> Issue:
        meta = self.data["issue"]
        issue_date = dt.date.fromisoformat(meta["issue_date"])
        return _saved(
            Issue(
                title=meta["title"],
                slug=meta.get("slug", ""),
                subtitle=meta.get("subtitle", ""),
                description=meta.get("description", ""),
                issue_date=issue_date,
            )
        )

    def article(self, issue: Issue, position: int, part: dict) -> None:
        article = _saved(
            Article(
                issue=issue,
                position=position,
                kind=part["kind"],
                kicker=part.get("kicker", ""),
                headline=part["headline"],
                subheadline=part.get("subheadline", ""),
                status=self.status,
            )
        )
        for n, credit in enumerate(part.get("bylines", []), start=1):
            _saved(Byline(article=article, position=n, **self.credit(credit)))
        self.body(article, part["body"])

    def page_photo(self, issue: Issue, position: int, part: dict) -> None:
        _saved(IssuePhoto(issue=issue, position=position, photo=self.photo(part["photo"])))

    def timeline(self, issue: Issue, position: int, part: dict) -> None:
        timeline = _saved(
            Timeline(
                issue=issue,
                position=position,
                title=part["title"],
                credit_action=part.get("credit_action", CreditAction.COMPILED),
            )
        )
        for n, credit in enumerate(part.get("credits", []), start=1):
            _saved(Byline(timeline=timeline, position=n, **self.credit(credit)))
        for n, item in enumerate(part["items"], start=1):
            _saved(
                TimelineItem(
                    timeline=timeline,
                    position=n,
                    date=dt.date.fromisoformat(item["date"]),
                    date_precision=item["precision"],
                    text=item["text"],
                )
            )

    # Article bodies: one position sequence per article, testimonies included

    def body(self, article: Article, nodes: list[dict]) -> None:
        position = 0
        for node in nodes:
            if node["type"] == "testimony":
                section = _saved(
                    Section(
                        article=article,
                        speaker_name=node["speaker_name"],
                        speaker_title=node.get("speaker_title", ""),
                        headline=node.get("headline", ""),
                    )
                )
                for inner in node["body"]:
                    position += 1
                    self.block(article, position, inner, section)
            else:
                position += 1
                self.block(article, position, node)

    def block(self, article: Article, position: int, node: dict, section: Section | None = None) -> None:
        kind = node["type"]
        _saved(
            Block(
                article=article,
                position=position,
                section=section,
                kind=kind,
                text=node.get("text", ""),
                url=node.get("url", "") if kind == Block.Kind.VIDEO else "",
                photo=self.photo(node["photo"]) if kind == Block.Kind.PHOTO else None,
            )
        )

    # Photos and credits

    def photo(self, spec: dict) -> Photo:
        self.photo_count += 1
        photo = Photo(
            caption=spec.get("caption", ""),
            alt_text=spec.get("alt_text", ""),
            credit_action=spec.get("credit_action", CreditAction.PHOTOGRAPHED),
        )
        # Saved through the field so width/height are read from the file, as on upload.
        photo.image.save(
            f"demo-{self.photo_count}.jpg", ContentFile(placeholder_jpeg(self.photo_count)), save=False
        )
        self.stored_files.append((photo.image.storage, photo.image.name))
        _saved(photo)
        # Before publishing, which delivers the rendition rows as they are.
        renditions.refresh(photo)
        storage = photo.image.storage
        self.stored_files += [(storage, name) for name in photo.renditions.values_list("file", flat=True)]
        for n, credit in enumerate(spec.get("credits", []), start=1):
            _saved(PhotoCredit(photo=photo, position=n, **self.credit(credit)))
        return photo

    def credit(self, credit: dict) -> dict:
        return {
            "contributor": self.contributor(credit["name"]),
            "role": credit.get("role", ""),
            "organisation": credit.get("organisation", ""),
        }

    def contributor(self, name: str) -> Contributor:
        """One row per real contributor: reuse an existing undisambiguated one by name."""
        if name not in self.contributors:
            kind = self.kinds.get(name, Contributor.Kind.PERSON)
            existing = Contributor.objects.filter(name=name, disambiguation="").first()
            self.contributors[name] = existing or _saved(Contributor(name=name, kind=kind))
        return self.contributors[name]
