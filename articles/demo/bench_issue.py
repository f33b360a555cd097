"""A realistic, made-up special report of any size, for benchmarks and tests.

Paragraphs are pseudo-Chinese drawn from the demo issue's own characters (which character
follows which, with some chance of any), at the demo's paragraph lengths (~100 characters):
not readable, but the JSON readers get is shaped, sized and compresses like the real thing
(gzip ~40%, brotli ~37% of the bytes, where recombining whole demo paragraphs would let
brotli shrink a 200-article issue to 2% and flatter every compressed measurement):
2–4 bylines, a lead, a testimony section with its speaker, 1–3 photos with credits, alt
text and their renditions (30 each, as an upload gets them), page photos and a timeline.
Rows are written in bulk (this builds hundreds of articles in seconds); publishing goes
through `publish_issue`, as the duty chief's button does.
"""

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from articles.demo.loader import placeholder_jpeg, read_fixture
from articles.models import (
    Article,
    Block,
    Byline,
    Contributor,
    Issue,
    IssuePhoto,
    Section,
    Timeline,
    TimelineItem,
)
from articles.publications.publishing import publish_issue
from articles.workflow import ArticleStatus
from media.credits import CreditAction, CreditRole
from media.models import Photo, PhotoCredit, Rendition
from media.renditions import services as renditions

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = [
    "晓梅",
    "建国",
    "丽珍",
    "云伟",
    "珍珍",
    "之暹",
    "晨磊",
    "玲玲",
    "海燕",
    "志强",
    "文婷",
    "国荣",
    "雅琴",
    "浩然",
]
ORGANISATIONS = ["福明街道", "小古城村", "庆元县委组织部", "安吉县余村", "建德市洋溪街道", "宁海县委宣传部"]
KINDS = [Article.Kind.REPORT, Article.Kind.FEATURE, Article.Kind.COMMENTARY, Article.Kind.INTERVIEW]
PHOTO_FILES = 6  # distinct image files shared by the issue's photos
PHOTO_SIZE = (1600, 1067)  # wide enough for every rendition width (30 a photo)
ANY_CHARACTER = 0.3  # how often the next character ignores the one before it


@dataclass
class BenchIssue:
    issue: Issue
    publish_seconds: float  # publish_issue: checks, render, store


def demo_texts() -> tuple[list[str], list[dict], list[dict]]:
    """The demo issue's paragraphs (timeline items included), testimony headings and photo
    descriptions."""
    paragraphs, testimonies, photos = [], [], []

    def walk(nodes):
        for node in nodes:
            if node["type"] == "paragraph":
                paragraphs.append(node["text"])
            elif node["type"] == "photo":
                photos.append(node["photo"])
            elif node["type"] == "testimony":
                testimonies.append(node)
                walk(node["body"])

    for part in read_fixture()["parts"]:
        if part["type"] == "article":
            walk(part["body"])
        elif part["type"] == "photo":
            photos.append(part["photo"])
        elif part["type"] == "timeline":
            paragraphs += [item["text"] for item in part["items"]]
    return paragraphs, testimonies, photos


class PseudoText:
    """Paragraphs that read like Chinese to a compressor: each character follows one that
    came before it somewhere in the demo text, or (ANY_CHARACTER of the time) any character."""

    def __init__(self, paragraphs: list[str], rng: random.Random):
        self.rng = rng
        self.lengths = [len(text) for text in paragraphs]
        self.starts = [text[0] for text in paragraphs]
        self.characters = "".join(paragraphs)
        self.following: dict[str, list[str]] = defaultdict(list)
        for text in paragraphs:
            for before, after in zip(text, text[1:], strict=False):
                self.following[before].append(after)

    def paragraph(self, length: int | None = None) -> str:
        rng, length = self.rng, length or self.rng.choice(self.lengths)
        character = rng.choice(self.starts)
        out = [character]
        while len(out) < length:
            choices = self.following.get(character)
            if not choices or rng.random() < ANY_CHARACTER:
                choices = self.characters
            character = rng.choice(choices)
            out.append(character)
        return "".join(out).rstrip("，、；：“（") + "。"

    def phrase(self, low: int, high: int) -> str:
        text = self.paragraph(self.rng.randint(low, high))
        return "".join(c for c in text if c not in "，。、；：！？“”（）《》 ") or "基层报告"


