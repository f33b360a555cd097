"""Photo uploads are checked before anything is stored; uploads never live in the code."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from PIL import Image

from media.checks import PACKAGE_DIR
from media.models import Photo, Rendition
from media.validators import EMPTY_PHOTO, SVG_PHOTO, validate_photo_file, validate_plain_text
from tests.admin_forms import errors, form_data
from tests.conftest import logged_in


def image_file(size=(40, 30), image_format="PNG", name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


def codes(error: pytest.ExceptionInfo) -> list[str]:
    return [e.code for e in error.value.error_list]


def test_a_real_image_passes():
    validate_photo_file(image_file())


def test_an_oversized_file_is_refused_before_it_is_read(settings):
    settings.PHOTO_MAX_BYTES = 10
    with pytest.raises(ValidationError) as error:
        validate_photo_file(image_file())
    assert codes(error) == ["photo_too_large"]


def test_a_decompression_bomb_is_refused_by_its_pixel_count(settings):
    settings.PHOTO_MAX_PIXELS = 1000
    with pytest.raises(ValidationError) as error:
        validate_photo_file(image_file(size=(100, 100)))
    assert codes(error) == ["photo_too_many_pixels"]


def test_an_unlisted_format_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_photo_file(image_file(image_format="BMP", name="photo.bmp"))
    assert codes(error) == ["photo_format"]


@pytest.mark.parametrize(
    "text", ["<p>正文</p>", "正文<script>alert(1)</script>", '<img src=x onerror="x()">']
)
def test_markup_is_refused_in_plain_text(text):
    with pytest.raises(ValidationError) as error:
        validate_plain_text(text)
    assert codes(error) == ["plain_text_html"]


@pytest.mark.parametrize("text", ["《关于加强新时代城市基层党建工作的意见》", "1 < 2，3 > 2", "“红色根脉”"])
def test_chinese_text_with_brackets_is_plain_text(text):
    validate_plain_text(text)


def test_system_check_refuses_uploads_inside_the_media_package(settings):
    settings.MEDIA_ROOT = PACKAGE_DIR / "uploads"
    with pytest.raises(SystemCheckError, match="media.E001"):
        call_command("check")


def test_default_uploads_folder_is_outside_the_code():
    from newsroom import settings as project_settings

    assert PACKAGE_DIR not in project_settings.MEDIA_ROOT.resolve().parents
    assert project_settings.MEDIA_ROOT.resolve().parent == project_settings.VAR_DIR.resolve()


# --- SVG, empty files and animation bombs ------------------------------------------------

SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a drawing tool -->
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" onload="alert(1)">
  <script>fetch('/admin/')</script><rect width="100" height="100" fill="red"/>
</svg>"""


def animated_gif(frames: int, size=(200, 200)) -> bytes:
    """A small file that decodes to frames × width × height pixels."""
    images = [Image.new("RGB", size, (n * 8 % 256, 90, 40)) for n in range(frames)]  # each one different
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=40, loop=0)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [("logo.svg", SVG), ("logo.jpg", SVG), ("logo.png", b"\xef\xbb\xbf  <svg viewBox='0 0 1 1'></svg>")],
    ids=["by name", "renamed to .jpg", "with a byte-order mark"],
)
def test_an_svg_is_refused_by_name_and_by_content(name, content):
    with pytest.raises(ValidationError) as error:
        validate_photo_file(SimpleUploadedFile(name, content))
    assert codes(error) == ["photo_svg"]


def test_an_empty_file_is_refused_as_empty():
    with pytest.raises(ValidationError) as error:
        validate_photo_file(SimpleUploadedFile("photo.jpg", b""))
    assert codes(error) == ["photo_empty"]


def test_an_animation_is_refused_when_its_frames_add_up_to_a_bomb(settings):
    settings.PHOTO_MAX_ANIMATION_PIXELS = 1_000_000
    validate_photo_file(SimpleUploadedFile("ok.gif", animated_gif(20)))  # 800,000 pixels

    with pytest.raises(ValidationError) as error:
        validate_photo_file(SimpleUploadedFile("bomb.gif", animated_gif(30)))  # 1,200,000
    assert codes(error) == ["photo_animation_too_large"]


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", SVG, SVG_PHOTO),
        ("DSC_0001.jpg", SVG, SVG_PHOTO),
        ("IMG_0001.jpg", b"", EMPTY_PHOTO),
        (
            "dance.gif",
            animated_gif(30),
            "动图帧数过多（30 帧，每帧 200×200），总像素超过上限 1000000，请上传静态图片或更小的动图。",
        ),
    ],
    ids=["svg", "svg renamed", "zero bytes", "animation bomb"],
)
def test_bad_files_through_the_admin_are_refused_and_nothing_is_stored(
    editor, settings, name, content, message
):
    settings.PHOTO_MAX_ANIMATION_PIXELS = 1_000_000
    browser = logged_in(editor)
    url = reverse("admin:media_photo_add")
    data = form_data(browser.get(url))
    data.update(caption="坏图", alt_text="坏图")
    data["image"] = SimpleUploadedFile(name, content, content_type="image/jpeg")

    response = browser.post(url, data)

    assert response.status_code == 200
    assert errors(response) == [message]
    assert not Photo.objects.exists() and not Rendition.objects.exists()
    assert stored_files(settings) == []
