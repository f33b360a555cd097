"""Render an issue's working copy in the public JSON shape: the publish service stores the
result as a publication, the preview shows it. The only callers of the delivery serializers."""

from collections.abc import Iterable
from dataclasses import dataclass

from rest_framework.renderers import JSONRenderer

from articles.conf import conf
from articles.delivery.documents import IssueDetailSerializer, IssueLinkSerializer
from articles.delivery.reads import issue_for_rendering
from articles.workflow import ArticleStatus


@dataclass
class Rendering:
    issue: dict  # the issue endpoint's body
    summary: dict  # the issue as the list endpoint shows it
    articles: dict[int, dict]  # each article endpoint's body, by article id


def render_issue(
    issue_pk: int, article_statuses=(ArticleStatus.PUBLISHED,), *, held_back: Iterable[int] = ()
) -> Rendering:
    """`held_back`: approved articles the duty chief leaves out of this publication."""
    issue = issue_for_rendering(issue_pk, article_statuses, held_back=held_back)
    context = {"base_url": conf.SITE_URL}
    body = IssueDetailSerializer(issue, context=context).data
    # An article's own endpoint is its part of the issue plus a link to the issue
    # (ArticleDetailSerializer's fields, in its order). Taken from the issue's parts rather
    # than serialized again: that second pass was half the time of publishing a large issue.
    link = IssueLinkSerializer(issue, context=context).data
    articles = {
        part["article"]["id"]: {**part["article"], "issue": link}
        for part in body["parts"]
        if part["type"] == "article"
    }
    summary = {name: value for name, value in body.items() if name != "parts"}
    return Rendering(issue=body, summary=summary, articles=articles)


def to_json(data) -> str:
    """The exact text readers get: compact UTF-8 JSON, as the API has always sent."""
    return JSONRenderer().render(data).decode("utf-8")
