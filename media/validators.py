"""Checks an uploaded photo before it is stored: size, real image, format, pixel count,
frames of an animation; SVG and empty files are named as such, not as "unreadable"."""

import re

import nh3
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

from .conf import conf

PLAIN_TEXT_ONLY = "这里只能填写纯文本，请去掉 HTML 标签（如 <p>、<script>）后再保存。"
UNREADABLE_PHOTO = "无法识别的图片文件，文件可能已损坏或并非图片。"
EMPTY_PHOTO = "上传的文件是空的（0 字节），可能传输中断，请重新选择图片上传。"
SVG_PHOTO = "不接受 SVG 矢量图：它可以携带脚本，也无法生成各尺寸的照片。请导出为 JPEG 或 PNG 后再上传。"

# An SVG is XML text: a byte-order mark, whitespace, an XML declaration or comments, then <svg.
_SVG_START = re.compile(
    rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]", re.S | re.I
)


def refuse_svg_and_empty(file) -> None:
    """Run before Pillow looks at the file: to Pillow an SVG or an empty file is just
    "not an image", and the editor deserves to know which."""
    if not file.size:
        raise ValidationError(EMPTY_PHOTO, code="photo_empty")
    name = (getattr(file, "name", "") or "").lower()
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        head = file.read(4096)
    finally:
        file.seek(position)
    if name.endswith((".svg", ".svgz")) or _SVG_START.match(head):
        raise ValidationError(SVG_PHOTO, code="photo_svg")


def validate_photo_file(file) -> None:
    if getattr(file, "_committed", False):
        # Already stored, hence checked on upload: re-reading it on every caption edit
        # would download the original (up to 40 MB from object storage) for nothing.
        return
    refuse_svg_and_empty(file)
    if file.size > conf.PHOTO_MAX_BYTES:
        raise ValidationError(
            "图片文件过大（%(size)s），上限为 %(limit)s。",
            code="photo_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(conf.PHOTO_MAX_BYTES)},
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if width * height > conf.PHOTO_MAX_PIXELS:
                raise ValidationError(
                    "图片像素过多（%(width)s×%(height)s），上限为 %(limit)s 像素。",
                    code="photo_too_many_pixels",
                    params={"width": width, "height": height, "limit": conf.PHOTO_MAX_PIXELS},
                )
            # Counting frames reads only frame headers; decoding them is what a bomb exploits.
            frames = getattr(image, "n_frames", 1)
            if frames > 1 and frames * width * height > conf.PHOTO_MAX_ANIMATION_PIXELS:
                raise ValidationError(
                    "动图帧数过多（%(frames)s 帧，每帧 %(width)s×%(height)s），总像素超过上限 %(limit)s，"
                    "请上传静态图片或更小的动图。",
                    code="photo_animation_too_large",
                    params={
                        "frames": frames,
                        "width": width,
                        "height": height,
                        "limit": conf.PHOTO_MAX_ANIMATION_PIXELS,
                    },
                )
            image.verify()
        # verify() checks structure but does not decode JPEG data; decoding at 1/8 scale
        # (cheap even for a 40 MB file) is what catches a truncated upload.
        file.seek(0)
        with Image.open(file) as image:
            image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(UNREADABLE_PHOTO, code="photo_unreadable") from exc
    finally:
        file.seek(position)
    if image_format not in conf.PHOTO_FORMATS:
        raise ValidationError(
            "不支持的图片格式 %(format)s，请上传 %(allowed)s。",
            code="photo_format",
            params={"format": image_format, "allowed": "、".join(conf.PHOTO_FORMATS)},
        )


def validate_plain_text(text: str) -> None:
    """Refuse markup in plain-text fields: front-ends get text, never HTML to trust."""
    if nh3.is_html(text):
        raise ValidationError(PLAIN_TEXT_ONLY, code="plain_text_html")
