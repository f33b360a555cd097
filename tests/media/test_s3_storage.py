"""Object storage proven against a real S3-protocol server (moto's, on 127.0.0.1): the links
a publication keeps, what readers can fetch by them, files never overwritten, retired files
gone from the bucket, a bucket that refuses an upload. Each `storage` test also runs on the
file system; what the bucket holds is read by boto3, past Django's storage.

The storage promises proven elsewhere on both backends (marked `storage`): renditions made
and replaced (tests/media/test_renditions.py), once-public files retired
(tests/media/test_reader_files.py), uploads (tests/media/test_upload_limits.py), export and
import (tests/exchange/)."""

import io
import json

import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Block
from articles.publications.publishing import withdraw_article
from media.forms import STORAGE_FAILED
from media.models import Photo, Rendition
from media.renditions import services as renditions
from newsroom.settings.base import s3_storage
from tests.admin_forms import errors, form_data
from tests.conftest import logged_in
from tests.factories import ArticleFactory, BlockFactory, PhotoCreditFactory, published
from tests.imaging import jpeg
from tests.object_storage import CREDENTIALS, REGION, fetched, stored_name

pytestmark = pytest.mark.django_db

CDN = "img.news.example.cn"
ON_S3 = pytest.mark.parametrize("storage_backend", ["s3"], indirect=True)


def published_photo():
    """A photo with its renditions in an article of a published issue; the photo, the
    article and the links readers got for it."""
    photo = Photo(
        caption="村口的老樟树", alt_text="老樟树", image=ContentFile(jpeg((1200, 800)), name="IMG.jpg")
    )
    photo.save()
    PhotoCreditFactory(photo=photo)
    renditions.refresh(photo)
    article = ArticleFactory()
    BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=photo)
    publication = published(article.issue).publications.get()
    delivered = json.loads(publication.body)["parts"][0]["article"]["body"][0]["photo"]
    return photo, article, [r["url"] for r in delivered["renditions"]]


def gone_from_bucket(storage_backend, key: str) -> bool:
    try:
        storage_backend.server.s3.head_object(Bucket=storage_backend.bucket, Key=key)
    except ClientError as error:
        return error.response["Error"]["Code"] in ("404", "NoSuchKey")
    return False


# --- The links a publication keeps -----------------------------------------------------------


@pytest.mark.storage
def test_a_publication_links_each_rendition_at_the_storages_own_url(storage_backend, settings):
    photo, _, links = published_photo()

    rows = {r.file.name for r in photo.renditions.all()}
    assert len(links) == len(rows) == 2
    for link in links:
        name = stored_name(link)
        assert name in rows and name in storage_backend.stored()
    if storage_backend.name == "s3":
        # The bucket's own address: no signature, nothing that expires.
        bucket_url = f"{storage_backend.server.endpoint}/{storage_backend.bucket}/renditions/"
        assert all(link.startswith(bucket_url) and "?" not in link for link in links)
    else:
        assert all(link.startswith(settings.SITE_URL + settings.MEDIA_URL + "renditions/") for link in links)


@ON_S3
def test_readers_fetch_renditions_by_their_published_links_and_never_the_original(storage_backend):
    storage_backend.allow_public_renditions()
    photo, _, links = published_photo()

    for link in links:
        status, body, headers = fetched(link)
        assert status == 200, link
        assert body == default_storage.open(stored_name(link)).read()
        assert Image.open(io.BytesIO(body)).format == "JPEG" and headers["Content-Type"] == "image/jpeg"
        # Names are never reused, so a link's bytes never change.
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    status, _, _ = fetched(default_storage.url(photo.image.name))
    assert status == 403, "the original, with its camera EXIF, is not for readers"


