"""Public read API: the stored bytes of live publications, never the working copy.

Nothing is serialized per request: each view finds the live publication (one query) and
returns the JSON text the publish service stored.
"""

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics

from newsroom.api_errors import ErrorSerializer

from ..selectors import live_article, live_issue, live_issue_listing
from .serializers import ArticleDetailSerializer, IssueDetailSerializer, IssueSerializer

NOT_FOUND_TEXT = "未找到该内容：它不存在，或尚未发布。"


def stored_json(body: str) -> HttpResponse:
    return HttpResponse(body.encode("utf-8"), content_type="application/json")


@extend_schema(
    responses={
        200: IssueSerializer(many=True),
        404: OpenApiResponse(ErrorSerializer, description="页码无效或超出范围（invalid_page）。"),
    }
)
class IssueListView(generics.ListAPIView):
    """Published special reports, newest first."""

    serializer_class = IssueSerializer

    def get_queryset(self):
        return live_issue_listing()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([publication.summary for publication in page])


class IssueDetailView(generics.GenericAPIView):
    """One published special report, complete and in reading order."""

    serializer_class = IssueDetailSerializer

    @extend_schema(
        responses={
            200: IssueDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="专题不存在或尚未发布（not_found）。"),
        }
    )
    def get(self, request, slug: str):
        publication = live_issue(slug)
        if publication is None:
            raise Http404(NOT_FOUND_TEXT)
        return stored_json(publication.body)


class ArticleDetailView(generics.GenericAPIView):
    """One published article of a published special report."""

    serializer_class = ArticleDetailSerializer

    @extend_schema(
        responses={
            200: ArticleDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="稿件不存在或尚未发布（not_found）。"),
        }
    )
    def get(self, request, pk: int):
        published = live_article(pk)
        if published is None:
            raise Http404(NOT_FOUND_TEXT)
        return stored_json(published.body)
