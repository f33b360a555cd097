"""What renditions a photo gets: named sizes, focal-point crops and their keys.

Pure geometry and naming, no files: the rendition service plans with it, the model asks it
whether a photo's renditions are current, the API labels rows with it.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from .conf import conf

ORIGINAL = "original"

FORMATS = {
    # format: (Pillow's name, file extension, MIME type)
    "avif": ("AVIF", "avif", "image/avif"),
    "webp": ("WEBP", "webp", "image/webp"),
    "jpeg": ("JPEG", "jpg", "image/jpeg"),
}

# The longest side each encoder can write: an image whose planned rendition is longer can
# be stored but never delivered, so uploads are refused up front (media.validators).
MAX_SIDE = {"avif": 65536, "webp": 16383, "jpeg": 65535}


@dataclass(frozen=True)
class Planned:
    """One rendition to make: a box of the (upright) original scaled to `size`."""

    spec: str  # "original-960", "16x9-480"
    ratio: str  # "original", "16:9", "4:3", "1:1"
    format: str  # "avif", "webp", "jpeg"
    box: tuple[int, int, int, int]  # left, top, right, bottom in the upright original
    size: tuple[int, int]
    key: str  # what it was made from; a different key means it must be made again


def spec_name(ratio: str, width: int) -> str:
    return f"{ratio.replace(':', 'x')}-{width}"


def parse_ratio(ratio: str) -> Fraction:
    width, height = ratio.split(":")
    return Fraction(int(width), int(height))


def focal_crop(size: tuple[int, int], ratio: str, focal: tuple[float, float]) -> tuple[int, int, int, int]:
    """The largest box of `ratio` inside an image of `size`, centred on the focal point as
    far as the edges allow, so the focal point is always inside it (on its edge at worst,
    when the point itself is on the image's edge)."""
    width, height = size
    if ratio == ORIGINAL:
        return (0, 0, width, height)
    target = parse_ratio(ratio)
    if Fraction(width, height) > target:
        crop_w, crop_h = max(1, min(width, round(height * target))), height
    else:
        crop_w, crop_h = width, max(1, min(height, round(width / target)))
    left = _place(focal[0] * width, crop_w, width)
    top = _place(focal[1] * height, crop_h, height)
    return (left, top, left + crop_w, top + crop_h)


def _place(centre: float, length: int, limit: int) -> int:
    return min(max(0, round(centre - length / 2)), limit - length)


def output_size(box: tuple[int, int, int, int], ratio: str, width: int) -> tuple[int, int]:
    """`width` wide (never wider than the box: no upscaling), height from the ratio."""
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    out_w = min(width, box_w)
    if ratio == ORIGINAL:
        return out_w, max(1, round(out_w * box_h / box_w))
    return out_w, max(1, min(box_h, round(out_w / parse_ratio(ratio))))


def catalogue() -> str:
    """A fingerprint of the sizes, formats and qualities: changing any of them makes every
    photo's renditions out of date (`make_renditions --missing` rebuilds them)."""
    text = repr((conf.PHOTO_RENDITION_SPECS, conf.PHOTO_RENDITION_FORMATS, conf.PHOTO_RENDITION_QUALITY))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _focal_text(focal: tuple[float, float]) -> str:
    return f"{focal[0]:.4f},{focal[1]:.4f}"


def rendition_key(image_name: str, ratio: str, focal: tuple[float, float], spec_format: str) -> str:
    # Uncropped sizes do not depend on the focal point: moving it remakes only the crops.
    where = "" if ratio == ORIGINAL else _focal_text(focal)
    text = f"{image_name}|{where}|{spec_format}|{catalogue()}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def set_key(image_name: str, focal: tuple[float, float]) -> str:
    """The key of a photo's whole set of renditions: stored on the photo once all exist."""
    text = f"{image_name}|{_focal_text(focal)}|{catalogue()}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def plan(size: tuple[int, int], focal: tuple[float, float], image_name: str) -> list[Planned]:
    """Every rendition of an upright image of `size`. A width the photo cannot fill gives
    the photo's own width once, not the same file under several names."""
    planned = []
    for ratio, widths in conf.PHOTO_RENDITION_SPECS:
        box = focal_crop(size, ratio, focal)
        made: set[tuple[int, int]] = set()
        for width in sorted(widths):
            out = output_size(box, ratio, width)
            if out in made:
                continue
            made.add(out)
            for spec_format in conf.PHOTO_RENDITION_FORMATS:
                planned.append(
                    Planned(
                        spec=spec_name(ratio, width),
                        ratio=ratio,
                        format=spec_format,
                        box=box,
                        size=out,
                        key=rendition_key(image_name, ratio, focal, spec_format),
                    )
                )
    return planned


class RenditionRow(NamedTuple):
    """A rendition as delivery reads it: no model instance (articles.delivery.reads)."""

    ratio: str
    format: str
    width: int
    height: int
    file: str  # the storage name


def delivery_order() -> Callable[[RenditionRow], tuple]:
    """The one order of a photo's renditions, wherever they are listed (the API, the
    admin): ratio by ratio as configured (original first), formats in <picture> order,
    narrow to wide. A sort key for rows or Rendition instances, worked out once for many."""
    ratios = {ratio: n for n, (ratio, _) in reversed(list(enumerate(conf.PHOTO_RENDITION_SPECS)))}
    formats = {spec_format: n for n, spec_format in enumerate(FORMATS)}
    return lambda row: (
        ratios.get(row.ratio, len(conf.PHOTO_RENDITION_SPECS)),
        formats.get(row.format, len(formats)),
        row.width,
    )


def reader_file(rows) -> RenditionRow | None:
    """The file behind a photo's `url`: the widest rendition of the whole frame, in JPEG
    (read everywhere) if there is one; None until renditions exist. Never the original."""
    frames = [row for row in rows if row.ratio == ORIGINAL]
    jpegs = [row for row in frames if row.format == "jpeg"] or frames
    return max(jpegs, key=lambda row: row.width, default=None)
