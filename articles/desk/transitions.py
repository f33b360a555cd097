"""Moving articles through the desk: who may do what, carried out and recorded.

Every transition goes through `move()`, which checks the caller's permission and the
article's state against the table in `articles/workflow.py`, and records the step.
`user=None` is the operator (a management command or the demo loader): shell access to the
server already is every right, so it is allowed and recorded without a name.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from articles.desk.signals import workflow_stepped
from articles.models import Article, Contributor, Issue, Publication, Timeline, TransitionRecord
from articles.workflow import (
    ARTICLE_PAGE_TRANSITIONS,
    ARTICLE_TRANSITIONS,
    CORRECT,
    ON_RECORD,
    PUBLISH,
    REVIEW,
    ArticleStatus,
    Transition,
)
from media.models import Photo
from media.validators import LONG_PLAIN_TEXT


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


# Everything else readers see: photos, contributors, issue fields, timelines. The shape of
# `may_edit`: what a publication uses is the duty chief's, what is not yet the editors',
# and a reporter's own and unused is theirs.


def is_duty_chief(user) -> bool:
    return user.is_superuser or user.has_perm(CORRECT) or user.has_perm(PUBLISH)


def photo_used_by_publication(photo) -> bool:
    """Placed in a block of an article or on the page of an issue that has ever been in a
    publication, or shown by any stored publication (a placement removed since)."""
    placed = Q(blocks__article__publications__isnull=False) | Q(
        issue_placements__issue__publications__isnull=False
    )
    if Photo.objects.filter(placed, pk=photo.pk).exists():
        return True
    return _in_stored_publication(f'"photo":{{"id":{photo.pk},')


def contributor_used_by_publication(contributor: Contributor) -> bool:
    """Credited in an article, a timeline or a photo that a publication used, or named by
    any stored publication."""
    credited = (
        Q(bylines__article__publications__isnull=False)
        | Q(bylines__timeline__issue__publications__isnull=False)
        | Q(photocredits__photo__blocks__article__publications__isnull=False)
        | Q(photocredits__photo__issue_placements__issue__publications__isnull=False)
    )
    if Contributor.objects.filter(credited, pk=contributor.pk).exists():
        return True
    return _in_stored_publication(f'"contributor_id":{contributor.pk},') or _in_stored_publication(
        f'"contributor_id":{contributor.pk}}}'
    )


def _in_stored_publication(marker: str) -> bool:
    # The stored JSON is compact (REST framework's renderer): the marker is exact.
    return Publication.objects.filter(body__contains=marker).exists()


def may_change_photo(user, photo) -> bool:
    """Duty chiefs any photo (a published one's change waits for the next publish); editors
    photos no publication uses; reporters those they uploaded, while no publication uses them."""
    if is_duty_chief(user):
        return user.is_superuser or user.has_perm("media.change_photo")
    if not user.has_perm("media.change_photo") or photo_used_by_publication(photo):
        return False
    return user.has_perm(REVIEW) or (photo.uploaded_by_id is not None and photo.uploaded_by_id == user.pk)


def may_change_contributor(user, contributor: Contributor) -> bool:
    """As for photos: a reporter renames only a contributor they added that no publication uses."""
    if is_duty_chief(user):
        return user.is_superuser or user.has_perm("articles.change_contributor")
    if not user.has_perm("articles.change_contributor") or contributor_used_by_publication(contributor):
        return False
    return user.has_perm(REVIEW) or (
        contributor.created_by_id is not None and contributor.created_by_id == user.pk
    )


def may_change_issue(user, issue: Issue) -> bool:
    """An issue's own fields and reading order: editors until it is first published, duty
    chiefs always, reporters never."""
    if user.is_superuser:
        return True
    if not user.has_perm("articles.change_issue"):
        return False
    return is_duty_chief(user) or (user.has_perm(REVIEW) and not issue.publications.exists())


def may_change_timeline(user, timeline: Timeline) -> bool:
    """A timeline (title, credit, items, compilers) as its issue."""
    if user.is_superuser:
        return True
    if not user.has_perm("articles.change_timeline"):
        return False
    return is_duty_chief(user) or (user.has_perm(REVIEW) and not timeline.issue.publications.exists())


def may_delete(user, article: Article) -> bool:
    """Never once it was in a publication (withdraw it instead); else as for editing."""
    return (
        article.status not in ON_RECORD
        and may_edit(user, article)
        and (user.is_superuser or user.has_perm("articles.delete_article"))
    )


def clean_note(note: str, transition: Transition | None = None) -> str:
    """A workflow note is editor text like any other (the same validators as every field an
    editor types in), checked here so the admin, the commands and any caller get the rule.
    Returns it stripped; refused in words, naming the step, with nothing changed, and when
    the step needs a note and has none."""
    note = (note or "").strip()
    what = f"“{transition.label}”的说明" if transition else "说明"
    problems = []
    for validator in LONG_PLAIN_TEXT:
        try:
            validator(note)
        except ValidationError as error:
            problems += [f"{what}：{message}" for message in error.messages]
    if problems:
        raise ValidationError(problems, code="note_invalid")
    if transition is not None and transition.note_required and not note:
        raise ValidationError(f"{transition.label}须填写说明。", code="note_required")
    return note


def record(subject, transition: Transition, *, user, from_status: str, note: str = "") -> TransitionRecord:
    """Store the step and bump the subject's version, so a form opened before it is stale."""
    model = type(subject)
    model.objects.filter(pk=subject.pk).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    step = TransitionRecord.objects.create(
        issue=subject if isinstance(subject, Issue) else None,
        article=subject if isinstance(subject, Article) else None,
        **_step(transition, user=user, from_status=from_status, note=note),
    )
    workflow_stepped.send(sender=model, subject=subject, step=step)
    return step


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
    note = clean_note(note, transition)
    before = article.status
    article.status = transition.target
    article.save(update_fields=["status"])
    record(article, transition, user=user, from_status=before, note=note)
    article.refresh_from_db()
    return article
