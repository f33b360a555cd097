"""Moving articles through the desk: who may do what, carried out and recorded.

Every transition goes through `move()`, which checks the caller's permission and the
article's state against the table in `articles/workflow.py`, and records the step.
`user=None` is the operator (a management command or the demo loader): shell access to the
server already is every right, so it is allowed and recorded without a name.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Article, Issue, TransitionRecord
from ..workflow import (
    ARTICLE_PAGE_TRANSITIONS,
    ARTICLE_TRANSITIONS,
    CORRECT,
    ON_RECORD,
    REVIEW,
    ArticleStatus,
    Transition,
)


def may(user, transition: Transition, article: Article | None = None) -> bool:
    """May `user` make `transition` (on `article`, when given)?"""
    if user is None or user.is_superuser:
        return True
    if not (user.is_active and user.has_perm(transition.permission)):
        return False
    if transition.own_only_without and article is not None and not user.has_perm(transition.own_only_without):
        return article.created_by_id == user.pk
    return True


def require(user, transition: Transition, subject, state: str) -> None:
    """Refuse, in words, a transition the caller may not make or the state does not allow."""
    if not may(user, transition, subject if isinstance(subject, Article) else None):
        raise PermissionDenied(f"您没有“{transition.label}”的权限：{subject}。")
    if state not in transition.sources:
        label = subject.get_status_display()
        raise ValidationError(
            f"“{subject}”当前为“{label}”，不能{transition.label}。", code="transition_not_allowed"
        )


def available_transitions(user, article: Article) -> list[Transition]:
    """The buttons to show this user on this article's page."""
    transitions = [ARTICLE_TRANSITIONS[name] for name in ARTICLE_PAGE_TRANSITIONS]
    return [t for t in transitions if article.status in t.sources and may(user, t, article)]


def may_edit(user, article: Article) -> bool:
    """Reporters edit their own drafts (and what was sent back to them, which is a draft
    again); editors anything not yet published; duty chiefs published articles too."""
    if user.is_superuser:
        return True
    if not user.has_perm("articles.change_article"):
        return False
    if article.status in ON_RECORD:
        return user.has_perm(CORRECT)
    if user.has_perm(REVIEW):
        return True
    return article.status == ArticleStatus.DRAFT and article.created_by_id == user.pk


def may_delete(user, article: Article) -> bool:
    """Never once it was in a publication (withdraw it instead); else as for editing."""
    return (
        article.status not in ON_RECORD
        and may_edit(user, article)
        and (user.is_superuser or user.has_perm("articles.delete_article"))
    )


def record(subject, transition: Transition, *, user, from_status: str, note: str = "") -> TransitionRecord:
    """Store the step and bump the subject's version, so a form opened before it is stale."""
    model = type(subject)
    model.objects.filter(pk=subject.pk).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    return TransitionRecord.objects.create(
        issue=subject if isinstance(subject, Issue) else None,
        article=subject if isinstance(subject, Article) else None,
        **_step(transition, user=user, from_status=from_status, note=note),
    )


def move_all(articles, transition: Transition, *, user, note: str = "") -> list[int]:
    """Carry out `transition` on every article of the queryset `articles` at once, each
    recorded and its version bumped as `record` does: the publish of a 200-article issue
    is two statements, not six hundred. The caller has checked the permission and holds
    the issue's lock; only articles in one of the transition's sources are moved."""
    moving = list(
        articles.filter(status__in=transition.sources)
        .select_for_update()
        .values_list("pk", "status")
        .order_by("pk")
    )
    Article.objects.filter(pk__in=[pk for pk, _ in moving]).update(
        status=transition.target, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    TransitionRecord.objects.bulk_create(
        TransitionRecord(article_id=pk, **_step(transition, user=user, from_status=status, note=note))
        for pk, status in moving
    )
    return [pk for pk, _ in moving]


def _step(transition: Transition, *, user, from_status: str, note: str) -> dict:
    return {
        "action": transition.name,
        "action_label": transition.label,
        "from_status": from_status,
        "to_status": transition.target,
        "note": note,
        "user": user,
    }


@transaction.atomic
def move(article: Article, name: str, *, user, note: str = "") -> Article:
    """Carry out the article transition `name` (submit, approve, send_back).

    Withdrawing and republishing change what readers see, so they are made by
    `publishing.withdraw_article` / `republish_article`, which call this too.
    """
    transition = ARTICLE_TRANSITIONS[name]
    article = Article.objects.select_for_update().get(pk=article.pk)
    require(user, transition, article, article.status)
    note = note.strip()
    if transition.note_required and not note:
        raise ValidationError(f"{transition.label}须填写说明。", code="note_required")
    before = article.status
    article.status = transition.target
    article.save(update_fields=["status"])
    record(article, transition, user=user, from_status=before, note=note)
    article.refresh_from_db()
    return article
