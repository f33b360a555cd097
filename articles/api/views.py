"""Public read API: the stored bytes of live publications, never the working copy.

Nothing is serialized per request: `articles.delivery.service` finds the live publication (from
memory, the shared cache, or one small indexed query) and sends the bytes stored at publish
time, with ETag, Last-Modified and CDN caching headers.
"""

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics

from articles.delivery import service as delivery
from articles.delivery.documents import ArticleDetailSerializer, IssueDetailSerializer, IssueSerializer
from newsroom.api.errors import ErrorSerializer
from newsroom.api.throttling import ReaderThrottle

from ..models import Issue

NOT_FOUND_TEXT = "未找到该内容：它不存在，或尚未发布。"
# A public read answers preconditions (If-Match, If-Unmodified-Since: articles/delivery/service.py).
PRECONDITION_FAILED = OpenApiResponse(
    ErrorSerializer, description="If-Match 或 If-Unmodified-Since 的条件不成立（precondition_failed）。"
)

# What front-ends send (nothing, */*, JSON): answered without REST framework parsing the
# header; anything else goes through its content negotiation (406 included).
PLAIN_ACCEPT = frozenset({"", "*/*", "application/json"})


class PublicView(generics.GenericAPIView):
    """A public read: the stored answer (`answer`). A plain GET or HEAD is answered by
    `PublicReadMiddleware` before the request gets here; the view answers the rest (errors,
    other methods, other Accept values) through REST framework."""

    throttle_classes = [ReaderThrottle]

    @staticmethod
    def answer(request, **kwargs) -> HttpResponse | None:
        raise NotImplementedError

    def answered(self, request, **kwargs) -> HttpResponse:
        """The answer in REST framework's pass; 404 (asked once only) when there is none."""
        found_nothing = getattr(request, "delivery_found_nothing", False)
        response = None if found_nothing else self.answer(request, **kwargs)
        if response is None:
            raise Http404(NOT_FOUND_TEXT)
        return response

    def perform_content_negotiation(self, request, force=False):
        if request.META.get("HTTP_ACCEPT", "") in PLAIN_ACCEPT:
            renderer = self.get_renderers()[0]
            if renderer.media_type == "application/json":
                return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400:
            # A CDN may keep an error only as long as it asks again each time: a 404 must not
            # outlive an embargo lifting, nor a 503 the database coming back.
            response.headers["Cache-Control"] = "no-cache"
        return response


@extend_schema(
    responses={
        200: IssueSerializer(many=True),
        404: OpenApiResponse(ErrorSerializer, description="页码无效或超出范围（invalid_page）。"),
        412: PRECONDITION_FAILED,
    }
)
class IssueListView(PublicView, generics.ListAPIView):
    """Published special reports, newest first."""

    serializer_class = IssueSerializer
    queryset = Issue.objects.none()  # names the model for the OpenAPI document; never read

    @staticmethod
    def answer(request, **kwargs):
        return delivery.listing_response(request)  # None while the page is still to render

    def list(self, request, *args, **kwargs):
        return delivery.listing_response(request, self)


class IssueDetailView(PublicView):
    """One published special report, complete and in reading order."""

    serializer_class = IssueDetailSerializer

    @extend_schema(
        responses={
            200: IssueDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="专题不存在或尚未发布（not_found）。"),
            412: PRECONDITION_FAILED,
        }
    )
    def get(self, request, slug: str):
        return self.answered(request, slug=slug)

    @staticmethod
    def answer(request, *, slug: str):
        return delivery.issue_response(request, slug)


class ArticleDetailView(PublicView):
    """One published article of a published special report."""

    serializer_class = ArticleDetailSerializer

    @extend_schema(
        responses={
            200: ArticleDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="稿件不存在或尚未发布（not_found）。"),
            412: PRECONDITION_FAILED,
        }
    )
    def get(self, request, pk: int):
        return self.answered(request, pk=pk)

    @staticmethod
    def answer(request, *, pk: int):
        return delivery.article_response(request, pk)
