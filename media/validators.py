"""Checks an uploaded photo before it is stored: size, real image, format, pixel count,
frames of an animation; SVG and empty files are named as such, not as "unreadable"."""

import re

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

from . import specs
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
        # Everything up to verify() reads headers only: the pixel count, the frames and
        # what renditions would be made are known before a single pixel is decoded, so a
        # 300 KB file that would decode to gigabytes costs nothing to refuse.
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            refuse_too_many_pixels(width, height)
            # Counting frames reads only frame headers; decoding them is what a bomb exploits.
            refuse_too_many_frames(getattr(image, "n_frames", 1), width, height)
            refuse_unrenderable(upright_size(image))
            image.verify()
        if image_format in ("JPEG", "GIF"):
            # verify() reads neither JPEG nor GIF data. A JPEG decoded at 1/8 scale (1/64 of
            # the pixels) and a GIF's first frame (one byte a pixel) are what catch a
            # truncated upload, both bounded by the pixel limit. A PNG's verify() reads every
            # chunk and its checksum, and libwebp checks a WebP on opening: no decode needed.
            file.seek(0)
            with Image.open(file) as image:
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses to open an image over twice its own MAX_IMAGE_PIXELS: the editor
        # still learns the count and the newsroom's limit, not "unreadable".
        raise _too_many_pixels(_bomb_pixels(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(UNREADABLE_PHOTO, code="photo_unreadable") from exc
    finally:
        file.seek(position)
    if image_format not in conf.PHOTO_FORMATS:
        raise ValidationError(
            "不支持的图片格式 %(format)s，请上传 %(allowed)s。",
            code="photo_format",
            params={"format": image_format, "allowed": "、".join(conf.PHOTO_FORMATS)},
        )


def refuse_too_many_frames(frames: int, width: int, height: int) -> None:
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


def refuse_bomb(file) -> None:
    """The pixel count alone, from the header: for checks that open the file with Pillow
    before validate_photo_file() does (Django's form field)."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            refuse_too_many_pixels(*image.size)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(_bomb_pixels(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        pass  # not an image: the other checks say so in their own words
    finally:
        file.seek(position)


def _wan(pixels: int) -> str:
    """Pixels in 万 (10,000), as a Chinese editor counts megapixels: 5000 万像素."""
    value = pixels / 10_000
    return f"{value:.0f}" if value >= 100 else f"{value:g}"


def _too_many_pixels(pixels: int | None, width: int | None = None, height: int | None = None):
    limit = _wan(conf.PHOTO_MAX_PIXELS)
    if pixels is None:
        return ValidationError(
            "图片像素过多（远超上限 %(limit)s 万像素），请缩小尺寸后再上传。",
            code="photo_too_many_pixels",
            params={"limit": limit},
        )
    size = f"{width}×{height}，共 " if width and height else ""
    return ValidationError(
        "图片像素过多（%(size)s%(pixels)s 万像素，上限 %(limit)s 万像素），请缩小尺寸后再上传。",
        code="photo_too_many_pixels",
        params={"size": size, "pixels": _wan(pixels), "limit": limit},
    )


def refuse_too_many_pixels(width: int, height: int) -> None:
    """The decoded picture is width × height × up to 4 bytes, whatever the file's size:
    the limit on pixels is the limit on a worker's memory (media.conf)."""
    if width * height > conf.PHOTO_MAX_PIXELS:
        raise _too_many_pixels(width * height, width, height)


_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")


def _bomb_pixels(error: Exception) -> int | None:
    # "Image size (200000000 pixels) exceeds limit of 178956970 pixels, …"
    found = _BOMB_PIXELS.search(str(error))
    return int(found[1]) if found else None


def upright_size(image: Image.Image) -> tuple[int, int]:
    """The size as shown, EXIF orientation applied (read from the header, nothing decoded)."""
    # A PNG's eXIf chunk may come after the pixels: Pillow would decode them all to look.
    header_only = image.format == "PNG" and "exif" not in image.info
    orientation = 1 if header_only else image.getexif().get(0x0112, 1)
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def refuse_unrenderable(size: tuple[int, int]) -> None:
    """Refuse what could be stored but never delivered: a strip too thin for any crop, or
    an image whose planned renditions no encoder can hold (a WebP is at most 16,383 px)."""
    width, height = size
    long_side, short_side = max(size), max(1, min(size))
    if long_side > short_side * conf.PHOTO_MAX_ASPECT_RATIO:
        raise ValidationError(
            "图片长宽比过于悬殊（%(width)s×%(height)s 像素，长边是短边的 %(times)s 倍），"
            "无法生成各尺寸与 16:9、4:3、1:1 裁切。长边最多为短边的 %(limit)s 倍，请裁切后再上传。",
            code="photo_aspect_ratio",
            params={
                "width": width,
                "height": height,
                "times": round(long_side / short_side),
                "limit": conf.PHOTO_MAX_ASPECT_RATIO,
            },
        )
    for planned in specs.plan(size, (0.5, 0.5), ""):
        pillow_format, _, _ = specs.FORMATS[planned.format]
        limit = specs.MAX_SIDE[planned.format]
        if max(planned.size) > limit:
            raise ValidationError(
                "无法为这张图片生成衍生图：%(spec)s 应为 %(width)s×%(height)s 像素，超过 %(format)s 格式的上限"
                " %(limit)s 像素。请把图片缩小或裁切后再上传。",
                code="photo_unrenderable",
                params={
                    "spec": planned.spec,
                    "width": planned.size[0],
                    "height": planned.size[1],
                    "format": pillow_format,
                    "limit": limit,
                },
            )


def validate_plain_text(text: str) -> None:
    """Refuse markup in plain-text fields: front-ends get text, never HTML to trust."""
    if nh3.is_html(text):
        raise ValidationError(PLAIN_TEXT_ONLY, code="plain_text_html")


# Characters nobody can see that change how text around them reads: bidi controls can
# make a caption display in another order than it is stored (and than it was approved in),
# zero-width ones split words so search and the copy desk miss them. Chinese copy never
# needs any of them. U+200D (zero-width joiner) is not here: emoji sequences such as 👨‍👩‍👧
# are made with it; nor U+200C, which some foreign names written in their own script need.
INVISIBLE_NAMES = {
    "\u200b": "零宽空格",
    "\u200e": "从左向右标记",
    "\u200f": "从右向左标记",
    "\u061c": "阿拉伯字母标记",
    "\u202a": "从左向右嵌入",
    "\u202b": "从右向左嵌入",
    "\u202c": "嵌入结束",
    "\u202d": "从左向右覆盖",
    "\u202e": "从右向左覆盖",
    "\u2060": "零宽不换行",
    "\u2066": "从左向右隔离",
    "\u2067": "从右向左隔离",
    "\u2068": "首字符方向隔离",
    "\u2069": "隔离结束",
    "\ufeff": "零宽不换行空格（字节顺序标记）",
    "\x00": "空字符",
    "\x7f": "删除符",
}
# C0 and C1 control characters, except the line breaks and tab plain text is made of.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
INVISIBLE = re.compile(f"[{_CONTROLS}{''.join(INVISIBLE_NAMES)}]")


def invisible_label(char: str) -> str:
    """ "U+202E（从右向左覆盖）": the code an editor can search for, and what it does."""
    name = INVISIBLE_NAMES.get(char)
    return f"U+{ord(char):04X}" + (f"（{name}）" if name else "")


def invisible_character_message(text: str, index: int) -> str:
    """ "第 12 个字符是不可见的控制字符 U+202E（从右向左覆盖）…", counted from 1 as an editor
    counts, with how many more there are."""
    label = invisible_label(text[index])
    count = len(INVISIBLE.findall(text))
    also = f"，这样的字符共 {count} 处，请全部删除后再保存。" if count > 1 else "，请删除后再保存。"
    return f"第 {index + 1} 个字符是不可见的控制字符 {label}{also}"


def refuse_invisible_characters(text: str) -> None:
    found = INVISIBLE.search(text)
    if found:
        raise ValidationError(invisible_character_message(text, found.start()), code="plain_text_invisible")


# A real paragraph, caption or timeline entry is under 2,000 characters; ten times that
# leaves room for any text a page prints, and refuses a whole file pasted into one box
# before it reaches the database, every API answer and every export.
TEXT_MAX_CHARACTERS = 20_000
TOO_LONG = (
    "这里最多填写 %(limit_value)s 个字符，现在有 %(show_value)s 个。一段正文通常不到 2000 字："
    "请分成几段，或检查是否误粘贴了整篇文件。"
)
text_length = MaxLengthValidator(TEXT_MAX_CHARACTERS, message=TOO_LONG)

# Every field an editor types in: one-line fields (a headline, a name) and longer texts.
PLAIN_TEXT = [validate_plain_text, refuse_invisible_characters]
LONG_PLAIN_TEXT = [*PLAIN_TEXT, text_length]