@ON_S3
def test_on_a_cdn_domain_and_a_bucket_folder_links_name_the_cdn_and_withdrawal_still_deletes(
    storage_backend, settings, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_backend.settings(custom_domain=CDN, location="newsroom"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        photo, article, links = published_photo()

    assert links and all(link.startswith(f"https://{CDN}/newsroom/renditions/") for link in links)
    keys = {link.removeprefix(f"https://{CDN}/") for link in links}
    assert keys <= storage_backend.stored()
    assert f"newsroom/{photo.image.name}" in storage_backend.stored()

    article.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_article(article, note="内容有误，撤稿")

    # The once-public files are found by their CDN links and deleted from the bucket; the
    # photo keeps fresh copies under names nobody was given.
    assert all(gone_from_bucket(storage_backend, key) for key in keys)
    fresh = {f"newsroom/{name}" for name in photo.renditions.values_list("file", flat=True)}
    assert len(fresh) == 2 and fresh <= storage_backend.stored() and not fresh & keys


# --- Files never overwritten; retired files gone ---------------------------------------------


@pytest.mark.storage
def test_a_name_already_stored_is_never_overwritten(storage_backend):
    first = default_storage.save("photos/2026/12/same.jpg", ContentFile(b"first"))
    second = default_storage.save("photos/2026/12/same.jpg", ContentFile(b"second"))

    assert first == "photos/2026/12/same.jpg" and second != first
    assert {first, second} <= storage_backend.stored()
    assert default_storage.open(first).read() == b"first"


@pytest.mark.storage
def test_a_replaced_crop_stays_while_the_live_publication_links_it_then_leaves_the_storage(
    storage_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        photo, article, _ = published_photo()
    old_crop = photo.renditions.get(spec="16x9-480").file.name

    photo.focal_x = 0.1
    photo.save()
    with django_capture_on_commit_callbacks(execute=True):
        renditions.refresh(photo)
    assert old_crop in storage_backend.stored(), "the live publication still links it"

    with django_capture_on_commit_callbacks(execute=True):
        published(article.issue)

    assert old_crop not in storage_backend.stored()
    assert photo.renditions.get(spec="16x9-480").file.name in storage_backend.stored()
    if storage_backend.name == "s3":
        assert gone_from_bucket(storage_backend, old_crop)


# --- A bucket that refuses an upload ---------------------------------------------------------


@ON_S3
def test_a_bucket_that_refuses_the_upload_keeps_the_editors_input_and_stores_nothing(
    storage_backend, settings, editor
):
    browser = logged_in(editor)
    url = reverse("admin:media_photo_add")
    data = form_data(browser.get(url))
    data.update(caption="西湖边的晨练者，摄于清晨六点", alt_text="湖边晨练的人们")
    data["image"] = SimpleUploadedFile("IMG_0001.jpg", jpeg((300, 200)), content_type="image/jpeg")
    # A bucket deleted (or renamed) under the site: S3 answers NoSuchBucket, not an OSError.
    storage_backend.server.s3.delete_bucket(Bucket=storage_backend.bucket)

    response = browser.post(url, data)

    assert response.status_code == 200
    assert errors(response) == [STORAGE_FAILED]
    kept = form_data(response)
    assert (kept["caption"], kept["alt_text"]) == ("西湖边的晨练者，摄于清晨六点", "湖边晨练的人们")
    assert not Photo.objects.exists() and not Rendition.objects.exists()
    storage_backend.server.s3.create_bucket(Bucket=storage_backend.bucket)  # for the clean-up


# --- The admin's pages may show photos from where they are linked ------------------------------


def test_photos_linked_on_a_host_the_admins_csp_refuses_are_flagged(settings):
    from media.checks import check_photo_host_allowed_by_csp

    assert check_photo_host_allowed_by_csp(None) == []  # MEDIA_URL on this site
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket_name="newsroom-photos", custom_domain=CDN, region_name=REGION, **CREDENTIALS
        ),
    }
    assert [w.id for w in check_photo_host_allowed_by_csp(None)] == ["media.W001"]

    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {**directives, "img-src": [*directives["img-src"], f"https://{CDN}"]},
    }
    assert check_photo_host_allowed_by_csp(None) == []
