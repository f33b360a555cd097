"""Photo uploads are checked before anything is stored; uploads never live in the code."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from PIL import Image

from media.checks import PACKAGE_DIR
from media.validators import validate_photo_file, validate_plain_text


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
