"""Read-only photo representations. No queries and no file access: callers prefetch
credits with their contributors, and renditions (articles.delivery.reads does)."""

import functools
import re
from collections.abc import Callable
from urllib.parse import urljoin

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.encoding import filepath_to_uri
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from media import specs
from media.credits import CreditAction, CreditRole, action_label, role_label
from media.models import Photo, Rendition


class ReadOnceFields:
    """REST framework works out a serializer's readable fields anew for every object it
    renders (a generator over `fields`); these serializers only read, and their fields
    never change once built, so the list is made once per serializer. A 200-article issue
    renders some 20,000 objects at publish time."""

    @cached_property
    def _readable_fields(self):
        return [field for field in self.fields.values() if not field.write_only]


def absolute_url(context: dict, path: str) -> str:
    """`path` on the serializer context's `base_url` (default settings.SITE_URL); an
    absolute `path` (a MEDIA_URL on a CDN) stays as it is."""
    base = context.get("base_url", settings.SITE_URL)
    if path.startswith("/") and not path.startswith("//") and not _NEEDS_JOINING.search(path):
        # A plain absolute path goes on the base's origin: urljoin's answer, without parsing
        # both again for each of a large issue's 12,000 rendition links.
        return _origin(base) + path
    return urljoin(base + "/", path)


# What urljoin would change in an absolute path: dot segments, a query, a fragment.
_NEEDS_JOINING = re.compile(r"/\.\.?(?:/|$)|[?#;]")


@functools.lru_cache(maxsize=64)
def _origin(base: str) -> str:
    return urljoin(base + "/", "/").removesuffix("/")


def stored_file_urls(storage) -> Callable[[str], str]:
    """`storage.url`; for Django's own file-system storage written out (what its url()
    does, without asking the storage for its base URL and parsing it again for each of a
    large issue's 12,000 renditions)."""
    # __class__, not type(): the default storage is a lazy object standing in for one.
    base = storage.base_url if storage.__class__.url is FileSystemStorage.url else None
    if not base or not base.endswith("/"):
        return storage.url

    def url(name: str) -> str:
        path = filepath_to_uri(name).lstrip("/")
        return storage.url(name) if _DOT_SEGMENT.search(path) else base + path

    return url


_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")


def _delivered_rows(photo) -> list[specs.RenditionRow]:
    """The photo's renditions in delivery order: as articles.delivery.reads attached them, else
    read here."""
    rows = getattr(photo, "delivered_renditions", None)
    if rows is None:  # a photo not loaded by articles.delivery.reads
        found = (
            specs.RenditionRow(r.ratio, r.format, r.width, r.height, r.file.name)
            for r in photo.renditions.all()
        )
        rows = sorted(found, key=specs.delivery_order())
    return rows


class CreditSerializer(ReadOnceFields, serializers.Serializer):
    """One credited contributor, as structured data a front-end need not parse."""

    name = serializers.CharField(source="contributor.name")
    contributor_id = serializers.IntegerField(source="contributor.id")
    contributor_kind = serializers.CharField(source="contributor.kind")
    role = serializers.ChoiceField(choices=CreditRole.choices)
    role_label = serializers.SerializerMethodField(help_text="如“本报记者”；单位署名时为空。")
    organisation = serializers.CharField()

    def get_role_label(self, credit) -> str:
        return role_label(credit.role)


class CreditLineSerializer(ReadOnceFields, serializers.Serializer):
    """A credit as data (`credits`, in order) and as printed (`line`).

    Used with source="*" on anything with `credit_action`, `credit_line` and `credits`.
    """

    action = serializers.ChoiceField(choices=CreditAction.choices, source="credit_action")
    action_label = serializers.SerializerMethodField()
    line = serializers.CharField(source="credit_line")
    credits = CreditSerializer(many=True)

    def get_action_label(self, obj) -> str:
        return action_label(obj.credit_action)


class RenditionSerializer(ReadOnceFields, serializers.ModelSerializer):
    """One file for `srcset`: "<url> <width>w", grouped by `ratio` and `format`."""

    url = serializers.SerializerMethodField()
    ratio = serializers.CharField(help_text="original（原图比例），或按焦点裁切的 16:9、4:3、1:1。")
    format = serializers.ChoiceField(choices=list(specs.FORMATS), help_text="avif、webp 或 jpeg。")

    class Meta:
        model = Rendition
        fields = ["url", "width", "height", "format", "ratio"]

    def get_url(self, rendition) -> str:
        return absolute_url(self.context, rendition.file.url)


class FocalPointSerializer(ReadOnceFields, serializers.Serializer):
    x = serializers.FloatField(source="focal_x", help_text="0 为最左，1 为最右。")
    y = serializers.FloatField(source="focal_y", help_text="0 为最上，1 为最下。")


class PhotoSerializer(ReadOnceFields, serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text="整幅图片的最大 JPEG 衍生图（已去除 EXIF、GPS 等内嵌信息，方向已摆正，sRGB）；"
        "衍生图尚未生成时为 null。原图只供存档与导出，读者拿不到。"
    )
    focal_point = FocalPointSerializer(source="*", help_text="焦点，供前端按其他比例裁切或定位。")
    renditions = serializers.SerializerMethodField()
    credit = CreditLineSerializer(source="*")

    class Meta:
        model = Photo
        fields = [
            "id",
            "url",
            "width",
            "height",
            "focal_point",
            "renditions",
            "caption",
            "alt_text",
            "credit",
        ]

    def get_url(self, photo) -> str | None:
        # Readers get cleaned files only: the original keeps the camera's EXIF (GPS, owner,
        # serial number) and is never linked (README, Photos: what the storage promises).
        row = specs.reader_file(_delivered_rows(photo))
        if row is None:
            return None
        file_url = stored_file_urls(Rendition._meta.get_field("file").storage)
        return absolute_url(self.context, file_url(row.file))

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, photo) -> list[dict]:
        """Ratio by ratio (original first), formats in <picture> order (avif, webp, jpeg), narrow to wide:
        consecutive rows with the same ratio and format are one `<source srcset>`.

        RenditionSerializer's output, written out over plain rows (`delivered_renditions`,
        from articles.delivery.reads): thirty renditions a photo, 12,000 in a 200-article issue,
        and REST framework's field machinery cost more than all the rest of publishing."""
        rows = _delivered_rows(photo)
        file_url = stored_file_urls(Rendition._meta.get_field("file").storage)
        return [
            {
                "url": absolute_url(self.context, file_url(row.file)),
                "width": row.width,
                "height": row.height,
                "format": row.format,
                "ratio": row.ratio,
            }
            for row in rows
        ]
