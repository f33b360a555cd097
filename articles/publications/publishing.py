"""Publishing: the one place that changes what readers see.

Publishing renders the working copy once and stores it as an immutable, numbered
`Publication` (with each article's bytes). Readers get the newest publication whose time
has come (`PublicationQuerySet.live`); a future time is the embargo. Every function here is
one transaction: states change and the publication is written together, or neither; and
each publication written is announced (`publication_changed`) once it commits.
"""

import gc
import hashlib
import json
from collections.abc import Iterable
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from articles.delivery.encodings import compress_all
from articles.delivery.rendering import Rendering, render_issue, to_json
from articles.desk.transitions import clean_note, may, move_all, record, require
from articles.exceptions import EmbargoPending, IssueNotReady
from articles.models import Article, Issue, Publication, PublishedArticle
from articles.publications.checks import issue_problems, working_copy
from articles.publications.signals import announce
from articles.workflow import ARTICLE_TRANSITIONS, ISSUE_TRANSITIONS, ArticleStatus, IssueStatus, Transition
from newsroom.operations.instruments import PUBLISH_SECONDS, timed


@transaction.atomic
def publish_issue(
    issue: Issue, *, user=None, at=None, leave_out: Iterable[int] = (), note: str = ""
) -> Publication:
    """Publish the issue's approved articles and its published ones' changes, visible from
    `at` (default now; a future time is an embargo). Refused (`IssueNotReady`), with every
    problem, while `issue_problems()` finds any; `leave_out` holds unfinished articles back."""
    with collections_paused(), timed(PUBLISH_SECONDS):
        return _publish_issue(issue, user=user, at=at, leave_out=leave_out, note=note)


def _publish_issue(issue: Issue, *, user, at, leave_out: Iterable[int], note: str) -> Publication:
    now = timezone.now()
    at = at or now
    transition = ISSUE_TRANSITIONS["schedule" if at > now else "publish"]
    issue, note = _locked(issue, transition, user=user, note=note)
    leave_out = set(leave_out)
    # Rendered once, before the states change (the JSON shows no state): what the problem
    # checks compare with the live publication is exactly what is stored.
    rendering = working_copy(issue, held_back=leave_out)
    problems = issue_problems(issue, leave_out=leave_out, rendering=rendering)
    if problems:
        raise IssueNotReady(problems)
    move_all(
        issue.articles.exclude(pk__in=leave_out),
        ARTICLE_TRANSITIONS["publish"],
        user=user,
        note=f"随专题发布，{timezone.localtime(at):%Y-%m-%d %H:%M} 起可见",
    )
    before = issue.status
    issue.status, issue.published_at = IssueStatus.PUBLISHED, at
    issue.save(update_fields=["status", "published_at"])
    publication = store_snapshot(issue, rendering, user=user, visible_from=at, note=note)
    _drop_elsewhere(sorted(rendering.articles), issue=issue, user=user, note=note)
    record(issue, transition, user=user, from_status=before, note=note or f"第{publication.number}次发布")
    return publication


@transaction.atomic
def withdraw_issue(issue: Issue, *, user=None, note: str = "") -> Publication:
    """Take the issue away from readers at once (and cancel any embargoed publication)."""
    transition = ISSUE_TRANSITIONS["withdraw"]
    issue, note = _locked(issue, transition, user=user, note=note)
    publication = _new_publication(
        issue, kind=Publication.Kind.WITHDRAWAL, visible_from=timezone.now(), user=user, note=note
    )
    _step(issue, transition, user=user, note=note)
    return publication


@transaction.atomic
def withdraw_article(article: Article, *, user=None, note: str = "") -> Article:
    """Take one published article away from readers at once; the rest of the issue stays
    as published (pending edits elsewhere are not published by this)."""
    transition = ARTICLE_TRANSITIONS["withdraw"]
    article, note = _locked(article, transition, user=user, note=note)
    # Every issue that still carries it, not only its own: one live copy, and none after this.
    for issue in [article.issue, *_other_issues_carrying([article.pk], besides=article.issue_id)]:
        _derive(issue, user=user, note=note, drop={article.pk})
    _step(article, transition, user=user, note=note)
    return article


