"""Public read API: the stored bytes of live publications, never the working copy.

Nothing is serialized per request: `articles.delivery` finds the live publication (from
memory, the shared cache, or one small indexed query) and sends the bytes stored at publish
time, with ETag, Last-Modified and CDN caching headers.
"""

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics

from articles.delivery import listing, pointers
from articles.delivery.documents import ArticleDetailSerializer, IssueDetailSerializer, IssueSerializer
from articles.delivery.fastpath import PLAIN_ACCEPT
from newsroom.api.errors import ErrorSerializer
from newsroom.api.throttling import ReaderThrottle

from ..models import Issue

NOT_FOUND_TEXT = "未找到该内容：它不存在，或尚未发布。"
# A public read answers preconditions (If-Match, If-Unmodified-Since: articles/delivery/responses.py).
PRECONDITION_FAILED = OpenApiResponse(
    ErrorSerializer, description="If-Match 或 If-Unmodified-Since 的条件不成立（precondition_failed）。"
)


def public_responses(found, not_found: str) -> dict:
    """The answers a public read documents: what is found, 404 and 412."""
    return {
        200: found,
        404: OpenApiResponse(ErrorSerializer, description=not_found),
        412: PRECONDITION_FAILED,
    }


class PublicView(generics.GenericAPIView):
    """A public read: its stored answer (`stored_answer(request, **url_arguments)`, the
    response or None). A plain GET or HEAD is answered with it by the fast path
    (articles/delivery/fastpath.py) before the request gets here; the view answers the rest
    (errors, other methods, other Accept values) through REST framework."""

    throttle_classes = [ReaderThrottle]
    stored_answer = None

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


@extend_schema(responses=public_responses(IssueSerializer(many=True), "页码无效或超出范围（invalid_page）。"))
class IssueListView(PublicView, generics.ListAPIView):
    """Published special reports, newest first."""

    serializer_class = IssueSerializer
    queryset = Issue.objects.none()  # names the model for the OpenAPI document; never read
    stored_answer = staticmethod(listing.listing_response)  # None while the page is still to render

    def list(self, request, *args, **kwargs):
        return listing.listing_response(request, self)


class PublishedDetailView(PublicView):
    """One published thing, found by the URL's argument; 404 (asked once only) when none."""

    def get(self, request, **kwargs) -> HttpResponse:
        found_nothing = getattr(request, "delivery_found_nothing", False)
        response = None if found_nothing else self.stored_answer(request, **kwargs)
        if response is None:
            raise Http404(NOT_FOUND_TEXT)
        return response


@extend_schema(responses=public_responses(IssueDetailSerializer, "专题不存在或尚未发布（not_found）。"))
class IssueDetailView(PublishedDetailView):
    """One published special report, complete and in reading order."""

    serializer_class = IssueDetailSerializer
    stored_answer = staticmethod(pointers.issue_response)


@extend_schema(responses=public_responses(ArticleDetailSerializer, "稿件不存在或尚未发布（not_found）。"))
class ArticleDetailView(PublishedDetailView):
    """One published article of a published special report."""

    serializer_class = ArticleDetailSerializer
    stored_answer = staticmethod(pointers.article_response)
