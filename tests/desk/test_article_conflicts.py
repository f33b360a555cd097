"""Two editors on one article (issue 16, finding 4): a stale save names only what really
conflicts, shows "您的修改" beside "同事保存的版本", takes in what only the colleague changed,
carries over what only this editor changed, and merges with one more save."""

import pytest
from django.urls import reverse

from articles.desk.forms import BOTH_CHANGED
from articles.models import Article, Block
from tests.admin_forms import errors, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import ArticleFactory, BlockFactory, BylineFactory, ContributorFactory

pytestmark = pytest.mark.django_db


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def texts(article) -> list[str]:
    return list(
        Block.objects.filter(article=article).order_by("position", "pk").values_list("text", flat=True)
    )


@pytest.fixture
def two_desks(editor, chief):
    """An article both open before either saves: (article, mine, my data, theirs, their data)."""
    article = ArticleFactory(kicker="原引题", headline="原主题", subheadline="原副题")
    BlockFactory(article=article, text="原来的第一段。", position=1)
    BlockFactory(article=article, text="原来的第二段。", position=2)
    mine, theirs = logged_in(editor), logged_in(chief)
    return (
        article,
        mine,
        form_data(mine.get(change_url(article))),
        theirs,
        form_data(theirs.get(change_url(article))),
    )


def conflict_panel(response):
    return page(response).select(".merge-conflict")


def test_a_colleagues_body_and_my_kicker_are_no_conflict_and_merge_on_the_next_save(two_desks):
    article, mine, my_data, theirs, their_data = two_desks
    their_data["body_text"] = "同事改写的第一段。\n\n原来的第二段。"
    assert theirs.post(change_url(article), their_data).status_code == 302
    my_data["kicker"] = "我改的引题"

    refused = mine.post(change_url(article), my_data)

    assert refused.status_code == 200
    shown = " ".join(errors(refused))
    assert "保存未成功" in shown
    assert BOTH_CHANGED not in shown and "同时改动了" not in shown
    assert conflict_panel(refused) == []
    reopened = form_data(refused)
    assert reopened["kicker"] == "我改的引题"  # carried over
    assert reopened["body_text"].startswith("同事改写的第一段。")  # the colleague's, taken in
    assert texts(article) == ["同事改写的第一段。", "原来的第二段。"]

    assert mine.post(change_url(article), reopened).status_code == 302
    article.refresh_from_db()
    assert article.kicker == "我改的引题"
    assert texts(article) == ["同事改写的第一段。", "原来的第二段。"]


def test_a_colleagues_block_edit_and_my_body_text_are_no_false_double_edit(two_desks):
    article, mine, my_data, theirs, their_data = two_desks
    n = inline_index(their_data, "blocks", article.blocks.get(position=2).pk)
    their_data[f"blocks-{n}-text"] = "同事在正文块里改的第二段。"
    assert theirs.post(change_url(article), their_data).status_code == 302
    my_data["subheadline"] = "我改的副题"

    refused = mine.post(change_url(article), my_data)

    assert "同时改动了" not in " ".join(errors(refused))
    reopened = form_data(refused)
    assert mine.post(change_url(article), reopened).status_code == 302
    article.refresh_from_db()
    assert article.subheadline == "我改的副题"
    assert texts(article) == ["原来的第一段。", "同事在正文块里改的第二段。"]


def test_only_what_both_changed_is_named_with_both_versions(two_desks):
    article, mine, my_data, theirs, their_data = two_desks
    their_data["headline"] = "同事的主题"
    their_data["subheadline"] = "同事的副题"
    assert theirs.post(change_url(article), their_data).status_code == 302
    my_data["headline"] = "我的主题"
    my_data["kicker"] = "我的引题"

    refused = mine.post(change_url(article), my_data)

    panels = conflict_panel(refused)
    assert len(panels) == 1
    assert "主题" in panels[0].h3.get_text() and "副题" not in panels[0].h3.get_text()
    assert panels[0].select_one(".merge-mine pre").get_text() == "我的主题"
    assert panels[0].select_one(".merge-theirs pre").get_text() == "同事的主题"
    reopened = form_data(refused)
    assert (reopened["headline"], reopened["subheadline"], reopened["kicker"]) == (
        "我的主题",
        "同事的副题",
        "我的引题",
    )


def test_a_conflict_needs_a_choice_before_it_saves(two_desks):
    article, mine, my_data, theirs, their_data = two_desks
    their_data["headline"] = "同事的主题"
    assert theirs.post(change_url(article), their_data).status_code == 302
    my_data["headline"] = "我的主题"
    reopened = form_data(mine.post(change_url(article), my_data))

    again = mine.post(change_url(article), reopened)

    assert again.status_code == 200
    assert any("请在本页上方的对照中选择" in e for e in errors(again))
    assert len(conflict_panel(again)) == 1  # still shown, my typing still there
    assert form_data(again)["headline"] == "我的主题"
    assert Article.objects.get(pk=article.pk).headline == "同事的主题"


