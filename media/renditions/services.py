"""Renditions: the files front-ends get instead of the original, made once per photo and
focal point, through Django's storage API (local folder or S3-compatible by settings).

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

import io
import json
import logging
import math
import posixpath
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageCms, ImageOps

from media import specs
from media.conf import conf
from media.models import Photo, Rendition, RetiredFile
from media.published import photo_nodes, publications

log = logging.getLogger(__name__)

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
FOLDER = "renditions"


class PhotoChanged(Exception):
    """The photo's file or focal point changed while its renditions were being made."""


@dataclass
class Outcome:
    made: int = 0
    kept: int = 0
    dropped: int = 0


def refresh(photo: Photo, *, force: bool = False) -> Outcome:
    """Make the photo's missing or out-of-date renditions (all of them with `force`) and
    drop those no longer planned; the photo is marked ready once all exist.

    New files are written before the rows; if anything fails they are deleted again, and
    the rows the photo had stay as they were. Files of replaced rows are retired after
    the commit.
    """
    image_name, focal = photo.image.name, photo.focal_point
    with photo.image.storage.open(image_name, "rb") as file:
        with Image.open(file) as header:  # the size and orientation, nothing decoded
            planned = specs.plan(_upright_size(header), focal, image_name)
        existing = {(r.spec, r.format): r for r in Rendition.objects.filter(photo=photo)}
        wanted = {(p.spec, p.format) for p in planned}
        to_make = [
            p
            for p in planned
            if force or (p.spec, p.format) not in existing or existing[p.spec, p.format].source_key != p.key
        ]
        outcome = Outcome(
            made=len(to_make),
            kept=len(planned) - len(to_make),
            dropped=len([k for k in existing if k not in wanted]),
        )
        encoded = _encode_all(file, to_make) if to_make else []
    written: list[str] = []
    try:
        written = _store(photo, encoded)
        with transaction.atomic():
            current = (
                Photo.objects.select_for_update().filter(pk=photo.pk).values("image", "focal_x", "focal_y")
            )
            row = current.first()
            if row is None or (row["image"], (row["focal_x"], row["focal_y"])) != (image_name, focal):
                raise PhotoChanged(photo.pk)
            replaced = [existing[p.spec, p.format].pk for p in to_make if (p.spec, p.format) in existing]
            unwanted = [r.pk for key, r in existing.items() if key not in wanted]
            # Deleting row by row sends post_delete, which retires each file after commit.
            for rendition in Rendition.objects.filter(pk__in=replaced + unwanted):
                rendition.delete()
            Rendition.objects.bulk_create(
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
            )
            key = specs.set_key(image_name, focal)
            Photo.objects.filter(pk=photo.pk).update(renditions_key=key)
            photo.renditions_key = key
    except BaseException:
        for name in written:
            photo.image.storage.delete(name)
        raise
    return outcome


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


def problems(photos) -> list[str]:
    """What stops these photos from being published with their renditions, in words; no
    query (`renditions_key` is on the photo)."""
    return [
        f"图片“{photo}”的衍生图（各尺寸与裁切）尚未生成，请稍候或运行 python manage.py make_renditions --missing。"
        for photo in photos
        if not photo.renditions_ready
    ]


# The image work: decode once (at reduced size when the format allows), resample the whole
# frame once, convert it to sRGB, then cut and shrink each crop and encode each file on a
# thread pool: Pillow releases the GIL while it resamples and encodes.


