"""Importing a manuscript: read it, match who is credited, say what stops the save, then
save it in one transaction as drafts, through the same models and validation as the admin.

The reading itself is pure (`articles.copydesk.desk`); here it meets the database.
"""

from dataclasses import dataclass, field

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from articles.models import Article, Block, Byline, Issue, IssuePhoto, Section, Timeline, TimelineItem
from articles.workflow import ArticleStatus
from media.models import Photo
from newsroom.revisions import saved_revision

from .contributors import ContributorMatch, contributors_for, match_contributors
from .desk import Reading, manuscript_too_long, read_manuscript
from .draft import ArticleDraft, PhotoSlot, Testimony, TimelineDraft
from .photo_slots import awaiting_photo
from .report import invisible_problems
from .rows import block_fields, save_credits, saved, section_fields


@dataclass
class Proposal:
    """A manuscript read for saving: the reading, the target issue, who is who, and what
    stops it from being saved: `errors` in the manuscript, `refusals` of this user's rights."""

    reading: Reading
    issue: Issue | None
    contributors: dict[str, ContributorMatch]
    errors: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.errors + self.refusals

    @property
    def title(self) -> str:
        return self.issue.title if self.issue else self.reading.page.title

    @property
    def savable(self) -> bool:
        return not self.problems


def propose(
    text: str, *, user=None, issue: Issue | None = None, accepted=(), accept_all=False, choices=None
) -> Proposal:
    too_long = manuscript_too_long(text)
    if too_long:
        raise ValidationError(too_long, code="manuscript_too_long")
    reading = read_manuscript(text, accepted, accept_all=accept_all)
    page = reading.page
    contributors = match_contributors(page.contributors(), choices)
    errors = invisible_problems(reading.lines)
    errors += [match.problem for match in contributors.values() if match.problem]
    if not page.parts:
        errors.append("没有识别出可以保存的稿件、图片或大事记。")
    return Proposal(reading, issue, contributors, errors, _refusals(user, page, issue))


def _refusals(user, page, issue) -> list[str]:
    if user is None:
        return []  # the operator, from the command line
    needed = []
    if issue is None:
        needed.append(("articles.add_issue", "新建专题"))
    kinds = {type(part) for part in page.parts}
    if ArticleDraft in kinds:
        needed.append(("articles.add_article", "新建稿件"))
    if PhotoSlot in kinds:
        needed.append(("articles.add_issuephoto", "添加专题图片"))
    if TimelineDraft in kinds:
        needed.append(("articles.add_timeline", "添加大事记"))
    if (
        any(isinstance(block, PhotoSlot) for a in page.articles() for _, block in a.blocks())
        or PhotoSlot in kinds
    ):
        needed.append(("media.add_photo", "添加图片"))
    return [f"您没有{label}的权限。" for perm, label in needed if not user.has_perm(perm)]


@dataclass
class Imported:
    issue: Issue
    articles: list[Article]
    page_photos: int
    timelines: int
    awaiting: int
    created_issue: bool


def save_proposal(proposal: Proposal, *, user=None, title: str = "", issue_date=None) -> Imported:
    """Save the proposal as drafts, all or nothing. New articles are drafts created by
    `user`; photo slots await their images. Refused without writing anything:
    PermissionDenied when the user may not, else ValidationError, both in words."""
    if proposal.refusals:
        raise PermissionDenied("；".join(proposal.problems))
    if proposal.errors:
        raise ValidationError(proposal.errors)
    with transaction.atomic():
        return _Saver(proposal, user).save(title=title, issue_date=issue_date)


class _Saver:
    def __init__(self, proposal: Proposal, user):
        self.proposal = proposal
        self.user = user
        self.awaiting = 0

    def save(self, *, title: str, issue_date) -> Imported:
        page = self.proposal.reading.page
        created = self.proposal.issue is None
        issue = self.proposal.issue or self.new_issue(title or page.title, issue_date)
        self.contributors = contributors_for(self.proposal.contributors, self.user)
        position = next_position(issue)
        articles, page_photos, timelines = [], 0, 0
        for part in page.parts:
            position += 1
            if isinstance(part, ArticleDraft):
                articles.append(self.article(issue, position, part))
            elif isinstance(part, PhotoSlot):
                saved(IssuePhoto(issue=issue, position=position, photo=self.photo(part)))
                page_photos += 1
            else:
                self.timeline(issue, position, part)
                timelines += 1
        for article in articles:
            # As desk.revisions.record_revision does (the desk sits above the copy desk):
            # read again, since the instance predates the parts saved since.
            with saved_revision(self.user, "从稿件导入"):
                reversion.add_to_revision(Article.objects.get(pk=article.pk))
        return Imported(issue, articles, page_photos, timelines, self.awaiting, created)

    def new_issue(self, title: str, issue_date) -> Issue:
        if not title.strip():
            raise ValidationError("请填写专题名称：稿件里没有识别出专题名称。")
        if issue_date is None:
            raise ValidationError("请填写刊发日期。")
        return saved(Issue(title=title.strip(), issue_date=issue_date, updated_by=self.user))

    def article(self, issue: Issue, position: int, draft: ArticleDraft) -> Article:
        read = {name: getattr(draft, name) for name in ("kind", "kicker", "headline", "subheadline")}
        by = {"created_by": self.user, "updated_by": self.user}
        article = saved(
            Article(issue=issue, position=position, status=ArticleStatus.DRAFT, **read, **by), draft.lines
        )
        save_credits(Byline, draft.bylines, self.contributors, article=article)
        n = 0
        for node in draft.body:
            section, blocks = None, [node]
            if isinstance(node, Testimony):  # saved even when empty: the speaker is there
                section = saved(Section(article=article, **section_fields(node)), node.lines)
                blocks = node.body
            for block in blocks:
                n += 1
                self.block(article, n, block, section)
        return article

    def block(self, article: Article, position: int, node, section) -> Block:
        kind, fields = block_fields(node)
        if kind == Block.Kind.PHOTO:
            fields["photo"] = self.photo(node)
        return saved(
            Block(article=article, position=position, section=section, kind=kind, **fields), node.lines
        )

    def photo(self, slot: PhotoSlot) -> Photo:
        if slot.photo_id is not None:
            return Photo.objects.get(pk=slot.photo_id)
        self.awaiting += 1
        return awaiting_photo(slot, self.contributors, self.user)

    def timeline(self, issue: Issue, position: int, draft: TimelineDraft) -> None:
        timeline = saved(
            Timeline(issue=issue, position=position, title=draft.title, credit_action=draft.credit_action),
            draft.lines,
        )
        save_credits(Byline, draft.credits, self.contributors, timeline=timeline)
        for n, item in enumerate(draft.items, start=1):
            fields = {"date": item.date, "date_precision": item.precision, "text": item.text}
            saved(TimelineItem(timeline=timeline, position=n, **fields), item.lines)


def next_position(issue: Issue) -> int:
    """The last reading position used by any part of the issue (0 when empty)."""
    positions = [
        issue.articles.aggregate(top=Max("position"))["top"],
        issue.issue_photos.aggregate(top=Max("position"))["top"],
        issue.timelines.aggregate(top=Max("position"))["top"],
    ]
    return max([p for p in positions if p is not None], default=0)
