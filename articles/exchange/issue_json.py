"""issue.json: the working copy in the versioned exchange format (docs/export-format.md),
built from rows already loaded. Every row the package names gets a package identifier
("photo-1", "contributor-1", "timeline-1") in place of this database's id, so another site
can import it; times are in the newsroom's zone.
"""

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from articles.exchange.formats import FORMAT_VERSION, ISSUE_FORMAT
from articles.models import Article, Contributor, Issue, Publication, Timeline, TransitionRecord
from media.models import Photo


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, settings.NEWSROOM_TIME_ZONE).isoformat()
    return value.isoformat()


def _plain(value):
    return iso(value) if isinstance(value, dt.date) else value


def username(user) -> str | None:
    return user.get_username() if user is not None else None


@dataclass
class Identifiers:
    """Package identifiers, and the exporting database's ids they stand for."""

    photos: dict[int, str] = field(default_factory=dict)  # photo pk -> "photo-1"
    contributors: dict[int, str] = field(default_factory=dict)  # contributor pk -> "contributor-1"
    timelines: dict[int, str] = field(default_factory=dict)  # timeline pk -> "timeline-1"


def _transition(record: TransitionRecord) -> dict:
    return {
        "action": record.action,
        "action_label": record.action_label,
        "from_status": record.from_status,
        "to_status": record.to_status,
        "note": record.note,
        "user": username(record.user),
        "at": iso(record.at),
    }


def _credit(credit, ids: Identifiers) -> dict:
    return {
        "contributor": ids.contributors[credit.contributor_id],
        "role": credit.role,
        "organisation": credit.organisation,
        "position": credit.position,
    }


def media_name(photo_id: str, name: str, spec: str | None = None) -> str:
    """The photo's file in the package: media/photo-1.jpg, a rendition media/photo-1.w640.webp."""
    extension = posixpath.splitext(name)[1].lower() or ".jpg"
    if spec is None:
        return f"media/{photo_id}{extension}"
    safe = re.sub(r"[^a-z0-9_-]+", "-", spec.lower()).strip("-") or "rendition"
    return f"media/{photo_id}.{safe}{extension}"


# Photo fields the photo work adds (focal point, what the file said about itself): exported
# when this site has them. The renditions key is a cache fingerprint, not the editor's data.
# Its edit counter goes too, as the issue's and articles' do: an import with --replace
# compares it with the site's to tell work done since the export.
PHOTO_EXTRA_FIELDS = ("focal_x", "focal_y", "embedded_metadata", "version")
# A timeline's edit counter and time, when this site keeps them (same reason).
TIMELINE_EXTRA_FIELDS = ("version", "updated_at")


def _present(model, wanted: tuple[str, ...]) -> list[str]:
    names = {f.name for f in model._meta.concrete_fields}
    return [name for name in wanted if name in names]


def photo_extra_fields() -> list[str]:
    return _present(Photo, PHOTO_EXTRA_FIELDS)


def timeline_extra_fields() -> list[str]:
    return _present(Timeline, TIMELINE_EXTRA_FIELDS)


def _photo(photo: Photo, ids: Identifiers) -> dict:
    photo_id = ids.photos[photo.pk]
    return {
        "id": photo_id,
        "file": media_name(photo_id, photo.image.name),
        "width": photo.width,
        "height": photo.height,
        "caption": photo.caption,
        "alt_text": photo.alt_text,
        "credit_action": photo.credit_action,
        "credits": [_credit(c, ids) for c in photo.credits.all()],
        **{name: getattr(photo, name) for name in photo_extra_fields()},
        "created_at": iso(photo.created_at),
        "updated_at": iso(photo.updated_at),
    }


def _article(article: Article, ids: Identifiers) -> dict:
    sections = {section.pk: f"section-{n}" for n, section in enumerate(article.sections.all(), start=1)}
    return {
        "slug": article.slug,
        "kind": article.kind,
        "kicker": article.kicker,
        "headline": article.headline,
        "subheadline": article.subheadline,
        "status": article.status,
        "version": article.version,
        "created_by": username(article.created_by),
        "updated_by": username(article.updated_by),
        "created_at": iso(article.created_at),
        "updated_at": iso(article.updated_at),
        "bylines": [_credit(b, ids) for b in article.bylines.all()],
        "sections": [
            {
                "id": sections[s.pk],
                "speaker_name": s.speaker_name,
                "speaker_title": s.speaker_title,
                "headline": s.headline,
            }
            for s in article.sections.all()
        ],
        "blocks": [
            {
                "position": b.position,
                "kind": b.kind,
                "section": sections.get(b.section_id),
                "text": b.text,
                "photo": ids.photos.get(b.photo_id),
                "url": b.url,
            }
            for b in article.blocks.all()
        ],
        "corrections": [
            {"text": c.text, "created_by": username(c.created_by), "created_at": iso(c.created_at)}
            for c in article.corrections.all()
        ],
        "transitions": [_transition(t) for t in article.transitions.all()],
    }


def _timeline(timeline: Timeline, ids: Identifiers) -> dict:
    return {
        "id": ids.timelines[timeline.pk],
        "title": timeline.title,
        "credit_action": timeline.credit_action,
        **{name: _plain(getattr(timeline, name)) for name in timeline_extra_fields()},
        "bylines": [_credit(b, ids) for b in timeline.bylines.all()],
        "items": [
            {"position": i.position, "date": iso(i.date), "precision": i.date_precision, "text": i.text}
            for i in timeline.items.all()
        ],
    }


def issue_document(
    issue: Issue,
    parts: list,
    photos: list[Photo],
    contributors: list[Contributor],
    publication: Publication | None,
    ids: Identifiers,
) -> dict:
    """issue.json as a dict (format 1.0), from the loaded working copy."""
    part_docs = []
    for part_type, position, obj in parts:
        if part_type == "article":
            part_docs.append({"type": "article", "position": position, "article": _article(obj, ids)})
        elif part_type == "photo":
            part_docs.append({"type": "photo", "position": position, "photo": ids.photos[obj.photo_id]})
        else:
            part_docs.append({"type": "timeline", "position": position, "timeline": _timeline(obj, ids)})
    return {
        "format": ISSUE_FORMAT,
        "version": FORMAT_VERSION,
        "issue": {
            "slug": issue.slug,
            "title": issue.title,
            "subtitle": issue.subtitle,
            "description": issue.description,
            "issue_date": iso(issue.issue_date),
            "status": issue.status,
            "published_at": iso(issue.published_at),
            "version": issue.version,
            "updated_by": username(issue.updated_by),
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "transitions": [_transition(t) for t in issue.transitions.all()],
        },
        "publication": publication
        and {
            "number": publication.number,
            "visible_from": iso(publication.visible_from),
            "note": publication.note,
            "created_by": username(publication.created_by),
            "created_at": iso(publication.created_at),
        },
        "contributors": [
            {
                "id": ids.contributors[c.pk],
                "name": c.name,
                "disambiguation": c.disambiguation,
                "kind": c.kind,
                "created_at": iso(c.created_at),
            }
            for c in contributors
        ],
        "photos": [_photo(photo, ids) for photo in photos],
        "parts": part_docs,
    }