def build_bench_issue(articles: int, *, slug: str = "", seed: int = 0, publish: bool = True) -> BenchIssue:
    """An issue of `articles` approved articles (published unless `publish` is false)."""
    with transaction.atomic():
        issue = _Builder(random.Random(seed)).build(articles, slug or f"bench-{articles}")  # noqa: S311 (not secrets)
    seconds = 0.0
    if publish:
        started = time.perf_counter()
        publish_issue(issue)
        seconds = time.perf_counter() - started
        issue.refresh_from_db()
    return BenchIssue(issue=issue, publish_seconds=seconds)


class _Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        paragraphs, self.testimonies, self.photo_specs = demo_texts()
        self.text = PseudoText(paragraphs, rng)
        self.people = [
            Contributor.objects.get_or_create(name=surname + given, disambiguation="")[0]
            for surname, given in zip(SURNAMES, GIVEN * 4, strict=False)
        ]
        self.files: list[tuple[str, int, int]] = []
        self.made: dict[str, tuple[str, list[Rendition]]] = {}  # renditions by image file

    def build(self, count: int, slug: str) -> Issue:
        issue = Issue.objects.create(
            title=f"基准测试专题（{count}篇）",
            slug=slug,
            description="压力测试用的专题：文字取自演示专题，按篇重新组合。",
            issue_date=dt.date(2026, 12, 1),
        )
        articles = Article.objects.bulk_create(
            Article(
                issue=issue,
                position=n + 1,
                kind=self.rng.choice(KINDS),
                kicker=self.rng.choice(["", "我们这十年", "基层报告"]),
                headline=self.text.phrase(10, 18),
                subheadline=self.rng.choice(["", self.text.phrase(8, 16)]),
                slug=f"{slug}-{n + 1}",
                status=ArticleStatus.APPROVED,
            )
            for n in range(count)
        )
        bylines, sections, blocks, credits, photos = [], [], [], [], []
        for article in articles:
            bylines += self.bylines(article=article)
            section = Section(article=article, **self.speaker())
            sections.append(section)
            photo_count = self.rng.randint(1, 3)
            article_photos = [self.photo() for _ in range(photo_count)]
            photos += article_photos
            blocks.append((article, section, article_photos))
        Byline.objects.bulk_create(bylines)
        Section.objects.bulk_create(sections)
        Photo.objects.bulk_create(photos)
        page_photos = [self.photo() for _ in range(2)]
        Photo.objects.bulk_create(page_photos)
        self.renditions(photos + page_photos)
        for photo in photos + page_photos:
            credits += self.photo_credits(photo)
        PhotoCredit.objects.bulk_create(credits)
        Block.objects.bulk_create(row for parts in blocks for row in self.body(*parts))
        IssuePhoto.objects.bulk_create(
            IssuePhoto(issue=issue, photo=photo, position=count + 1 + n)
            for n, photo in enumerate(page_photos)
        )
        self.timeline(issue, count + 3)
        return issue

    def person(self) -> Contributor:
        return self.rng.choice(self.people)

    def bylines(self, **owner) -> list[Byline]:
        roles = [CreditRole.STAFF_REPORTER] * 2 + [CreditRole.CORRESPONDENT, CreditRole.MEDIA_ALLIANCE]
        people = self.rng.sample(self.people, 4)
        rows = []
        for n in range(self.rng.randint(2, 4)):
            role = roles[n]
            organisation = self.rng.choice(ORGANISATIONS) if role == CreditRole.MEDIA_ALLIANCE else ""
            rows.append(
                Byline(position=n + 1, contributor=people[n], role=role, organisation=organisation, **owner)
            )
        return rows

    def speaker(self) -> dict:
        model = self.rng.choice(self.testimonies)
        return {
            "speaker_name": self.person().name,
            "speaker_title": model.get("speaker_title", ""),
            "headline": model.get("headline", ""),
        }

    def photo(self) -> Photo:
        spec = self.rng.choice(self.photo_specs)
        name, width, height = self.image_file()
        return Photo(
            image=name,
            width=width,
            height=height,
            caption=spec["caption"],
            alt_text=spec["alt_text"],
            credit_action=spec.get("credit_action", CreditAction.PHOTOGRAPHED),
        )

    def image_file(self) -> tuple[str, int, int]:
        """One of a few real JPEGs in storage: the API reads names and sizes, never pixels."""
        if len(self.files) < PHOTO_FILES:
            n = len(self.files) + 1
            name = default_storage.save(f"photos/bench-{n}.jpg", ContentFile(placeholder_jpeg(n, PHOTO_SIZE)))
            self.files.append((name, *PHOTO_SIZE))
        return self.rng.choice(self.files)

    def renditions(self, photos: list[Photo]) -> None:
        """Every photo's renditions, as the photo desk's upload makes them: made for real
        once per image file (the service's own code), then given to every photo showing
        that file, as the photos share their few files."""
        showing = defaultdict(list)
        for photo in photos:
            showing[photo.image.name].append(photo)
        rows, ready = [], []
        for name, sharing in showing.items():
            if name not in self.made:
                renditions.refresh(sharing[0])
                self.made[name] = (sharing[0].renditions_key, list(sharing[0].renditions.all()))
                sharing = sharing[1:]
            key, made = self.made[name]
            for photo in sharing:
                photo.renditions_key = key
                ready.append(photo)
                rows += [
                    Rendition(
                        photo=photo,
                        spec=r.spec,
                        ratio=r.ratio,
                        format=r.format,
                        width=r.width,
                        height=r.height,
                        file=r.file.name,
                        source_key=r.source_key,
                    )
                    for r in made
                ]
        Rendition.objects.bulk_create(rows)
        Photo.objects.bulk_update(ready, ["renditions_key"])

    def photo_credits(self, photo: Photo) -> list[PhotoCredit]:
        if photo.credit_action == CreditAction.COURTESY:
            organisation = Contributor.objects.get_or_create(
                name=self.rng.choice(ORGANISATIONS), defaults={"kind": Contributor.Kind.ORGANISATION}
            )[0]
            return [PhotoCredit(photo=photo, contributor=organisation, position=1)]
        roles = [CreditRole.STAFF_REPORTER, CreditRole.READER_PHOTOGRAPHER]
        people = self.rng.sample(self.people, 2)
        return [
            PhotoCredit(photo=photo, contributor=people[n], role=roles[n], position=n + 1)
            for n in range(self.rng.randint(1, 2))
        ]

    def body(self, article: Article, section: Section, photos: list[Photo]) -> list[Block]:
        """12–16 paragraphs with a subheading and the article's other photos among them, then
        the testimony: 9–12 paragraphs and the first photo."""
        nodes = [{"text": self.text.paragraph()} for _ in range(self.rng.randint(12, 16))]
        nodes.insert(
            self.rng.randint(3, len(nodes)), {"kind": Block.Kind.SUBHEADING, "text": self.text.phrase(6, 12)}
        )
        for photo in photos[1:]:
            nodes.insert(self.rng.randint(1, 4), {"kind": Block.Kind.PHOTO, "photo": photo})
        nodes += [{"text": self.text.paragraph(), "section": section} for _ in range(self.rng.randint(9, 12))]
        nodes.append({"kind": Block.Kind.PHOTO, "photo": photos[0], "section": section})
        return [Block(article=article, position=n, **node) for n, node in enumerate(nodes, start=1)]

    def timeline(self, issue: Issue, position: int) -> None:
        timeline = Timeline.objects.create(
            issue=issue, position=position, title="大事记", credit_action=CreditAction.COMPILED
        )
        Byline.objects.bulk_create(self.bylines(timeline=timeline)[:1])
        TimelineItem.objects.bulk_create(
            TimelineItem(
                timeline=timeline,
                position=n + 1,
                date=dt.date(2012 + n // 2, 1 + (n % 2) * 6, 1),
                date_precision=TimelineItem.Precision.MONTH,
                text=self.text.paragraph(),
            )
            for n in range(20)
        )
