"""Publishing: the one place that changes what readers see.

Publishing renders the working copy once and stores it as an immutable, numbered
`Publication` (with each article's bytes). Readers get the newest publication whose time
has come (`PublicationQuerySet.live`); a future time is the embargo. Every function here is
one transaction: states change and the publication is written together, or neither.
"""

import gc
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone
from rest_framework.fields import DateTimeField

from articles.copydesk.services import awaiting_problems
from articles.delivery import service as delivery
from articles.delivery.rendering import Rendering, render_issue, to_json
from articles.desk import changes
from articles.desk.transitions import clean_note, may, move_all, record, require
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
from articles.workflow import ARTICLE_TRANSITIONS, ISSUE_TRANSITIONS, UNFINISHED, ArticleStatus, IssueStatus
from media.models import Photo, PhotoCredit


def issue_problems(
    issue: Issue, *, leave_out: Iterable[int] = (), rendering: Rendering | None = None
) -> list[str]:
    """Everything that stops the issue from being published, in words; empty when ready.

    `leave_out` are articles the duty chief holds back from this publication. `rendering`
    is what would be published, when the caller has it already (else rendered here).
    """
    leave_out = set(leave_out)
    problems = []
    articles = list(issue.articles.exclude(status=ArticleStatus.WITHDRAWN).exclude(pk__in=leave_out))
    for article in articles:
        if article.status in UNFINISHED:
            problems.append(f"稿件《{article}》仍是“{article.get_status_display()}”，未经审核。")
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
    photos = (
        Photo.objects.filter(Q(pk__in=photo_ids) | Q(issue_placements__issue=issue))
        .annotate(credited=Exists(PhotoCredit.objects.filter(photo=OuterRef("pk"))))
        .distinct()
        .order_by("pk")
    )
    for photo in photos:
        if not photo.credited:
            problems.append(f"图片“{photo}”没有署名。")
        if not photo.alt_text.strip():
            problems.append(f"图片“{photo}”没有替代文字。")
    sections = defaultdict(list)
    for section in Section.objects.filter(article__in=articles):
        sections[section.article_id].append(section)
    for article in articles:
        problems += _testimony_problems(article, sections[article.pk], block_sections[article.pk])
    for item in TimelineItem.objects.filter(timeline__issue=issue).select_related("timeline"):
        if not item.text.strip():
            problems.append(f"大事记“{item.timeline}”中 {item.date_label} 的条目没有内容。")
    problems += awaiting_problems(issue)  # photo slots from the copy desk, still without an image
    published = [a for a in articles if a.status == ArticleStatus.PUBLISHED]
    problems += _missing_corrections(issue, published, rendering)
    if not any(a.status in (ArticleStatus.APPROVED, ArticleStatus.PUBLISHED) for a in articles):
        problems.append("没有可发布的稿件：至少要有一篇已审稿件。")
    return problems


def _testimony_problems(article: Article, sections: list[Section], block_sections: list) -> list[str]:
    """A testimony must hold blocks, one run of them. `block_sections`: the section of each
    of the article's blocks, in reading order."""
    problems = []
    for section in sections:
        places = [n for n, section_id in enumerate(block_sections) if section_id == section.pk]
        if not places:
            problems.append(f"稿件《{article}》的讲述“{section}”没有内容。")
        elif places != list(range(places[0], places[-1] + 1)):
            problems.append(f"稿件《{article}》的讲述“{section}”的正文块被其他内容隔开了。")
    return problems


def _missing_corrections(issue: Issue, published: list[Article], rendering: Rendering | None) -> list[str]:
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
    changed = [
        article
        for article in published
        if article.pk in before
        and article.pk in now
        and changes.text_changed(before[article.pk], now[article.pk])
    ]
    return [f"稿件《{a}》已发布的文字有改动，须先填写更正说明。" for a in changed if a.pk not in corrected]


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
            diff = changes.diff_lines(changes.article_lines(published[pk]), changes.article_lines(article))
            diff += changes.photo_changes(published[pk], article)
            if diff:
                lines.append(f"稿件《{article['headline']}》：")
                lines += [f"　　{line}" for line in diff]
    return lines


def working_copy(issue: Issue) -> Rendering:
    """The issue as publishing it now would store it (approved and published articles)."""
    return render_issue(issue.pk, (ArticleStatus.APPROVED, ArticleStatus.PUBLISHED))


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
    before = json.loads(live_row.body)
    lines = changes.diff_lines(changes.article_lines(before), changes.article_lines(now))
    return lines + changes.photo_changes(before, now)


