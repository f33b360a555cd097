"""Render an issue's working copy in the public JSON shape: the publish service stores the
result as a publication, the preview shows it. The only callers of the delivery serializers."""

from dataclasses import dataclass

from django.conf import settings
from rest_framework.renderers import JSONRenderer

from ..api.serializers import ArticleDetailSerializer, IssueDetailSerializer, IssueSerializer
from ..selectors import issue_for_rendering
from ..workflow import ArticleStatus


@dataclass
class Rendering:
    issue: dict  # the issue endpoint's body
    summary: dict  # the issue as the list endpoint shows it
    articles: dict[int, dict]  # each article endpoint's body, by article id


def render_issue(issue_pk: int, article_statuses=(ArticleStatus.PUBLISHED,)) -> Rendering:
    issue = issue_for_rendering(issue_pk, article_statuses)
    context = {"base_url": settings.SITE_URL}
    articles = {}
    for article in issue.delivered_articles:
        article.issue = issue  # the detail's issue link, without a query per article
        articles[article.pk] = ArticleDetailSerializer(article, context=context).data
    return Rendering(
        issue=IssueDetailSerializer(issue, context=context).data,
        summary=IssueSerializer(issue, context=context).data,
        articles=articles,
    )


def to_json(data) -> str:
    """The exact text readers get: compact UTF-8 JSON, as the API has always sent."""
    return JSONRenderer().render(data).decode("utf-8")
