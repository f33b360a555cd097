"""Preview: an unpublished issue as readers will see it, for editors and for front-ends.

Editors read it in the admin; a front-end reads it through a signed link an editor hands
over. A link works only while both hold: its signature is intact and younger than
PREVIEW_LINK_MAX_AGE, and its `PreviewLink` row is neither expired nor revoked. The row is
what lets an editor kill a link that leaked before it expires on its own.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.delivery.rendering import Rendering, render_issue
from articles.models import Issue, PreviewLink
from articles.workflow import ArticleStatus

# The working copy as it stands: everything but what the desk took away from readers.
PREVIEW_STATUSES = (
    ArticleStatus.DRAFT,
    ArticleStatus.IN_REVIEW,
    ArticleStatus.APPROVED,
    ArticleStatus.PUBLISHED,
)

# A salt of its own, so no other signed value of the site can pass for a preview token.
SALT = "articles.preview"

ADD_PERMISSION = "articles.add_previewlink"
CHANGE_PERMISSION = "articles.change_previewlink"


def render_preview(issue: Issue) -> Rendering:
    """The issue in the published JSON shape, unpublished articles included."""
    return render_issue(issue.pk, PREVIEW_STATUSES)


def may_create(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or user.has_perm(ADD_PERMISSION)))


def may_revoke(user, link: PreviewLink) -> bool:
    """Whoever may change links revokes any; an editor revokes the links they made."""
    if not (user and user.is_active):
        return False
    if user.is_superuser or user.has_perm(CHANGE_PERMISSION):
        return True
    return link.created_by_id == user.pk and user.has_perm(ADD_PERMISSION)


def create_link(issue: Issue, *, user) -> tuple[PreviewLink, str]:
    """A new preview link for `issue`, and the token to put in its URL.

    The token is shown once: only its row is stored, so a lost token means a new link.
    """
    if not may_create(user):
        raise PermissionDenied(f"您没有生成预览链接的权限：{issue}。")
    link = PreviewLink.objects.create(
        issue=issue,
        created_by=user,
        expires_at=timezone.now() + dt.timedelta(seconds=settings.PREVIEW_LINK_MAX_AGE),
    )
    return link, sign(link)


def sign(link: PreviewLink) -> str:
    # Uncompressed: a token stays plain base64 "payload:time:signature", no leading dot.
    return signing.dumps({"link": link.pk, "issue": link.issue_id}, salt=SALT, compress=False)


def issue_for_token(token: str) -> Issue | None:
    """The issue a live preview token opens, or None: tampered, too old, expired, revoked
    or not matching its row. Never raises on bad input; callers answer 404."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.PREVIEW_LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        # BadSignature covers SignatureExpired; the others guard against odd input.
        return None
    if not isinstance(payload, dict):
        return None
    link_pk, issue_pk = payload.get("link"), payload.get("issue")
    if not (_is_id(link_pk) and _is_id(issue_pk)):
        return None
    link = (
        PreviewLink.objects.select_related("issue")
        .filter(pk=link_pk, issue_id=issue_pk, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    return link.issue if link else None


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@transaction.atomic
def revoke(link: PreviewLink, *, user) -> PreviewLink:
    """Kill the link now. Revoking twice keeps the first time, which is when it died."""
    if not may_revoke(user, link):
        raise PermissionDenied(f"您没有作废这个预览链接的权限：{link}。")
    PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db(fields=["revoked_at"])
    return link


def preview_url(token: str) -> str:
    """The link a front-end calls: absolute on SITE_URL, like every link the API gives."""
    return settings.SITE_URL + reverse("v1:preview", kwargs={"token": token})


LIVE, EXPIRED, REVOKED = "有效", "已过期", "已作废"


def link_state(link: PreviewLink, now: dt.datetime | None = None) -> str:
    """LIVE, EXPIRED or REVOKED, as the admin lists the link."""
    if link.revoked_at:
        return REVOKED
    if link.expires_at <= (now or timezone.now()):
        return EXPIRED
    return LIVE


def delete_expired_links() -> int:
    """Links expired (or revoked) more than PREVIEW_LINKS_KEEP_DAYS ago: they open nothing
    any more, and the admin's list keeps only what an editor may still ask about."""
    before = timezone.now() - dt.timedelta(days=settings.PREVIEW_LINKS_KEEP_DAYS)
    old = PreviewLink.objects.filter(expires_at__lt=before) | PreviewLink.objects.filter(
        revoked_at__lt=before
    )
    return old.delete()[0]
