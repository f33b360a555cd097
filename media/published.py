"""Photos inside documents of the public JSON shape (an issue, an article, or any part of
them): one walk for review, export and the retiring of once-public files.

The documents themselves are publications, kept by articles, which sits above media: it
registers how to read them at start-up (`register`, from its `ready()`), so media asks
without importing it (as `newsroom/object_rules.py` does for the change rules)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


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


@dataclass(frozen=True)
class Publications:
    # The JSON of every live or embargoed publication that contains the text: what readers
    # can be served, so what must not lose a file it links.
    servable_bodies_containing: Callable[[str], list[str]]
    # For one new publication: the JSON its issue's previous snapshot showed (None without
    # one) and the JSON it shows itself (None for a withdrawal).
    shown_before_and_now: Callable[[int], tuple[str | None, str | None]]


_publications: Publications | None = None


def register(publications: Publications) -> None:
    global _publications
    _publications = publications


def publications() -> Publications:
    # No silent default: with no publications to ask, every retired file would look unlinked
    # and be deleted, however public.
    if _publications is None:
        raise ImproperlyConfigured("media.published: no app registered the publications readers are served.")
    return _publications