@transaction.atomic
def publish_issue(
    issue: Issue, *, user=None, at=None, leave_out: Iterable[int] = (), note: str = ""
) -> Publication:
    """Publish the issue's approved articles and its published ones' changes, visible from
    `at` (default now; a future time is an embargo). Refused, with every reason, while
    `issue_problems()` finds anything; `leave_out` holds unfinished articles back."""
    with collections_paused():
        return _publish_issue(issue, user=user, at=at, leave_out=leave_out, note=note)


def _publish_issue(issue: Issue, *, user, at, leave_out: Iterable[int], note: str) -> Publication:
    now = timezone.now()
    at = at or now
    transition = ISSUE_TRANSITIONS["schedule" if at > now else "publish"]
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    require(user, transition, issue, issue.status)
    note = clean_note(note, transition)
    leave_out = set(leave_out)
    # Rendered once, before the states change (the JSON shows no state): what the problem
    # checks compare with the live publication is exactly what is stored.
    rendering = render_issue(issue.pk, (ArticleStatus.APPROVED, ArticleStatus.PUBLISHED), held_back=leave_out)
    problems = issue_problems(issue, leave_out=leave_out, rendering=rendering)
    if problems:
        raise ValidationError(problems, code="issue_problems")
    move_all(
        issue.articles.exclude(pk__in=leave_out),
        ARTICLE_TRANSITIONS["publish"],
        user=user,
        note=f"随专题发布，{timezone.localtime(at):%Y-%m-%d %H:%M} 起可见",
    )
    before = issue.status
    issue.status, issue.published_at = IssueStatus.PUBLISHED, at
    issue.save(update_fields=["status", "published_at"])
    publication = _store(issue, rendering, user=user, visible_from=at, note=note)
    _drop_elsewhere(sorted(rendering.articles), issue=issue, user=user, note=note)
    record(issue, transition, user=user, from_status=before, note=note or f"第{publication.number}次发布")
    return publication


@transaction.atomic
def withdraw_issue(issue: Issue, *, user=None, note: str = "") -> Publication:
    """Take the issue away from readers at once (and cancel any embargoed publication)."""
    transition = ISSUE_TRANSITIONS["withdraw"]
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    require(user, transition, issue, issue.status)
    note = clean_note(note, transition)
    publication = Publication.objects.create(
        issue=issue,
        number=_next_number(issue),
        kind=Publication.Kind.WITHDRAWAL,
        visible_from=timezone.now(),
        slug=issue.slug,
        title=issue.title,
        issue_date=issue.issue_date,
        note=note,
        created_by=user,
    )
    issue.status = IssueStatus.WITHDRAWN
    issue.save(update_fields=["status"])
    record(issue, transition, user=user, from_status=IssueStatus.PUBLISHED, note=note)
    return publication


@transaction.atomic
def withdraw_article(article: Article, *, user=None, note: str = "") -> Article:
    """Take one published article away from readers at once; the rest of the issue stays
    as published (pending edits elsewhere are not published by this)."""
    transition = ARTICLE_TRANSITIONS["withdraw"]
    article = Article.objects.select_for_update().get(pk=article.pk)
    require(user, transition, article, article.status)
    note = clean_note(note, transition)
    # Every issue that still carries it, not only its own: one live copy, and none after this.
    for issue in [article.issue, *_other_issues_carrying([article.pk], besides=article.issue_id)]:
        _derive(issue, user=user, note=note, drop={article.pk})
    article.status = ArticleStatus.WITHDRAWN
    article.save(update_fields=["status"])
    record(article, transition, user=user, from_status=ArticleStatus.PUBLISHED, note=note)
    return article


@transaction.atomic
def republish_article(article: Article, *, user=None, note: str = "") -> Article:
    """Put a withdrawn article back, as its working copy stands, into the live issue."""
    transition = ARTICLE_TRANSITIONS["republish"]
    article = Article.objects.select_for_update().get(pk=article.pk)
    require(user, transition, article, article.status)
    note = clean_note(note, transition)
    article.status = ArticleStatus.PUBLISHED
    article.save(update_fields=["status"])
    _derive(article.issue, user=user, note=note, add=article.pk)
    _drop_elsewhere([article.pk], issue=article.issue, user=user, note=note)
    record(article, transition, user=user, from_status=ArticleStatus.WITHDRAWN, note=note)
    return article


def may_publish(user) -> bool:
    return may(user, ISSUE_TRANSITIONS["publish"])


