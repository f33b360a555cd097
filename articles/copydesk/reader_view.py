"""Drafts as readers will see them, for the admin's side-by-side views (the body editor's
preview, the import review): draft nodes in the API's node shape, with the copy desk's
notes on photo slots, drawn by `admin/articles/copydesk/node.html`."""

from types import SimpleNamespace

from django.templatetags.static import static

from articles import body
from media.credits import credit_line

from .body_editor import check_body
from .draft import PhotoSlot
from .photo_slots import AWAITING_PREVIEW, AWAITING_SIZE, awaits_image


def preview(text: str) -> dict:
    """The body text as readers will see it: nodes in the API's shape, 字数 (counted as
    `Article.character_count` counts it), and errors."""
    plan = check_body(text)
    nodes = [draft_node(node, plan.photos) for node in plan.nodes]
    characters = body.character_count(body.counted_texts(nodes))
    return {"nodes": nodes, "characters": characters, "errors": plan.errors}


def draft_node(node, photos: dict | None = None) -> dict:
    """A draft node in the shape the admin's reader view draws (the API's body nodes, with
    `awaiting` on photo slots). `photos` are library photos by id."""
    photos = photos or {}
    if node.type == body.TESTIMONY:
        return {
            "type": body.TESTIMONY,
            "speaker_name": node.speaker_name,
            "speaker_title": node.speaker_title,
            "headline": node.headline,
            "body": [draft_node(block, photos) for block in node.body],
        }
    if node.type == body.VIDEO:
        return {"type": body.VIDEO, "label": node.text, "url": node.url}
    if node.type == body.PHOTO:
        return {"type": body.PHOTO, "photo": _draft_photo(node, photos)}
    return {"type": node.type, "text": node.text}


def credits_line(credits, action: str = "") -> str:
    """A draft's credits printed as the page prints them (media.credits.credit_line)."""
    rows = [
        SimpleNamespace(role=c.role, organisation=c.organisation, contributor=SimpleNamespace(name=c.name))
        for c in credits
    ]
    return credit_line(rows, action) if rows else ""


def _draft_photo(slot: PhotoSlot, photos: dict) -> dict:
    photo = photos.get(slot.photo_id) if slot.photo_id else None
    if photo is not None:
        awaiting = awaits_image(photo)
        return {
            "id": photo.pk,
            "url": static(AWAITING_PREVIEW) if awaiting else photo.image.url,
            "alt_text": photo.alt_text or photo.caption,
            "width": photo.width,
            "height": photo.height,
            "caption": photo.caption,
            "credit": {"line": photo.credit_line},
            "awaiting": awaiting,
        }
    return {
        "id": slot.photo_id,
        "url": static(AWAITING_PREVIEW),
        "alt_text": slot.caption,
        "width": AWAITING_SIZE[0],
        "height": AWAITING_SIZE[1],
        "caption": slot.caption,
        "credit": {"line": credits_line(slot.credits, slot.credit_action)},
        "awaiting": True,
        "missing": slot.photo_id is not None,
        "uncredited": slot.uncredited,
    }
