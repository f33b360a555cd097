"""Read-only delivery serializers with explicit fields. They never query: the selectors
prefetch everything, and reading order comes from the models.

They run in two places only: the publish service, which stores their output as the
publication readers get, and the preview of a working copy. Links are absolute on
`context["base_url"]` (conf.SITE_URL), since no reader's request exists at publish time.
Kept with the services, not the API: rendering writes publications with them, and the API
only names them for its schema (the services never import the API).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from articles import body as body_nodes
from articles.conf import conf
from articles.delivery.reads import issue_parts
from articles.models import Article, Block, Correction, Issue, Timeline, TimelineItem
from media.api.serializers import (
    CreditLineSerializer,
    CreditSerializer,
    PhotoSerializer,
    ReadOnceFields,
    absolute_url,
)


@extend_schema_field(OpenApiTypes.URI)
class AbsoluteLinkField(serializers.Field):
    """An absolute link to one of the API's own views, e.g. `v1:issue-detail`."""

    def __init__(self, view_name: str, lookup_field: str = "pk", **kwargs):
        self.view_name, self.lookup_field = view_name, lookup_field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj) -> str:
        kwarg = {self.lookup_field: getattr(obj, self.lookup_field)}
        return absolute_url(self.context, reverse(self.view_name, kwargs=kwarg))


class CorrectionSerializer(ReadOnceFields, serializers.ModelSerializer):
    date = serializers.SerializerMethodField(help_text="更正日期（北京时间）。")

    class Meta:
        model = Correction
        fields = ["date", "text"]

    def get_date(self, correction) -> str:
        return timezone.localdate(correction.created_at, timezone=conf.NEWSROOM_TIME_ZONE).isoformat()


class TextNodeSerializer(ReadOnceFields, serializers.Serializer):
    type = serializers.ChoiceField(choices=list(body_nodes.TEXT_KINDS), source="kind")
    text = serializers.CharField()


class PhotoNodeSerializer(ReadOnceFields, serializers.Serializer):
    type = serializers.ChoiceField(choices=[body_nodes.PHOTO], source="kind")
    photo = PhotoSerializer()


class VideoNodeSerializer(ReadOnceFields, serializers.Serializer):
    type = serializers.ChoiceField(choices=[body_nodes.VIDEO], source="kind")
    label = serializers.CharField(source="text", help_text="印刷版二维码旁的提示语，如“扫一扫 看视频”。")
    url = serializers.SerializerMethodField()

    def get_url(self, block) -> str | None:
        return block.url or None


BLOCK_NODE_SERIALIZERS = {
    body_nodes.PARAGRAPH: TextNodeSerializer,
    body_nodes.SUBHEADING: TextNodeSerializer,
    body_nodes.PHOTO: PhotoNodeSerializer,
    body_nodes.VIDEO: VideoNodeSerializer,
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="BlockNode",
        serializers=BLOCK_NODE_SERIALIZERS,
        resource_type_field_name="type",
        many=True,
    )
)
class BlockNodesField(serializers.ListField):
    """A testimony's own blocks, as paragraph, subheading, photo and video nodes."""


