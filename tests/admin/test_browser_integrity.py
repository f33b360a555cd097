"""Nothing typed is lost, in a real browser (issue 16, findings 4 and 5): a workflow button
on a page with unsaved text saves it with the step, leaving a changed page asks first, and
two editors on one article get an honest conflict they merge in one step.

Reuses the Chromium fixture and the `Desk` of tests/admin/test_browser.py (same artefacts folder);
skipped where Chromium is not installed.
"""

import pytest

from articles.models import Article, Block
from articles.workflow import ArticleStatus
from tests.admin import test_browser
from tests.admin.test_browser import CHROMIUM, Desk
from tests.factories import ArticleFactory, BlockFactory

chromium = test_browser.chromium  # the fixture: one headless Chromium, as the editor's day uses

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


def change_path(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def texts(article) -> list[str]:
    return list(
        Block.objects.filter(article=article).order_by("position", "pk").values_list("text", flat=True)
    )


def test_unsaved_text_goes_with_the_workflow_button_and_leaving_asks_first(live_server, chromium, reporter):
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=reporter, headline="村里的新路")
    BlockFactory(article=article, text="旧的导语。")
    desk = Desk(chromium, live_server.url, "reporter")

    # Leaving a changed page asks first; staying keeps the typing.
    desk.open(change_path(article))
    body = desk.page.locator("textarea[name=body_text]")
    body.fill("新写的导语：村里的路修通了。")
    asked = []

    def on_dialog(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    desk.page.on("dialog", on_dialog)
    desk.page.locator("#site-name a").click()  # away, to the admin's home page
    desk.page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert "/change/" in desk.page.url
    assert body.input_value() == "新写的导语：村里的路修通了。"
    desk.shot("11-unsaved-workflow-buttons")

    # The workflow button saves what is typed, then takes the step.
    desk.page.click("input[name=transition-submit]")
    desk.page.wait_for_load_state()
    assert asked == ["beforeunload"]  # submitting the page does not ask
    assert "提交审核" in desk.message() and "待审" in desk.message()
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW
    assert texts(article) == ["新写的导语：村里的路修通了。"]
    desk.shot("12-saved-with-the-step")
    assert desk.problems == []


def test_two_editors_on_one_article_see_an_honest_conflict_and_merge_in_one_step(
    live_server, chromium, editor, chief
):
    article = ArticleFactory(kicker="原引题", headline="原主题", subheadline="原副题")
    BlockFactory(article=article, text="原来的第一段。", position=1)
    BlockFactory(article=article, text="原来的第二段。", position=2)
    mine, theirs = Desk(chromium, live_server.url, "editor"), Desk(chromium, live_server.url, "chief")
    mine.open(change_path(article))
    theirs.open(change_path(article))

    # The colleague saves first: a new headline and a rewritten first paragraph.
    theirs.page.fill("#id_headline", "同事的主题")
    theirs.page.fill("textarea[name=body_text]", "同事改写的第一段。\n\n原来的第二段。")
    theirs.save_and_continue()

    # I change the kicker (nobody else did) and the headline (so did the colleague).
    mine.page.fill("#id_kicker", "我的引题")
    mine.page.fill("#id_headline", "我的主题")
    mine.page.click("input[name=_continue]")
    mine.page.wait_for_load_state()
    panel = mine.page.locator("#merge-panel")
    assert panel.is_visible()
    conflicts = panel.locator(".merge-conflict")
    assert conflicts.count() == 1  # only the headline: the body was the colleague's alone
    assert "主题" in conflicts.locator("h3").inner_text()
    assert conflicts.locator(".merge-mine pre").inner_text() == "我的主题"
    assert conflicts.locator(".merge-theirs pre").inner_text() == "同事的主题"
    assert "同时改动了" not in mine.page.locator(".errorlist").all_inner_texts().__str__()
    assert mine.page.locator("#id_kicker").input_value() == "我的引题"
    assert mine.page.locator("textarea[name=body_text]").input_value().startswith("同事改写的第一段。")
    mine.shot("13-honest-conflict")

    # One click takes the colleague's headline; one save merges.
    conflicts.locator("input[value=theirs]").check()
    assert mine.page.locator("#id_headline").input_value() == "同事的主题"
    mine.shot("14-conflict-resolved")
    mine.save_and_continue()

    article.refresh_from_db()
    assert (article.kicker, article.headline, article.subheadline) == ("我的引题", "同事的主题", "原副题")
    assert texts(article) == ["同事改写的第一段。", "原来的第二段。"]
    assert Article.objects.get(pk=article.pk).version == 3  # made, saved by the colleague, merged
    assert mine.problems == [] and theirs.problems == []
