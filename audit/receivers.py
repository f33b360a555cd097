"""What the trail hears, turned into entries (`events.record`). Wired once, from the app's
`ready()` (`connect`).

- the desk's steps (`workflow_stepped`, sent in the step's transaction): publish, schedule
  and republish are a publish, withdrawals a withdrawal, the rest a workflow step; an
  issue's publish is one entry naming its publication and articles, whatever their number;
- exports and imports of issue packages (`issue_exported`, `issue_imported`);
- log-ins, log-outs and failed log-ins (Django's auth signals: the name tried and the client
  address), and django-axes' lock-outs;
- every entry, before it is written, gets its actor — the request's user unless the event
  named one — and the actor's username beside the account (`additional_data["actor_name"]`):
  deleting the account empties the entry's actor (the one change the database allows), the
  name stays.
"""

from auditlog.models import LogEntry
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_save
from django.utils import timezone

from articles.desk.signals import workflow_stepped
from articles.exchange.signals import issue_exported, issue_imported
from articles.models import Issue, PublishedArticle

from .context import request_user
from .events import clip, record

PUBLISHING_STEPS = {
    "publish": "publish",
    "schedule": "publish",
    "republish": "publish",
    "withdraw": "withdraw",
}


def connect() -> None:
    pre_save.connect(name_the_actor, sender=LogEntry, dispatch_uid="audit.name_the_actor")
    workflow_stepped.connect(workflow_step, dispatch_uid="audit.workflow_step")
    issue_exported.connect(exported, dispatch_uid="audit.exported")
    issue_imported.connect(imported, dispatch_uid="audit.imported")
    user_logged_in.connect(logged_in, dispatch_uid="audit.logged_in")
    user_logged_out.connect(logged_out, dispatch_uid="audit.logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="audit.login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="audit.locked_out")


def name_the_actor(sender, instance, **kwargs) -> None:
    """An entry without an actor is the request's user's (AuditMiddleware); either way it
    keeps the username too."""
    if instance.pk is not None:
        return  # only new entries: the database refuses changes to written ones
    if instance.actor_id is None:
        instance.actor = request_user()
    if instance.actor is not None:
        instance.additional_data = {
            **(instance.additional_data or {}),
            "actor_name": instance.actor.get_username(),
        }


def workflow_step(sender, subject, step, **kwargs) -> None:
    event = PUBLISHING_STEPS.get(step.action, "workflow")
    data = {"step": step.action, "label": step.action_label, "from": step.from_status, "to": step.to_status}
    if step.note:
        data["note"] = clip(step.note)
    if isinstance(subject, Issue):
        if step.action in ("publish", "schedule"):
            data.update(_newest_publication(subject))
    else:
        data["issue"] = subject.issue_id
    record(event, subject, actor=step.user, **data)


def _newest_publication(issue: Issue) -> dict:
    """The publication the step just stored: its number, time and articles (two queries,
    whatever the number of articles)."""
    publication = issue.publications.order_by("-number").values("pk", "number", "visible_from").first()
    if publication is None:
        return {}
    articles = PublishedArticle.objects.filter(publication_id=publication["pk"]).order_by("article_id")
    return {
        "publication": publication["number"],
        "visible_from": timezone.localtime(
            publication["visible_from"], settings.NEWSROOM_TIME_ZONE
        ).isoformat(),
        "articles": list(articles.values_list("article_id", flat=True)),
    }


def exported(sender, issue, result, user=None, **kwargs) -> None:
    record(
        "export",
        issue,
        actor=user,
        package=f"{result.slug}.zip",
        draft=result.draft,
        articles=result.articles,
        photos=result.photos,
        bytes=result.bytes_written,
    )


def imported(sender, issue, result, package, replace, user, **kwargs) -> None:
    record(
        "import",
        issue,
        actor=user,
        package=clip(package, 200),
        replace=replace,
        articles=result.articles,
        photos=result.photos,
        contributors_created=result.contributors_created,
        publication=result.publication.number if result.publication else None,
    )


def logged_in(sender, request, user, **kwargs) -> None:
    record("login", user, actor=user, request=request)


def logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:  # a log-out without a session logs nobody out
        record("logout", user, actor=user, request=request)


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = _tried(credentials.get(get_user_model().USERNAME_FIELD, credentials.get("username")))
    record("login_failed", _account(username), request=request, username=username)


def locked_out(sender, request, username, **kwargs) -> None:
    username = _tried(username)
    record("lockout", _account(username), request=request, username=username)


def _tried(username) -> str:
    return clip(username, 150)


def _account(username: str):
    """The account a log-in named, if there is one (the entry then points to it)."""
    if not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
