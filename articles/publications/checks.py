"""Publish checks: what stops an issue from being published, and what publishing it now
would change for readers.

A problem carries a code as well as its words, so that a caller can tell one from
another (and a test hold it) without reading the Chinese; the admin and the command show
the words.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from articles.copydesk.photo_slots import awaiting_problems
from articles.delivery.rendering import Rendering, render_issue
from articles.desk import changes
from articles.models import (
    Article,
    Block,
    Correction,
    Issue,
    Publication,
    PublishedArticle,
    Section,
    TimelineItem,
)
from articles.workflow import UNFINISHED, ArticleStatus
from media.models import Photo, PhotoCredit


@dataclass(frozen=True)
class Problem:
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def issue_problems(
    issue: Issue, *, leave_out: Iterable[int] = (), rendering: Rendering | None = None
) -> list[Problem]:
    """Everything that stops the issue from being published; empty when ready.

    `leave_out` are articles the duty chief holds back from this publication. `rendering`
    is what would be published, when the caller has it already (else rendered here).
    """
    leave_out = set(leave_out)
    articles = list(issue.articles.exclude(status=ArticleStatus.WITHDRAWN).exclude(pk__in=leave_out))
    problems = [
        Problem("article_not_approved", f"稿件《{a}》仍是“{a.get_status_display()}”，未经审核。")
        for a in articles
        if a.status in UNFINISHED
    ]
    # Plain rows, not prefetched models: a 200-article issue has thousands of blocks, and
    # only where they sit matters here.
    block_sections, photo_ids = defaultdict(list), set()
    for article_id, section_id, photo_id in (
        Block.objects.filter(article__in=articles)
        .order_by("article_id", "position", "id")
        .values_list("article_id", "section_id", "photo_id")
    ):
        block_sections[article_id].append(section_id)
        if photo_id:
            photo_ids.add(photo_id)
    problems += _photo_problems(issue, photo_ids)
    sections = defaultdict(list)
    for section in Section.objects.filter(article__in=articles):
        sections[section.article_id].append(section)
    for article in articles:
        problems += _testimony_problems(article, sections[article.pk], block_sections[article.pk])
    for item in TimelineItem.objects.filter(timeline__issue=issue).select_related("timeline"):
        if not item.text.strip():
            problems.append(
                Problem(
                    "timeline_item_empty", f"大事记“{item.timeline}”中 {item.date_label} 的条目没有内容。"
                )
            )
    # Photo slots from the copy desk, still without an image.
    problems += [Problem("photo_awaiting_image", message) for message in awaiting_problems(issue)]
    published = [a for a in articles if a.status == ArticleStatus.PUBLISHED]
    problems += _missing_corrections(issue, published, rendering)
    if not any(a.status in (ArticleStatus.APPROVED, ArticleStatus.PUBLISHED) for a in articles):
        problems.append(Problem("nothing_to_publish", "没有可发布的稿件：至少要有一篇已审稿件。"))
    return problems


def _photo_problems(issue: Issue, photo_ids: set[int]) -> list[Problem]:
    """The photos of these blocks and of the issue's page: credited, with alt text."""
    photos = (
        Photo.objects.filter(Q(pk__in=photo_ids) | Q(issue_placements__issue=issue))
        .annotate(credited=Exists(PhotoCredit.objects.filter(photo=OuterRef("pk"))))
        .distinct()
        .order_by("pk")
    )
    problems = []
    for photo in photos:
        if not photo.credited:
            problems.append(Problem("photo_uncredited", f"图片“{photo}”没有署名。"))
        if not photo.alt_text.strip():
            problems.append(Problem("photo_without_alt_text", f"图片“{photo}”没有替代文字。"))
        if photo.image and not photo.renditions_ready:
            # Readers get renditions, never the original: a photo whose sizes and crops
            # are still being made (or failed) would reach them unprocessed.
            problems.append(
                Problem(
                    "photo_renditions_pending",
                    f"图片“{photo}”的衍生图（各尺寸与裁切）尚未生成完成，请稍候或在图片页查看原因。",
                )
            )
    return problems