@transaction.atomic
def republish_article(article: Article, *, user=None, note: str = "") -> Article:
    """Put a withdrawn article back, as its working copy stands, into the live issue."""
    transition = ARTICLE_TRANSITIONS["republish"]
    article, note = _locked(article, transition, user=user, note=note)
    article.status = ArticleStatus.PUBLISHED  # first: _derive renders the published articles
    article.save(update_fields=["status"])
    _derive(article.issue, user=user, note=note, add=article.pk)
    _drop_elsewhere([article.pk], issue=article.issue, user=user, note=note)
    record(article, transition, user=user, from_status=ArticleStatus.WITHDRAWN, note=note)
    return article


def may_publish(user) -> bool:
    return may(user, ISSUE_TRANSITIONS["publish"])


def _locked(subject: Issue | Article, transition: Transition, *, user, note: str):
    """The issue or article, locked for the transition, once the user may make it; and the
    note, cleaned for it."""
    subject = type(subject).objects.select_for_update().get(pk=subject.pk)
    require(user, transition, subject, subject.status)
    return subject, clean_note(note, transition)


def _step(subject: Issue | Article, transition: Transition, *, user, note: str) -> None:
    """The issue or article takes the transition's state, on the record."""
    before = subject.status
    subject.status = transition.target
    subject.save(update_fields=["status"])
    record(subject, transition, user=user, from_status=before, note=note)


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
    if newest.is_scheduled():
        raise EmbargoPending(
            f"专题有一次定时发布（{timezone.localtime(newest.visible_from):%Y-%m-%d %H:%M}）尚未生效，"
            "请先撤回专题或改为立即发布，再撤稿或重新发布单篇稿件。"
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
    store_snapshot(issue, rendering, user=user, visible_from=timezone.now(), note=note)


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


# No savepoint inside a publish (they are one transaction anyway); a transaction of its own
# when called alone.
@transaction.atomic(savepoint=False)
def store_snapshot(issue: Issue, rendering: Rendering, *, user, visible_from, note: str) -> Publication:
    """Store `rendering` as the issue's next publication, visible from `visible_from`:
    its JSON and each article's, with their digests and compressed bytes. The states are
    the caller's to change; the importer stores a package's publication this way."""
    # The publication's time, as the API writes times (ISO 8601 in the newsroom's zone).
    published_at = timezone.localtime(visible_from, settings.NEWSROOM_TIME_ZONE).isoformat()
    rendering.issue["published_at"] = rendering.summary["published_at"] = published_at
    body = to_json(rendering.issue)
    article_bodies = {pk: to_json(data) for pk, data in rendering.articles.items()}
    stored = _stored_forms([body, *article_bodies.values()])
    publication = _new_publication(
        issue,
        visible_from=visible_from,
        user=user,
        note=note,
        summary=rendering.summary,
        body=body,
        **stored[0],
    )
    PublishedArticle.objects.bulk_create(
        PublishedArticle(publication=publication, article_id=pk, body=text, **forms)
        for (pk, text), forms in zip(article_bodies.items(), stored[1:], strict=True)
    )
    return publication


def _new_publication(issue: Issue, *, user, note: str, **fields) -> Publication:
    """The issue's next publication row, announced to delivery and media after the commit."""
    publication = Publication.objects.create(
        issue=issue,
        number=_next_number(issue),
        slug=issue.slug,
        title=issue.title,
        issue_date=issue.issue_date,
        note=note,
        created_by=user,
        **fields,
    )
    announce([publication])
    return publication


def _next_number(issue: Issue) -> int:
    return (issue.publications.aggregate(n=Max("number"))["n"] or 0) + 1


def _stored_forms(texts: list[str]) -> list[dict]:
    """What is stored beside each JSON text: its SHA-256 (the ETag readers get) and its gzip
    and brotli bytes, so that no request ever compresses."""
    datas = [text.encode("utf-8") for text in texts]
    return [
        {"sha256": hashlib.sha256(data).hexdigest(), "body_gzip": forms["gzip"], "body_br": forms["br"]}
        for data, forms in zip(datas, compress_all(datas), strict=True)
    ]
