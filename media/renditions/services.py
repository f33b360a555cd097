"""Renditions: the files front-ends get instead of the original, made once per photo and
focal point, through Django's storage API (local folder or S3-compatible by settings).
This module keeps the rows and the files; the pixels are `media.renditions.pipeline`'s.

Made when a photo is uploaded or its focal point moves (the admin, after its save
commits), by `load_demo`, and by `manage.py make_renditions`; never while serving a
request: publications carry the rows as they were when published.

Replaced files are not deleted while a publication readers can be served links to them
(the live one, or an embargoed one): they wait as `RetiredFile` rows until the issue is
published again, then go (`prune_retired`, run after every commit that retires files and
after every new publication).

A file readers were given stays at its URL only while such a publication links it: after
each new publication (a withdrawal included), the files the issue's previous publication
showed that nothing servable shows any more are copied to fresh names for the working
copy, and the once-public names retired (`retire_unlinked`).
"""

import json
import logging
import posixpath
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from media import specs
from media.models import Photo, Rendition, RetiredFile
from media.published import photo_nodes, publications
from media.renditions import pipeline

log = logging.getLogger(__name__)

FOLDER = "renditions"


class PhotoChanged(Exception):
    """The photo's file or focal point changed while its renditions were being made."""


@dataclass
class Outcome:
    made: int = 0
    kept: int = 0
    dropped: int = 0


def refresh(photo: Photo, *, force: bool = False, progress=None) -> Outcome:
    """Make the photo's missing or out-of-date renditions (all of them with `force`) and
    drop those no longer planned; the photo is marked ready once all exist. `progress(done,
    total, step)`, if given, hears how far the encoding is.

    New files are written before the rows; if anything fails they are deleted again, and
    the rows the photo had stay as they were. Files of replaced rows are retired after
    the commit.
    """
    image_name, focal = photo.image.name, photo.focal_point
    with photo.image.storage.open(image_name, "rb") as file:
        with Image.open(file) as header:  # the size and orientation, nothing decoded
            planned = specs.plan(pipeline.upright_size(header), focal, image_name)
        existing = {(r.spec, r.format): r for r in Rendition.objects.filter(photo=photo)}
        wanted = {(p.spec, p.format) for p in planned}
        to_make = [
            p
            for p in planned
            if force or (p.spec, p.format) not in existing or existing[p.spec, p.format].source_key != p.key
        ]
        if progress is not None and to_make:
            progress(0, len(to_make), "解码原图")

            def encoded_so_far(done: int) -> None:
                progress(done, len(to_make), "生成各尺寸与裁切")

        encoded = pipeline.encode_all(file, to_make, progress and encoded_so_far) if to_make else []
    written: list[str] = []
    try:
        written = _store(photo, encoded)
        with transaction.atomic():
            _lock_unchanged(photo, image_name, focal)
            replaced = [existing[p.spec, p.format].pk for p in to_make if (p.spec, p.format) in existing]
            unwanted = [r.pk for key, r in existing.items() if key not in wanted]
            # Deleting row by row sends post_delete, which retires each file after commit.
            for rendition in Rendition.objects.filter(pk__in=replaced + unwanted):
                rendition.delete()
            Rendition.objects.bulk_create(_rows(photo, encoded, written))
            key = specs.set_key(image_name, focal)
            Photo.objects.filter(pk=photo.pk).update(renditions_key=key)
            photo.renditions_key = key
    except BaseException:
        for name in written:
            photo.image.storage.delete(name)
        raise
    return Outcome(made=len(to_make), kept=len(planned) - len(to_make), dropped=len(unwanted))


def _lock_unchanged(photo: Photo, image_name: str, focal: tuple[float, float]) -> None:
    """Lock the photo's row, or raise PhotoChanged if its file or focal point moved on
    while the renditions were being made."""
    current = Photo.objects.select_for_update().filter(pk=photo.pk).values("image", "focal_x", "focal_y")
    row = current.first()
    if row is None or (row["image"], (row["focal_x"], row["focal_y"])) != (image_name, focal):
        raise PhotoChanged(photo.pk)


def _rows(photo: Photo, encoded: list[pipeline.Encoded], written: list[str]) -> list[Rendition]:
    return [
        Rendition(
            photo_id=photo.pk,
            spec=p.spec,
            ratio=p.ratio,
            format=p.format,
            width=width,
            height=height,
            file=name,
            source_key=p.key,
        )
        for (p, (width, height), _), name in zip(encoded, written, strict=True)
    ]


def refresh_quietly(photo: Photo) -> Outcome | None:
    """`refresh()` for callers that must not fail on it (after an editor's save has
    committed): the error is logged and the photo stays "not ready" for the publish check
    and `make_renditions --missing`."""
    try:
        return refresh(photo)
    except PhotoChanged:
        return None  # a later save is making the renditions for the newer state
    except Exception:
        log.exception("生成图片 %s 的衍生图失败", photo.pk)
        return None


