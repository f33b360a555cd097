"""The preview endpoint: an unpublished issue, in exactly the published JSON shape, for the
front-end holding a signed preview link.

Unlike the public views it renders the working copy on every request, so nothing here may
be kept by a shared cache or a search engine: the answer is private to the link's holder,
404s included (a cached 404 would outlive a link revoked and made again).
"""

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics

from articles.delivery.documents import IssueDetailSerializer
from articles.delivery.rendering import to_json
from articles.publications.preview import issue_for_token, render_preview
from newsroom.api.errors import ErrorSerializer

INVALID_LINK_TEXT = "预览链接无效或已过期。"

PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


class PreviewView(generics.GenericAPIView):
    """An unpublished special report through an editor's preview link, exactly as the issue
    endpoint will show it once published (unreviewed articles included)."""

    serializer_class = IssueDetailSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "token", str, OpenApiParameter.PATH, description="编辑在后台生成的预览令牌，原样放进网址。"
            )
        ],
        responses={
            200: IssueDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="链接被改动、已过期或已作废。"),
        },
    )
    def get(self, request, token: str):
        issue = issue_for_token(token)
        if issue is None:
            raise Http404(INVALID_LINK_TEXT)
        body = to_json(render_preview(issue).issue)
        return HttpResponse(body.encode("utf-8"), content_type="application/json")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in PRIVATE_HEADERS.items():
            response[header] = value
        return response