def _upright_size(image: Image.Image) -> tuple[int, int]:
    orientation = image.getexif().get(0x0112, 1)  # EXIF Orientation
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _encode_all(file, planned: list[specs.Planned]) -> list[tuple]:
    """[(planned, (width, height), bytes)] in the order of `planned`.

    Only this function holds the decoded photo, so it is freed as soon as the one
    full-frame resample is made, before the encoders need their memory."""
    file.seek(0)
    image = Image.open(file)
    upright_w, upright_h = _upright_size(image)
    # The largest scale any rendition needs; JPEG decodes at 1/2, 1/4 or 1/8 of the size
    # when that still covers it (Pillow's draft), a fraction of the time and memory.
    needed = max(max(p.size[0] / (p.box[2] - p.box[0]), p.size[1] / (p.box[3] - p.box[1])) for p in planned)
    if image.format == "JPEG":
        image.draft(image.mode, (math.ceil(image.width * needed), math.ceil(image.height * needed)))
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    image = _plain_mode(image)
    # One resample of the whole frame down to the largest scale any rendition needs; the
    # crops and sizes are cut from it, and the colour conversion runs on it, not the decode.
    target = (max(1, round(upright_w * needed)), max(1, round(upright_h * needed)))
    if image.width > target[0] and image.height > target[1]:
        image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    source = _in_srgb(image)
    del image
    scale = (source.width / upright_w, source.height / upright_h)

    def resize_chain(box: tuple, sizes: list[tuple[int, int]]) -> dict:
        """The largest size from the full frame, each smaller one from the one before:
        one resample of the large picture per crop instead of one per size."""
        region = (
            box[0] * scale[0],
            box[1] * scale[1],
            min(source.width, box[2] * scale[0]),
            min(source.height, box[3] * scale[1]),
        )
        made, previous = {}, None
        for size in sorted(sizes, reverse=True):
            if previous is None:
                previous = source.resize(size, Image.Resampling.LANCZOS, box=region, reducing_gap=3.0)
            else:
                previous = previous.resize(size, Image.Resampling.LANCZOS)
            made[box, size] = previous
        return made

    chains: dict[tuple, list] = {}
    for p in planned:
        if p.size not in chains.setdefault(p.box, []):
            chains[p.box].append(p.size)
    # Largest first, so the long encodes do not end up alone at the tail on one core.
    tasks = sorted(planned, key=lambda p: -p.size[0] * p.size[1])
    with ThreadPoolExecutor(max_workers=conf.PHOTO_RENDITION_WORKERS) as pool:
        resized = {}
        for made in pool.map(lambda item: resize_chain(*item), chains.items()):
            resized.update(made)

        def encode(p: specs.Planned) -> tuple:
            out = resized[p.box, p.size]
            return (p, out.size, _encoded(out, p.format))

        done = {(p.spec, p.format): result for p, result in zip(tasks, pool.map(encode, tasks), strict=True)}
    return [done[p.spec, p.format] for p in planned]


def _plain_mode(image: Image.Image) -> Image.Image:
    """RGB, RGBA, CMYK or L (modes Pillow resamples well); the ICC profile stays in info."""
    if image.mode in ("RGB", "RGBA", "CMYK", "L"):
        return image
    profile = image.info.get("icc_profile")
    has_alpha = image.mode in ("LA", "PA", "La", "RGBa") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    if profile:
        image.info["icc_profile"] = profile
    return image


def _in_srgb(image: Image.Image) -> Image.Image:
    """Plain RGB (or RGBA) in sRGB, converted with the embedded ICC profile, and with none
    of the original's metadata (EXIF with GPS and camera owner, XMP, IPTC, the profile)."""
    profile = image.info.get("icc_profile")
    alpha = None
    if image.mode == "RGBA":
        alpha = image.getchannel("A")
        image = image.convert("RGB")
    if profile:
        try:
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), SRGB, outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            # A broken or unusual profile: the colours as they are beat no photo at all.
            log.warning("无法按内嵌色彩配置转换图片，按 sRGB 处理")
    if image.mode != "RGB":
        image = image.convert("RGB")
    if alpha is not None:
        image.putalpha(alpha)
    # Resized copies inherit `info`, and some encoders (AVIF) write what they find there.
    image.info = {}
    return image


def _encoded(image: Image.Image, spec_format: str) -> bytes:
    pillow_format = specs.FORMATS[spec_format][0]
    quality = conf.PHOTO_RENDITION_QUALITY[spec_format]
    if spec_format == "jpeg":
        if image.mode == "RGBA":  # JPEG has no transparency: lay it on white as a page would
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        options = {"quality": quality, "optimize": True, "progressive": True}
    elif spec_format == "webp":
        options = {"quality": quality, "method": 4}
    else:
        # Speed 9 of 10: on this libavif a quarter of speed 8's time for files ~10% larger
        # (bench/RESULTS.md); speed 8 alone would eat the whole time budget of a 24-MP photo.
        # One encoder thread: the renditions are already encoded side by side, one per core.
        options = {"quality": quality, "speed": 9, "max_threads": 1}
    buffer = io.BytesIO()
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


def folder_of(photo: Photo) -> str:
    """renditions/<the original's random name>/: one folder per photo file."""
    return f"{FOLDER}/{posixpath.splitext(posixpath.basename(photo.image.name))[0]}/"


def waiting_for_republish(photo: Photo) -> bool:
    """Whether replaced renditions of this photo are kept because a live or embargoed
    publication still shows them (they go when the issue is published again)."""
    return RetiredFile.objects.filter(name__startswith=folder_of(photo)).exists()


def _store(photo: Photo, encoded: list[tuple]) -> list[str]:
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
