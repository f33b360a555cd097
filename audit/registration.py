"""Which rows the trail follows, field by field (django-auditlog's registry), and what of
them it leaves out so that entries stay small.

Followed: what editors change in the admin — issues, articles and their parts, bylines,
contributors, timelines and their items, photos and their credits, preview links — and the
accounts and roles (auth User and Group, with their groups and permissions).

Not followed, on purpose:
- publications and their articles' bytes (Publication, PublishedArticle): megabytes of
  rendered JSON written by the publish service, which is recorded once as its event
  (`receivers.workflow_step`), whatever the size of the issue;
- the desk's step records (TransitionRecord): each step is its own event;
- renditions and retired files: derived from the photo, made by the rendition service.

Left out of the followed rows: the bookkeeping every save changes (version, updated_at,
updated_by: the entry has its own actor and time), states set only by the workflow services
(their steps are events), and what is derived or bulky (a photo's size in pixels, its
embedded metadata, its renditions key). Long texts (body paragraphs, captions, timeline
items) are kept whole up to AUDIT_TEXT_KEPT_WHOLE characters; longer ones are recorded as a
marker of the change (their start, length and fingerprint): the full texts are in the
revisions (django-reversion), which this trail complements with who, when and which field.
"""

import hashlib

from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

BOOKKEEPING = ("version", "updated_at", "updated_by")

# Model: fields left out besides the bookkeeping.
FOLLOWED = {
    "articles.Issue": ("status", "published_at"),
    "articles.IssuePhoto": (),
    "articles.Article": ("status",),
    "articles.Section": (),
    "articles.Block": (),
    "articles.Byline": (),
    "articles.Correction": (),
    "articles.Contributor": (),
    "articles.Timeline": (),
    "articles.TimelineItem": (),
    "articles.PreviewLink": (),
    "media.Photo": ("width", "height", "embedded_metadata", "renditions_key"),
    "media.PhotoCredit": (),
}

HIDDEN = "******"  # what a password change shows, before and after


def register_models() -> None:
    for label, left_out in FOLLOWED.items():
        model = apps.get_model(label)
        auditlog.register(
            model,
            exclude_fields=[*BOOKKEEPING, *left_out, *_pointing_here(model)],
            mask_fields=[
                f.name
                for f in model._meta.fields
                if isinstance(f, models.TextField) and f.name not in left_out
            ],
            mask_callable="audit.registration.long_text_marker",
        )
    # A log-in is its own event, not a change of last_login; a password change is on the
    # record, its hash never.
    User = get_user_model()
    auditlog.register(
        User,
        exclude_fields=["last_login", *_pointing_here(User)],
        mask_fields=["password"],
        mask_callable="audit.registration.secret_marker",
        m2m_fields={"groups", "user_permissions"},
    )
    Group = apps.get_model("auth.Group")
    auditlog.register(Group, exclude_fields=_pointing_here(Group), m2m_fields={"permissions"})


def _pointing_here(model) -> list[str]:
    """The reverse relations (an article's blocks, a user's …), which auditlog would write
    into every creation and deletion as the text of a manager: each row pointing here has
    its own entries."""
    return [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]


def long_text_marker(text: str) -> str:
    """A changed long text as recorded: whole when short, else its start, its length and
    a fingerprint (the same text gives the same one)."""
    if len(text) <= settings.AUDIT_TEXT_KEPT_WHOLE:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"{text[:40]}……（共 {len(text)} 字，指纹 {digest}）"


def secret_marker(text: str) -> str:
    return HIDDEN
