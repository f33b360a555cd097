"""Photos inside documents of the public JSON shape (an issue, an article, or any part of
them): one walk for review, export and the retiring of once-public files."""

from collections.abc import Iterator


def photo_nodes(document) -> Iterator[dict]:
    """Every photo of a `{"type": "photo", "photo": {...}}` node, in reading order, at any depth
    (page photos, article bodies, testimonies)."""
    if isinstance(document, dict):
        photo = document.get("photo")
        if document.get("type") == "photo" and isinstance(photo, dict):
            yield photo
        for value in document.values():
            yield from photo_nodes(value)
    elif isinstance(document, list):
        for value in document:
            yield from photo_nodes(value)