def folder_of(photo: Photo) -> str:
    """renditions/<the original's random name>/: one folder per photo file."""
    return f"{FOLDER}/{posixpath.splitext(posixpath.basename(photo.image.name))[0]}/"


def waiting_for_republish(photo: Photo) -> bool:
    """Whether replaced renditions of this photo are kept because a live or embargoed
    publication still shows them (they go when the issue is published again)."""
    return RetiredFile.objects.filter(name__startswith=folder_of(photo)).exists()


def _store(photo: Photo, encoded: list[pipeline.Encoded]) -> list[str]:
    """Save each file under renditions/<original's name>/; returns the stored names. A
    fresh token per batch: a replaced crop gets a new URL, so no cache serves the old one."""
    storage = photo.image.storage
    folder = folder_of(photo)
    token = secrets.token_hex(4)
    names = []
    try:
        for p, _, data in encoded:
            extension = specs.FORMATS[p.format][1]
            names.append(storage.save(f"{folder}{p.spec}-{token}.{extension}", ContentFile(data)))
    except BaseException:
        for name in names:
            storage.delete(name)
        raise
    return names


# Retiring files: a deleted rendition row leaves a RetiredFile row in the same transaction
# (media.signals), so a rolled-back deletion keeps its file; after the commit,
# prune_retired() deletes the files no publication readers can be served links to.


def prune_retired() -> int:
    """Delete the retired files nobody can be served any more; returns how many. One
    query per photo folder (files are kept per photo under renditions/<original>/)."""
    from django.core.files.storage import default_storage

    folders: dict[str, list[RetiredFile]] = {}
    for row in RetiredFile.objects.all():
        folders.setdefault(posixpath.dirname(row.name) + "/", []).append(row)
    gone = []
    for folder, rows in folders.items():
        bodies = _servable_bodies_containing(folder)
        for row in rows:
            if not any(row.name in body for body in bodies):
                default_storage.delete(row.name)
                gone.append(row.pk)
    RetiredFile.objects.filter(pk__in=gone).delete()
    return len(gone)


def retire_unlinked(publication_pk: int) -> int:
    """After publication `publication_pk` commits: the rendition files its issue's previous
    publication linked that no publication readers can be served links now are copied to
    fresh names (the photo stays ready, nothing is encoded again) and the once-public
    names retired, hence deleted. Returns how many files were renamed.

    Set-based on the two publications' links, one query per photo only for the photos
    that dropped out (usually none: a republish shows the same files)."""
    previous, now = publications().shown_before_and_now(publication_pk)
    if not previous:
        return 0
    shown_before = _linked_files(json.loads(previous))
    shown_now = _linked_files(json.loads(now)) if now is not None else {}
    dropped: dict[int, set[str]] = {}
    for photo_id, names in shown_before.items():
        gone = names - shown_now.get(photo_id, set())
        if gone:
            dropped[photo_id] = gone
    renamed = 0
    for photo in Photo.objects.filter(pk__in=dropped):
        bodies = _servable_bodies_containing(folder_of(photo))
        rows = [
            r
            for r in Rendition.objects.filter(photo=photo, file__in=dropped[photo.pk])
            if not any(r.file.name in body for body in bodies)
        ]
        if rows:
            renamed += _rename(photo, rows)
    if renamed:
        prune_retired()
    return renamed


def _linked_files(data) -> dict[int, set[str]]:
    """{photo id: the rendition files its links name} for a publication's JSON."""
    found: dict[int, set[str]] = {}
    marker = FOLDER + "/"
    for photo in photo_nodes(data):
        links = [photo.get("url"), *(r.get("url") for r in photo.get("renditions", []))]
        names = found.setdefault(photo["id"], set())
        # The storage name is what follows MEDIA_URL (or the bucket's location).
        names.update(link[link.index(marker) :] for link in links if link and marker in link)
    return found


def _rename(photo: Photo, rows: list[Rendition]) -> int:
    """Copy each row's file to a fresh name, point the row at it and retire the old name;
    a row changed meanwhile (a new file, a moved focal point) keeps what it has."""
    storage = photo.image.storage
    folder, token = folder_of(photo), secrets.token_hex(4)
    copies: list[tuple[Rendition, str]] = []
    try:
        for row in rows:
            with storage.open(row.file.name, "rb") as file:
                data = file.read()
            extension = posixpath.splitext(row.file.name)[1]
            copies.append((row, storage.save(f"{folder}{row.spec}-{token}{extension}", ContentFile(data))))
        with transaction.atomic():
            moved = []
            for row, name in copies:
                if Rendition.objects.filter(pk=row.pk, file=row.file.name).update(file=name):
                    moved.append(row.file.name)
                else:
                    storage.delete(name)
            RetiredFile.objects.bulk_create([RetiredFile(name=name) for name in moved], ignore_conflicts=True)
    except BaseException:
        for _, name in copies:
            storage.delete(name)
        raise
    return len(moved)


def _servable_bodies_containing(text: str) -> list[str]:
    """The JSON of live or embargoed publications that contain `text` (usually none)."""
    return publications().servable_bodies_containing(text)
