"""One live copy of an article (issue 16, finding 1): a published article stays in its issue,
and withdraw, republish and corrections act on every issue still carrying it, so the article's
own URL and every issue's JSON agree with what the admin says."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.models import Article, Correction, Publication, PublishedArticle
from articles.publications import publishing
from articles.workflow import ArticleStatus
from tests.admin_forms import form_data, page
from tests.conftest import logged_in
from tests.factories import ArticleFactory, BlockFactory, IssueFactory, published

pytestmark = pytest.mark.django_db


def issue_json(client, issue) -> dict:
    return client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug})).json()


def article_ids(data: dict) -> list[int]:
    return [p["article"]["id"] for p in data["parts"] if p["type"] == "article"]


def article_url(article) -> str:
    return reverse("v1:article-detail", kwargs={"pk": article.pk})


def published_article(text="原来的导语。"):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, status=ArticleStatus.APPROVED)
    BlockFactory(article=article, text=text)
    published(issue)
    article.refresh_from_db()
    return article


def carried_by_two_issues():
    """The data the old bug left: the article moved after publication, and the new issue
    published too, so both issues' live publications carry it."""
    article = published_article()
    other = IssueFactory()
    ArticleFactory(issue=other, status=ArticleStatus.APPROVED, headline="另一专题的稿件")
    Article.objects.filter(pk=article.pk).update(issue=other)  # as the old admin let it happen
    published(other)
    article.refresh_from_db()
    return article, article.publications.values_list("publication__issue", flat=True).distinct()


def test_a_published_article_cannot_be_moved_by_the_model():
    article = published_article()
    article.issue = IssueFactory()
    with pytest.raises(ValidationError) as refused:
        article.save()
    assert "先在原专题撤稿" in " ".join(refused.value.messages)
    assert Article.objects.get(pk=article.pk).issue_id != article.issue_id


def test_an_unpublished_article_still_moves_freely():
    article = ArticleFactory()
    other = IssueFactory()
    article.issue = other
    article.save()
    assert Article.objects.get(pk=article.pk).issue_id == other.pk


def test_the_admin_shows_the_issue_read_only_once_published_and_a_forged_post_moves_nothing(chief):
    article = published_article()
    other = IssueFactory()
    browser = logged_in(chief)
    url = reverse("admin:articles_article_change", args=[article.pk])
    shown = browser.get(url)
    assert page(shown).find(attrs={"name": "issue"}) is None  # 专题 is read-only
    data = form_data(shown)
    data["issue"] = str(other.pk)
    data["_continue"] = "保存"
    browser.post(url, data)
    assert Article.objects.get(pk=article.pk).issue_id == article.issue_id


def test_the_model_rule_reaches_a_form_that_offers_the_issue(chief):
    from articles.desk.forms import ArticleForm

    article = published_article()

    class MoveForm(ArticleForm):  # any form that offers the issue, as the add page does
        class Meta:
            model = Article
            fields = ["issue", "headline"]

    data = {"issue": IssueFactory().pk, "headline": article.headline, "opened_version": article.version}
    form = MoveForm(data, instance=article)
    assert not form.is_valid()
    assert "先在原专题撤稿" in " ".join(form.errors["issue"])


def test_withdrawing_takes_the_article_from_every_issue_still_carrying_it(client, chief):
    article, issues = carried_by_two_issues()
    assert len(issues) == 2
    assert client.get(article_url(article)).status_code == 200

    publishing.withdraw_article(article, user=chief, note="核实中")

    assert client.get(article_url(article)).status_code == 404
    for issue in article.issue.__class__.objects.filter(pk__in=issues):
        assert article.pk not in article_ids(issue_json(client, issue)), issue


def test_the_article_url_serves_the_newest_live_copy(client, chief):
    article, _ = carried_by_two_issues()
    newest = (
        Publication.objects.live().filter(articles__article=article).order_by("-visible_from", "-pk").first()
    )
    expected = newest.articles.get(article=article).body
    # Whichever row the database lists first, the answer is the newest copy.
    assert client.get(article_url(article)).json() == json.loads(expected)


def test_republishing_and_publishing_leave_no_second_copy(client, chief):
    article, issues = carried_by_two_issues()
    old_issue = next(pk for pk in issues if pk != article.issue_id)
    publishing.withdraw_article(article, user=chief, note="核实中")
    # Old data again: a live copy left behind in the old issue by hand.
    stale = Publication.objects.live().get(issue_id=old_issue)
    PublishedArticle.objects.create(publication=stale, article=article, body="{}", sha256="x")

    publishing.republish_article(article, user=chief, note="核实无误")

    live = PublishedArticle.objects.filter(article=article, publication__in=Publication.objects.live())
    assert list(live.values_list("publication__issue", flat=True)) == [article.issue_id]


def test_a_correction_reaches_the_articles_own_url(client, chief):
    article, _ = carried_by_two_issues()
    block = article.blocks.first()
    block.text = "改正后的导语。"
    block.save()
    Correction.objects.create(article=article, text="导语中的数字有误，已更正。", created_by=chief)

    publishing.publish_issue(article.issue, user=chief)

    data = client.get(article_url(article)).json()
    assert data["corrections"][0]["text"] == "导语中的数字有误，已更正。"
    live = PublishedArticle.objects.filter(article=article, publication__in=Publication.objects.live())
    assert live.count() == 1