def _other_issues_carrying(article_ids: Iterable[int], *, besides: int) -> list[Issue]:
    """Issues other than `besides` whose newest or live publication carries any of these
    articles. None, once moves of published articles are refused; data from before that
    rule may still hold such copies, and readers must not keep them."""
    newest = Publication.objects.filter(issue_id=OuterRef("issue_id")).order_by("-number").values("pk")[:1]
    carrying = Publication.objects.filter(
        Q(pk=Subquery(newest)) | Q(pk__in=Publication.objects.live().values("pk")),
        kind=Publication.Kind.SNAPSHOT,
        articles__article_id__in=list(article_ids),
    )
    return list(Issue.objects.filter(pk__in=carrying.values("issue_id")).exclude(pk=besides).order_by("pk"))


def _drop_elsewhere(article_ids: list[int], *, issue: Issue, user, note: str) -> None:
    """The articles now live in `issue` leave any other issue still carrying them."""
    for other in _other_issues_carrying(article_ids, besides=issue.pk):
        _derive(other, user=user, note=note or f"稿件已在“{issue}”中发布", drop=set(article_ids))


def _derive(issue: Issue, *, user, note: str, drop: set[int] = frozenset(), add: int | None = None) -> None:
    """A new publication, visible now, that is the live one minus `drop` or plus `add`."""
    newest = issue.publications.order_by("-number").first()
    if newest is None or newest.kind == Publication.Kind.WITHDRAWAL or issue.status != IssueStatus.PUBLISHED:
        return  # readers see nothing of the issue: only the article's state changes
    if newest.visible_from > timezone.now():
        raise ValidationError(
            f"专题有一次定时发布（{timezone.localtime(newest.visible_from):%Y-%m-%d %H:%M}）尚未生效，"
            "请先撤回专题或改为立即发布，再撤稿或重新发布单篇稿件。",
            code="embargo_pending",
        )
    data = json.loads(newest.body)
    articles = {row.article_id: json.loads(row.body) for row in newest.articles.all()}
    if add is None and not drop & set(articles):
        return  # nothing of it changes for readers
    parts = [p for p in data["parts"] if not (p["type"] == "article" and p["article"]["id"] in drop)]
    for pk in drop:
        articles.pop(pk, None)
    if add is not None:
        fresh = render_issue(issue.pk, (ArticleStatus.PUBLISHED,))
        part = next(p for p in fresh.issue["parts"] if p["type"] == "article" and p["article"]["id"] == add)
        parts = [p for p in parts if not (p["type"] == "article" and p["article"]["id"] == add)]
        later = next((n for n, p in enumerate(parts) if p["position"] > part["position"]), len(parts))
        parts.insert(later, part)
        articles[add] = fresh.articles[add]
    rendering = Rendering(issue={**data, "parts": parts}, summary=newest.summary, articles=articles)
    _store(issue, rendering, user=user, visible_from=timezone.now(), note=note)


@contextmanager
def collections_paused():
    """No garbage collection while publishing: rendering a large issue makes some 100,000
    objects, none of them cyclic garbage, and the collector would walk the whole process
    several times over while they are made (a tenth of a 200-article publish)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _next_number(issue: Issue) -> int:
    return (issue.publications.aggregate(n=Max("number"))["n"] or 0) + 1


def _store(issue: Issue, rendering: Rendering, *, user, visible_from, note: str) -> Publication:
    published_at = DateTimeField().to_representation(visible_from)
    rendering.issue["published_at"] = rendering.summary["published_at"] = published_at
    body = to_json(rendering.issue)
    article_bodies = {pk: to_json(data) for pk, data in rendering.articles.items()}
    stored = _stored_forms([body, *article_bodies.values()])
    publication = Publication.objects.create(
        issue=issue,
        number=_next_number(issue),
        visible_from=visible_from,
        slug=issue.slug,
        title=issue.title,
        issue_date=issue.issue_date,
        summary=rendering.summary,
        body=body,
        note=note,
        created_by=user,
        **stored[0],
    )
    PublishedArticle.objects.bulk_create(
        PublishedArticle(publication=publication, article_id=pk, body=text, **forms)
        for (pk, text), forms in zip(article_bodies.items(), stored[1:], strict=True)
    )
    return publication


def _stored_forms(texts: list[str]) -> list[dict]:
    """What is stored beside each JSON text: its SHA-256 (the ETag readers get) and its gzip
    and brotli bytes, so that no request ever compresses."""
    datas = [text.encode("utf-8") for text in texts]
    return [
        {"sha256": hashlib.sha256(data).hexdigest(), "body_gzip": forms["gzip"], "body_br": forms["br"]}
        for data, forms in zip(datas, delivery.compress_all(datas), strict=True)
    ]