class TestimonyNodeSerializer(ReadOnceFields, serializers.Serializer):
    """A first-person testimony (口述): the speaker, the section headline and its blocks.

    Describes the node for the schema; BodyField renders it with the block serializers.
    """

    type = serializers.ChoiceField(choices=[body_nodes.TESTIMONY])
    speaker_name = serializers.CharField()
    speaker_title = serializers.CharField()
    headline = serializers.CharField()
    body = BlockNodesField()


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="BodyNode",
        serializers={**BLOCK_NODE_SERIALIZERS, body_nodes.TESTIMONY: TestimonyNodeSerializer},
        resource_type_field_name="type",
        many=True,
    )
)
class BodyField(serializers.Field):
    """The article body as a list of typed nodes, testimonies nesting their own blocks."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    @cached_property
    def node_serializers(self) -> dict[str, serializers.Serializer]:
        # One serializer per block kind, reused for every block: building serializer
        # fields per block costed most of a large issue's response time.
        return {kind: serializer(context=self.context) for kind, serializer in BLOCK_NODE_SERIALIZERS.items()}

    def block_node(self, block: Block) -> dict:
        if block.kind in body_nodes.TEXT_KINDS:
            # TextNodeSerializer's output, written out: thousands of paragraphs in a large
            # issue, and REST framework's field machinery cost more than the rest of them.
            return {"type": block.kind, "text": block.text}
        return self.node_serializers[block.kind].to_representation(block)

    def to_representation(self, article: Article) -> list[dict]:
        nodes = []
        for item in article.body():
            if isinstance(item, Block):
                nodes.append(self.block_node(item))
                continue
            section, blocks = item
            nodes.append(
                {
                    "type": body_nodes.TESTIMONY,
                    "speaker_name": section.speaker_name,
                    "speaker_title": section.speaker_title,
                    "headline": section.headline,
                    "body": [self.block_node(block) for block in blocks],
                }
            )
        return nodes


class IssueLinkSerializer(ReadOnceFields, serializers.ModelSerializer):
    url = AbsoluteLinkField("v1:issue-detail", lookup_field="slug")

    class Meta:
        model = Issue
        fields = ["id", "slug", "title", "url"]


class ArticleSerializer(ReadOnceFields, serializers.ModelSerializer):
    url = AbsoluteLinkField("v1:article-detail")
    kind_label = serializers.CharField(source="get_kind_display")
    bylines = CreditSerializer(many=True)
    byline_line = serializers.CharField(help_text="署名，按印刷格式排好。")
    character_count = serializers.IntegerField(
        help_text="正文字数（汉字与中文标点各计 1，连续的字母数字计 1）。"
    )
    body = BodyField()
    corrections = CorrectionSerializer(many=True, help_text="更正，按时间先后。")

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "url",
            "position",
            "kind",
            "kind_label",
            "kicker",
            "headline",
            "subheadline",
            "bylines",
            "byline_line",
            "character_count",
            "body",
            "corrections",
        ]


class ArticleDetailSerializer(ArticleSerializer):
    issue = IssueLinkSerializer()

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "issue"]


class TimelineCreditSerializer(CreditLineSerializer):
    credits = CreditSerializer(many=True, source="bylines")


class TimelineItemSerializer(ReadOnceFields, serializers.ModelSerializer):
    date = serializers.CharField(
        source="date_iso", help_text="ISO 8601，按精度截断：2012、2012-03 或 2012-03-05。"
    )
    label = serializers.CharField(source="date_label", help_text="印刷格式的日期，如“2012年”。")
    precision = serializers.CharField(source="date_precision")

    class Meta:
        model = TimelineItem
        fields = ["date", "precision", "label", "text"]


class TimelineSerializer(ReadOnceFields, serializers.ModelSerializer):
    credit = TimelineCreditSerializer(source="*", help_text="编者署名，如“本报记者 沈吟 整理”。")
    items = TimelineItemSerializer(many=True)

    class Meta:
        model = Timeline
        fields = ["id", "title", "credit", "items"]


class ArticlePartSerializer(ReadOnceFields, serializers.Serializer):
    type = serializers.ChoiceField(choices=["article"])
    position = serializers.IntegerField()
    article = ArticleSerializer()


class PhotoPartSerializer(ReadOnceFields, serializers.Serializer):
    type = serializers.ChoiceField(choices=["photo"])
    position = serializers.IntegerField()
    photo = PhotoSerializer()


class TimelinePartSerializer(ReadOnceFields, serializers.Serializer):
    type = serializers.ChoiceField(choices=["timeline"])
    position = serializers.IntegerField()
    timeline = TimelineSerializer()


PART_SERIALIZERS = {
    "article": ArticlePartSerializer,
    "photo": PhotoPartSerializer,
    "timeline": TimelinePartSerializer,
}


class IssueSerializer(ReadOnceFields, serializers.ModelSerializer):
    url = AbsoluteLinkField("v1:issue-detail", lookup_field="slug")

    class Meta:
        model = Issue
        fields = ["id", "slug", "url", "title", "subtitle", "description", "issue_date", "published_at"]


class IssueDetailSerializer(IssueSerializer):
    parts = serializers.SerializerMethodField(help_text="专题的各部分，按阅读顺序排列。")

    class Meta(IssueSerializer.Meta):
        fields = [*IssueSerializer.Meta.fields, "parts"]

    @extend_schema_field(
        PolymorphicProxySerializer(
            component_name="IssuePart",
            serializers=PART_SERIALIZERS,
            resource_type_field_name="type",
            many=True,
        )
    )
    def get_parts(self, issue) -> list[dict]:
        # One serializer per part type, reused for every part of that type.
        by_type = {part_type: cls(context=self.context) for part_type, cls in PART_SERIALIZERS.items()}
        return [
            by_type[part_type].to_representation(
                {
                    "type": part_type,
                    "position": position,
                    part_type: obj.photo if part_type == "photo" else obj,
                }
            )
            for part_type, position, obj in issue_parts(issue)
        ]
