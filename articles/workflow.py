"""The desk's states and transitions, as data: one table the services, the admin and the
tests all read. No ORM here; `services/workflow.py` carries transitions out."""

from dataclasses import dataclass

from django.db import models


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "待审"
    APPROVED = "approved", "已审"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class IssueStatus(models.TextChoices):
    # "Scheduled" is not stored: it is a published issue whose publication's time has not
    # come, so it turns into "published" at that second without any background job.
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


# Permissions, as "app_label.codename". The roles (groups) get them in a data migration.
SUBMIT = "articles.submit_article"
REVIEW = "articles.review_article"
CORRECT = "articles.correct_article"
PUBLISH = "articles.publish_issue"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str
    note_required: bool = False
    # Reporters may submit only what they wrote; reviewers may act on anyone's.
    own_only_without: str | None = None


ARTICLE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            "提交审核",
            (ArticleStatus.DRAFT,),
            ArticleStatus.IN_REVIEW,
            SUBMIT,
            own_only_without=REVIEW,
        ),
        Transition(
            "send_back",
            "退回修改",
            (ArticleStatus.IN_REVIEW, ArticleStatus.APPROVED),
            ArticleStatus.DRAFT,
            REVIEW,
            note_required=True,
        ),
        Transition("approve", "审核通过", (ArticleStatus.IN_REVIEW,), ArticleStatus.APPROVED, REVIEW),
        # Made by publishing the issue: the article enters the issue's next publication.
        Transition("publish", "发布", (ArticleStatus.APPROVED,), ArticleStatus.PUBLISHED, PUBLISH),
        Transition(
            "withdraw",
            "撤稿",
            (ArticleStatus.PUBLISHED,),
            ArticleStatus.WITHDRAWN,
            PUBLISH,
            note_required=True,
        ),
        Transition("republish", "重新发布", (ArticleStatus.WITHDRAWN,), ArticleStatus.PUBLISHED, PUBLISH),
    ]
}

ISSUE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "publish",
            "发布",
            (IssueStatus.DRAFT, IssueStatus.PUBLISHED, IssueStatus.WITHDRAWN),
            IssueStatus.PUBLISHED,
            PUBLISH,
        ),
        Transition(
            "schedule",
            "定时发布",
            (IssueStatus.DRAFT, IssueStatus.PUBLISHED, IssueStatus.WITHDRAWN),
            IssueStatus.PUBLISHED,
            PUBLISH,
        ),
        Transition("withdraw", "撤回", (IssueStatus.PUBLISHED,), IssueStatus.WITHDRAWN, PUBLISH),
    ]
}

# The transitions an editor starts from an article's page; the others come with the issue.
ARTICLE_PAGE_TRANSITIONS = ("submit", "approve", "send_back", "withdraw", "republish")

# Articles a publication carries, and articles the desk may still work on before that.
PUBLISHABLE = (ArticleStatus.APPROVED, ArticleStatus.PUBLISHED)
UNFINISHED = (ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW)
# Once in a publication an article is part of the record: withdraw it, never delete it.
ON_RECORD = (ArticleStatus.PUBLISHED, ArticleStatus.WITHDRAWN)
