"""Public read API: only what the selectors let readers see."""

from rest_framework import generics

from ..selectors import articles_for_delivery, issues_for_delivery, issues_for_listing
from .serializers import ArticleDetailSerializer, IssueDetailSerializer, IssueSerializer


class IssueListView(generics.ListAPIView):
    """Published special reports, newest first."""

    serializer_class = IssueSerializer

    def get_queryset(self):
        return issues_for_listing()


class IssueDetailView(generics.RetrieveAPIView):
    """One published special report, complete and in reading order."""

    serializer_class = IssueDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return issues_for_delivery()


class ArticleDetailView(generics.RetrieveAPIView):
    """One published article of a published special report."""

    serializer_class = ArticleDetailSerializer

    def get_queryset(self):
        return articles_for_delivery()
