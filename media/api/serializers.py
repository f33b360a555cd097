"""Read-only photo representations. No queries: callers prefetch credits and contributors."""

from urllib.parse import urljoin

from django.conf import settings
from rest_framework import serializers

from media.credits import CreditAction, CreditRole, action_label, role_label
from media.models import Photo


def absolute_url(context: dict, path: str) -> str:
    """`path` on the serializer context's `base_url` (default settings.SITE_URL); an
    absolute `path` (a MEDIA_URL on a CDN) stays as it is."""
    return urljoin(context.get("base_url", settings.SITE_URL) + "/", path)


class CreditSerializer(serializers.Serializer):
    """One credited contributor, as structured data a front-end need not parse."""

    name = serializers.CharField(source="contributor.name")
    contributor_id = serializers.IntegerField(source="contributor.id")
    contributor_kind = serializers.CharField(source="contributor.kind")
    role = serializers.ChoiceField(choices=CreditRole.choices)
    role_label = serializers.SerializerMethodField(help_text="如“本报记者”；单位署名时为空。")
    organisation = serializers.CharField()

    def get_role_label(self, credit) -> str:
        return role_label(credit.role)


class CreditLineSerializer(serializers.Serializer):
    """A credit as data (`credits`, in order) and as printed (`line`).

    Used with source="*" on anything with `credit_action`, `credit_line` and `credits`.
    """

    action = serializers.ChoiceField(choices=CreditAction.choices, source="credit_action")
    action_label = serializers.SerializerMethodField()
    line = serializers.CharField(source="credit_line")
    credits = CreditSerializer(many=True)

    def get_action_label(self, obj) -> str:
        return action_label(obj.credit_action)


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    credit = CreditLineSerializer(source="*")

    class Meta:
        model = Photo
        fields = ["id", "url", "width", "height", "caption", "alt_text", "credit"]

    def get_url(self, photo) -> str:
        return absolute_url(self.context, photo.image.url)