@pytest.mark.parametrize(("choice", "kept"), [("theirs", "同事的主题"), ("mine", "我的主题")])
def test_one_click_takes_theirs_or_keeps_mine(two_desks, choice, kept):
    article, mine, my_data, theirs, their_data = two_desks
    their_data["headline"] = "同事的主题"
    assert theirs.post(change_url(article), their_data).status_code == 302
    my_data["headline"] = "我的主题"
    my_data["subheadline"] = "我的副题"
    reopened = form_data(mine.post(change_url(article), my_data))

    reopened["merge_headline"] = choice
    assert mine.post(change_url(article), reopened).status_code == 302

    article.refresh_from_db()
    assert (article.headline, article.subheadline) == (kept, "我的副题")


@pytest.mark.parametrize(
    ("choice", "body"),
    [("theirs", ["同事的第一段。", "原来的第二段。"]), ("mine", ["我的第一段。", "原来的第二段。"])],
)
def test_both_changed_the_body_text_side_by_side(two_desks, choice, body):
    article, mine, my_data, theirs, their_data = two_desks
    their_data["body_text"] = "同事的第一段。\n\n原来的第二段。"
    assert theirs.post(change_url(article), their_data).status_code == 302
    my_data["body_text"] = "我的第一段。\n\n原来的第二段。"
    my_data["kicker"] = "我的引题"

    refused = mine.post(change_url(article), my_data)

    assert "同时改动了" not in " ".join(errors(refused))
    panels = conflict_panel(refused)
    assert [p.h3.get_text() for p in panels] == ["正文：您和同事都改了"]
    assert "我的第一段。" in panels[0].select_one(".merge-mine pre").get_text()
    assert "同事的第一段。" in panels[0].select_one(".merge-theirs pre").get_text()
    reopened = form_data(refused)
    reopened["merge_body"] = choice
    assert mine.post(change_url(article), reopened).status_code == 302

    article.refresh_from_db()
    assert article.kicker == "我的引题"
    assert texts(article) == body


def test_both_editing_blocks_taking_theirs_drops_only_my_block_edit(two_desks):
    article, mine, my_data, theirs, their_data = two_desks
    first = article.blocks.get(position=1).pk
    n = inline_index(their_data, "blocks", first)
    their_data[f"blocks-{n}-text"] = "同事改的第一段。"
    assert theirs.post(change_url(article), their_data).status_code == 302
    m = inline_index(my_data, "blocks", first)
    my_data[f"blocks-{m}-text"] = "我改的第一段。"
    my_data["subheadline"] = "我的副题"

    refused = mine.post(change_url(article), my_data)
    assert [p.h3.get_text() for p in conflict_panel(refused)] == ["正文：您和同事都改了"]
    reopened = form_data(refused)
    assert reopened[f"blocks-{m}-text"] == "我改的第一段。"  # my typing stays on the page
    reopened["merge_body"] = "theirs"
    assert mine.post(change_url(article), reopened).status_code == 302

    article.refresh_from_db()
    assert article.subheadline == "我的副题"
    assert texts(article) == ["同事改的第一段。", "原来的第二段。"]


def test_a_tampered_opened_state_falls_back_to_the_plain_stale_refusal(two_desks):
    article, mine, my_data, theirs, their_data = two_desks
    their_data["headline"] = "同事的主题"
    assert theirs.post(change_url(article), their_data).status_code == 302
    my_data["opened_state"] = "forged"
    my_data["kicker"] = "我的引题"
    response = mine.post(change_url(article), my_data)
    assert response.status_code == 200 and "保存未成功" in " ".join(errors(response))
    assert Article.objects.get(pk=article.pk).kicker == "原引题"


@pytest.mark.parametrize(("choice", "role"), [("theirs", "correspondent"), ("mine", "intern")])
def test_both_changed_the_bylines(editor, chief, choice, role):
    article = ArticleFactory(subheadline="原副题")
    byline = BylineFactory(article=article, contributor=ContributorFactory(name="沈吟"))
    mine, theirs = logged_in(editor), logged_in(chief)
    my_data, their_data = form_data(mine.get(change_url(article))), form_data(theirs.get(change_url(article)))
    their_data[f"bylines-{inline_index(their_data, 'bylines', byline.pk)}-role"] = "correspondent"
    assert theirs.post(change_url(article), their_data).status_code == 302
    my_data[f"bylines-{inline_index(my_data, 'bylines', byline.pk)}-role"] = "intern"
    my_data["subheadline"] = "我的副题"

    refused = mine.post(change_url(article), my_data)
    panels = conflict_panel(refused)
    assert [p.h3.get_text() for p in panels] == ["署名：您和同事都改了"]
    assert "实习生 沈吟" in panels[0].select_one(".merge-mine pre").get_text()
    assert "通讯员 沈吟" in panels[0].select_one(".merge-theirs pre").get_text()
    reopened = form_data(refused)
    reopened["merge_bylines"] = choice
    assert mine.post(change_url(article), reopened).status_code == 302

    article.refresh_from_db()
    assert article.subheadline == "我的副题"
    assert list(article.bylines.values_list("role", flat=True)) == [role]
