"""What the photographer wrote into the file (IPTC IIM, XMP), read on upload with Chinese
intact, stored, and offered in the admin as caption, alt text and credits to confirm."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from media.credits import CreditRole
from media.metadata import read_embedded
from media.models import Photo, PhotoCredit
from tests.admin_forms import errors, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import ContributorFactory
from tests.imaging import UTF8_DECLARATION, alt, iim, jpeg, private_exif, seq, with_iptc, xmp_packet

pytestmark = pytest.mark.django_db

CAPTION = "6月20日，宁波市海曙区鼓楼街道的社区工作者在“楼宇大脑”前查看数据。"
RARE = "䶮龘𠀋"  # CJK Extension A, a 64-stroke character, Extension B: four bytes in GB18030


def iptc_jpeg(encoding: str, *, declare_utf8: bool) -> bytes:
    def text(value: str) -> bytes:
        return value.encode(encoding)

    datasets = (UTF8_DECLARATION if declare_utf8 else b"") + b"".join(
        [
            iim(2, 120, text(CAPTION + RARE)),
            iim(2, 105, text("社区工作者查看“楼宇大脑”")),
            iim(2, 80, text("沈吟")),
            iim(2, 80, text("黄珍珍")),
            iim(2, 85, text("本报记者")),
            iim(2, 110, text("浙江日报")),
            iim(2, 116, text("© 浙江日报报业集团")),
            iim(2, 90, text("宁波")),
            iim(2, 55, b"20220620"),
            iim(2, 60, b"093000+0800"),
        ]
    )
    return with_iptc(jpeg(exif=private_exif()), datasets)


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [("utf-8", True), ("utf-8", False), ("gb18030", False)],
    ids=["UTF-8 declared in 1:90", "UTF-8 undeclared", "GB18030"],
)
def test_iptc_fields_are_read_with_chinese_intact(encoding, declared):
    found = read_embedded(io.BytesIO(iptc_jpeg(encoding, declare_utf8=declared)))

    assert found == {
        "caption": CAPTION + RARE,
        "headline": "社区工作者查看“楼宇大脑”",
        "creators": ["沈吟", "黄珍珍"],
        "creator_title": "本报记者",
        "credit": "浙江日报",
        "copyright": "© 浙江日报报业集团",
        "city": "宁波",
        "date_taken": "2022-06-20T09:30:00+08:00",
        "read_from": ["IPTC", "EXIF"],
    }


def xmp_jpeg(**extra) -> bytes:
    properties = (
        f"<dc:description>{alt(CAPTION)}</dc:description>"
        f"<dc:creator>{seq('吕之暹', '周晨磊')}</dc:creator>"
        f"<dc:rights>{alt('© 浙江日报')}</dc:rights>"
        f"<Iptc4xmpCore:AltTextAccessibility>{alt('社区工作者在大屏前查看数据')}</Iptc4xmpCore:AltTextAccessibility>"
    )
    attributes = (
        'photoshop:City="杭州" photoshop:Credit="浙江日报" photoshop:DateCreated="2022-06-20T09:30:00+08:00"'
    )
    return jpeg(xmp=xmp_packet(properties, attributes), **extra)


def test_xmp_fields_are_read_with_chinese_intact():
    found = read_embedded(io.BytesIO(xmp_jpeg()))

    assert found == {
        "caption": CAPTION,
        "alt_text": "社区工作者在大屏前查看数据",
        "creators": ["吕之暹", "周晨磊"],
        "credit": "浙江日报",
        "copyright": "© 浙江日报",
        "city": "杭州",
        "date_taken": "2022-06-20T09:30:00+08:00",
        "read_from": ["XMP"],
    }


def test_xmp_wins_over_iim_which_fills_what_xmp_lacks():
    data = with_iptc(
        xmp_jpeg(),
        iim(2, 120, "旧软件写的说明".encode("gb18030")) + iim(2, 85, "本报记者".encode("gb18030")),
    )

    found = read_embedded(io.BytesIO(data))

    assert found["caption"] == CAPTION
    assert found["creator_title"] == "本报记者"
    assert found["read_from"] == ["IPTC", "XMP"]


def test_a_file_with_broken_or_no_metadata_gives_nothing_and_no_error():
    assert read_embedded(io.BytesIO(jpeg())) == {}
    broken = jpeg(xmp=b"<x:xmpmeta><rdf:RDF><unclosed>")
    assert read_embedded(io.BytesIO(broken)) == {}


# --- The admin: prefilled, confirmed by the editor's save --------------------------------


def admin_url(view: str, *args) -> str:
    return reverse(f"admin:media_photo_{view}", args=args)


@pytest.fixture
def editor_client(editor):
    return logged_in(editor)


def upload(editor_client, data: bytes, **fields):
    url = admin_url("add")
    form = form_data(editor_client.get(url))
    form.update(fields)
    form["image"] = SimpleUploadedFile("DSC_0042.jpg", data, content_type="image/jpeg")
    return editor_client.post(url, form)


def textarea(response, name: str) -> str:
    return page(response).find("textarea", attrs={"name": name}).get_text().strip()


def test_uploading_prefills_caption_alt_text_and_credits_for_the_editor_to_confirm(editor_client):
    shen, huang = ContributorFactory(name="沈吟"), ContributorFactory(name="黄珍珍")

    response = upload(editor_client, iptc_jpeg("gb18030", declare_utf8=False))

    # Saved with what the file said, and nothing of it in the photo's own fields yet.
    photo = Photo.objects.get()
    assert photo.embedded_metadata["caption"] == CAPTION + RARE
    assert (photo.caption, photo.alt_text, photo.credits.count()) == ("", "", 0)
    assert response.status_code == 302 and response.url == admin_url("change", photo.pk)

    change_page = editor_client.get(response.url)
    assert "已读取图片文件中的说明、作者等信息并填入下方" in change_page.content.decode()
    assert textarea(change_page, "caption") == CAPTION + RARE
    assert page(change_page).find("input", attrs={"name": "alt_text"})["value"] == "社区工作者查看“楼宇大脑”"
    shown = page(change_page).select_one("table.embedded-metadata").get_text()
    assert all(
        text in shown for text in ("宁波", "2022年6月20日 09:30", "© 浙江日报报业集团", "沈吟、黄珍珍")
    )
    data = form_data(change_page)
    suggested = [data[f"credits-{n}-contributor"] for n in range(int(data["credits-TOTAL_FORMS"]))]
    assert suggested[:2] == [str(shen.pk), str(huang.pk)]

    # The editor reads, fixes the alt text and saves: that is the confirmation.
    data["alt_text"] = "社区工作者在大屏前查看数据"
    confirmed = editor_client.post(admin_url("change", photo.pk), data)

    assert confirmed.status_code == 302, errors(confirmed)
    photo.refresh_from_db()
    assert photo.caption == CAPTION + RARE
    assert photo.alt_text == "社区工作者在大屏前查看数据"
    assert photo.credit_line == "本报记者 沈吟 黄珍珍 摄"
    assert list(PhotoCredit.objects.values_list("role", flat=True)) == [CreditRole.STAFF_REPORTER] * 2


def test_the_editor_can_refuse_a_suggested_credit(editor_client):
    ContributorFactory(name="吕之暹")
    response = upload(editor_client, xmp_jpeg())
    photo = Photo.objects.get()
    data = form_data(editor_client.get(response.url))
    n = next(n for n in range(int(data["credits-TOTAL_FORMS"])) if data[f"credits-{n}-contributor"])

    data[f"credits-{n}-contributor"] = ""
    saved = editor_client.post(admin_url("change", photo.pk), data)

    assert saved.status_code == 302, errors(saved)
    assert not photo.credits.exists()
    assert Photo.objects.get().caption == CAPTION


def test_names_not_on_file_are_pointed_out_not_invented(editor_client):
    zhou = ContributorFactory(name="周晨磊")
    ContributorFactory(name="吕之暹", disambiguation="温州")  # two of that name: the editor decides
    ContributorFactory(name="吕之暹", disambiguation="")

    response = upload(editor_client, xmp_jpeg())
    change_page = editor_client.get(response.url)

    data = form_data(change_page)
    suggested = [data[f"credits-{n}-contributor"] for n in range(int(data["credits-TOTAL_FORMS"]))]
    assert [s for s in suggested if s] == [str(zhou.pk)]
    assert "作者库中没有唯一的“吕之暹”" in change_page.content.decode()


def test_what_the_editor_typed_is_never_replaced_by_the_file(editor_client):
    response = upload(editor_client, xmp_jpeg(), caption="编辑自己写的说明", alt_text="编辑写的替代文字")

    photo = Photo.objects.get()
    assert photo.caption == "编辑自己写的说明"
    change_page = editor_client.get(admin_url("change", photo.pk))
    assert textarea(change_page, "caption") == "编辑自己写的说明"
    assert page(change_page).find("input", attrs={"name": "alt_text"})["value"] == "编辑写的替代文字"
    # Only the credits were left to suggest: the editor is still taken to the photo page.
    assert response.url == admin_url("change", photo.pk)


def test_a_photo_without_metadata_goes_back_to_the_list_as_before(editor_client):
    response = upload(editor_client, jpeg(), caption="村口的老樟树", alt_text="老樟树")

    assert response.status_code == 302
    assert response.url == admin_url("changelist")
    assert Photo.objects.get().embedded_metadata == {}


def test_an_existing_credit_row_is_not_doubled_by_suggestions(editor_client):
    shen = ContributorFactory(name="沈吟")
    upload(editor_client, iptc_jpeg("utf-8", declare_utf8=True))
    photo = Photo.objects.get()
    PhotoCredit.objects.create(photo=photo, contributor=shen, role=CreditRole.STAFF_REPORTER)

    data = form_data(editor_client.get(admin_url("change", photo.pk)))
    saved = editor_client.post(admin_url("change", photo.pk), data)

    assert saved.status_code == 302, errors(saved)
    assert photo.credits.count() == 1
    assert inline_index(data, "credits", photo.credits.get().pk) == 0