def _testimony_problems(article: Article, sections: list[Section], block_sections: list) -> list[Problem]:
    """A testimony must hold blocks, one run of them. `block_sections`: the section of each
    of the article's blocks, in reading order."""
    problems = []
    for section in sections:
        places = [n for n, section_id in enumerate(block_sections) if section_id == section.pk]
        if not places:
            problems.append(Problem("testimony_empty", f"稿件《{article}》的讲述“{section}”没有内容。"))
        elif places != list(range(places[0], places[-1] + 1)):
            problems.append(
                Problem("testimony_split", f"稿件《{article}》的讲述“{section}”的正文块被其他内容隔开了。")
            )
    return problems


def _missing_corrections(
    issue: Issue, published: list[Article], rendering: Rendering | None
) -> list[Problem]:
    """A published article whose text changed since the live publication needs a correction
    note written after that publication."""
    # Its time only: the stored bytes (megabytes for a large issue) are not needed here.
    live = Publication.objects.live().filter(issue=issue).only("pk", "created_at").first()
    if live is None or not published:
        return []
    # values_list, not only(): rows read through `live.articles` would each be given their
    # publication, loading the deferred publication_id one query per row.
    before = {
        pk: json.loads(body)
        for pk, body in live.articles.filter(article__in=published).values_list("article_id", "body")
    }
    now = (rendering or render_issue(issue.pk)).articles  # the articles as they would be published
    corrected = set(
        Correction.objects.filter(article__in=published, created_at__gt=live.created_at).values_list(
            "article_id", flat=True
        )
    )
    return [
        Problem("correction_missing", f"稿件《{article}》已发布的文字有改动，须先填写更正说明。")
        for article in published
        if article.pk in before
        and article.pk in now
        and article.pk not in corrected
        and changes.text_changed(before[article.pk], now[article.pk])
    ]


def working_copy(issue: Issue, *, held_back: Iterable[int] = ()) -> Rendering:
    """The issue as publishing it now would store it (approved and published articles,
    but those `held_back`)."""
    return render_issue(issue.pk, (ArticleStatus.APPROVED, ArticleStatus.PUBLISHED), held_back=held_back)


def pending_changes(issue: Issue, *, rendering: Rendering | None = None) -> list[str]:
    """What the working copy would change for readers if published now ("有未发布的修改");
    empty when nothing would, or when the issue has never been published. `rendering`:
    `working_copy(issue)`, when the caller has it already."""
    live = Publication.objects.live().filter(issue=issue).first() or (
        issue.publications.filter(kind=Publication.Kind.SNAPSHOT).order_by("-number").first()
    )
    if live is None:
        return []
    now = rendering or working_copy(issue)
    before = json.loads(live.body)
    lines = changes.diff_lines(changes.issue_lines(before), changes.issue_lines(now.issue))
    lines += changes.page_photo_changes(before, now.issue)
    published = {pk: json.loads(body) for pk, body in live.articles.values_list("article_id", "body")}
    for pk, article in now.articles.items():
        if pk in published:
            diff = _article_changes(published[pk], article)
            if diff:
                lines.append(f"稿件《{article['headline']}》：")
                lines += [f"　　{line}" for line in diff]
    return lines


def article_pending_changes(article: Article) -> list[str]:
    """The article's unpublished changes against what readers see now (empty if none)."""
    live_row = PublishedArticle.objects.filter(
        article=article, publication__in=Publication.objects.live()
    ).first()
    if live_row is None or article.status != ArticleStatus.PUBLISHED:
        return []
    now = render_issue(article.issue_id).articles.get(article.pk)
    if now is None:
        return []
    return _article_changes(json.loads(live_row.body), now)


def _article_changes(before: dict, now: dict) -> list[str]:
    return changes.diff_lines(
        changes.article_lines(before), changes.article_lines(now)
    ) + changes.photo_changes(before, now)
