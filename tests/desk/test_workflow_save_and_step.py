"""A workflow button on the article page saves what is typed on it, then takes the step, in
one transaction (issue 16, finding 5): a refused save takes no step, a refused step saves
nothing, and either way the page comes back with the reason and the typing."""

import pytest
from django.urls import reverse

from articles.models import Article, Block, TransitionRecord
from articles.workflow import ArticleStatus
from tests.admin_forms import errors, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import ArticleFactory, BlockFactory, published

pytestmark = pytest.mark.django_db


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def texts(article) -> list[str]:
    return list(Block.objects.filter(article=article).order_by("position").values_list("text", flat=True))


@pytest.mark.parametrize(
    ("role", "start", "step", "end"),
    [
        ("reporter", ArticleStatus.DRAFT, "submit", ArticleStatus.IN_REVIEW),
        ("editor", ArticleStatus.IN_REVIEW, "approve", ArticleStatus.APPROVED),
        ("editor", ArticleStatus.IN_REVIEW, "send_back", ArticleStatus.DRAFT),
    ],
)
def test_the_typed_body_is_saved_with_the_step(role, start, step, end, request, reporter):
    user = request.getfixturevalue(role)
    article = ArticleFactory(status=start, created_by=reporter)
    BlockFactory(article=article, text="原来的导语。")
    browser = logged_in(user)
    data = form_data(browser.get(change_url(article)), submit=f"transition-{step}")
    data["body_text"] = "刚刚写好的导语。"
    data[f"note_{step}"] = "请补充数据来源。"

    response = browser.post(change_url(article), data)

    assert response.status_code == 302, errors(response)
    article.refresh_from_db()
    assert article.status == end
    assert texts(article) == ["刚刚写好的导语。"]
    assert TransitionRecord.objects.get(article=article).action == step


def test_withdraw_and_republish_save_the_page_too(chief):
    article = ArticleFactory(status=ArticleStatus.APPROVED)
    BlockFactory(article=article, text="原来的导语。")
    published(article.issue)
    browser = logged_in(chief)
    data = form_data(browser.get(change_url(article)), submit="transition-withdraw")
    data["subheadline"] = "撤稿前改的副题"
    data["note_withdraw"] = "数据待核实"
    assert browser.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.status, article.subheadline) == (ArticleStatus.WITHDRAWN, "撤稿前改的副题")

    data = form_data(browser.get(change_url(article)), submit="transition-republish")
    data["subheadline"] = "重新发布前改的副题"
    assert browser.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.status, article.subheadline) == (ArticleStatus.PUBLISHED, "重新发布前改的副题")


def test_a_stale_page_takes_no_step_and_keeps_the_typing(editor, chief):
    article = ArticleFactory(status=ArticleStatus.IN_REVIEW)
    block = BlockFactory(article=article, text="原来的导语。")
    mine, theirs = logged_in(editor), logged_in(chief)
    data = form_data(mine.get(change_url(article)), submit="transition-approve")
    their_data = form_data(theirs.get(change_url(article)))
    their_data["headline"] = "同事改的主题"
    assert theirs.post(change_url(article), their_data).status_code == 302

    n = inline_index(data, "blocks", block.pk)
    data[f"blocks-{n}-text"] = "我写的导语。"
    response = mine.post(change_url(article), data)

    assert response.status_code == 200
    assert any("保存未成功" in e for e in errors(response)), errors(response)
    assert "我写的导语。" in page(response).find("textarea", attrs={"name": f"blocks-{n}-text"}).get_text()
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW
    assert texts(article) == ["原来的导语。"]


def test_a_refused_step_saves_nothing_and_keeps_the_typing(editor):
    article = ArticleFactory(status=ArticleStatus.IN_REVIEW, subheadline="原副题")
    version = article.version
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(article)), submit="transition-send_back")
    data["subheadline"] = "改过的副题"
    data["note_send_back"] = ""  # sending back needs a note

    response = browser.post(change_url(article), data)

    assert response.status_code == 200
    shown = " ".join(errors(response))
    assert "退回修改须填写说明" in shown and "没有保存" in shown
    assert page(response).find("input", attrs={"name": "subheadline"})["value"] == "改过的副题"
    article.refresh_from_db()
    assert (article.status, article.subheadline, article.version) == (
        ArticleStatus.IN_REVIEW,
        "原副题",
        version,
    )
    assert not TransitionRecord.objects.filter(article=article).exists()


def test_an_invalid_page_takes_no_step(reporter):
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=reporter)
    browser = logged_in(reporter)
    data = form_data(browser.get(change_url(article)), submit="transition-submit")
    data["headline"] = ""

    response = browser.post(change_url(article), data)

    assert response.status_code == 200
    assert page(response).select_one(".workflow-not-taken") is not None
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.DRAFT


def test_the_page_asks_before_leaving_with_unsaved_changes(reporter):
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=reporter)
    shown = page(logged_in(reporter).get(change_url(article)))
    scripts = [tag.get("src", "") for tag in shown.find_all("script")]
    assert any(src.endswith("articles/workflow/unsaved.js") for src in scripts)
    # The buttons are inside the change form, so they post what is typed.
    form = shown.find("form", id="article_form")
    assert form.find("input", attrs={"name": "transition-submit"}) is not None
