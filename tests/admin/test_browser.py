"""An editor's day in a real browser: headless Chromium (Debian's package) driven by
Playwright against the live admin, from log-in to the published issue in the API.

Screenshots of the key pages are saved as artefacts in $BROWSER_ARTIFACTS (default
var/artifacts/browser/). Skipped where Chromium is not installed; `.ci/run` installs it.
"""

import io
import json
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from accounts.services import owes_second_factor
from articles.models import Article, Issue, Publication
from articles.workflow import ArticleStatus
from tests.accounts.devices import code_for, enrol_authenticator
from tests.factories import ArticleFactory, BlockFactory, ContributorFactory

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(
    os.environ.get("BROWSER_ARTIFACTS", Path(__file__).resolve().parents[2] / "var/artifacts/browser")
)
# Without these, Chromium spends the run trying to reach Google on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    # Restores the data migrations' rows (the roles) that flushing a live-server test removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


@pytest.fixture
def chromium(monkeypatch):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (setting up, checking results) are plain synchronous code all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's loop runs, Django keeps the test's database connections apart
        # from the thread's usual ones (per context); left open, PostgreSQL refuses to drop
        # the test database at the end of the run.
        connections.close_all()


class Desk:
    """One person's browser on the admin, with the checks every page gets."""

    def __init__(self, browser, base_url: str, username: str):
        self.context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base_url = base_url
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"JS error: {error}"))
        self.page.on(
            "console",
            lambda message: (
                self.problems.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        # The duty chief passes a second factor: an authenticator enrolled beforehand, its
        # code typed after the password (the enrolment itself: tests/accounts/).
        user = get_user_model().objects.get(username=username)
        device = enrol_authenticator(user) if owes_second_factor(user) else None
        self.open("/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f"pw-{username}")
        self.page.click("input[type=submit]")
        if device is not None:
            self.page.fill("#id_code", code_for(device))
            self.page.click("input[type=submit]")
        assert "/admin/login/" not in self.page.url and "/two-factor/" not in self.page.url, (
            f"{username} could not log in"
        )

    def open(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def choose(self, select_id: str, term: str) -> None:
        """Pick `term` in an autocomplete (select2) field, as an editor does: type, click."""
        self.page.click(f"#{select_id} + .select2 .select2-selection")
        self.page.fill(".select2-container--open .select2-search__field", term)
        self.page.click(f".select2-results__option:has-text('{term}')")

    def save_and_continue(self) -> None:
        self.page.click("input[name=_continue]")
        self.page.wait_for_load_state()
        errors = self.page.locator(".errornote, .errorlist li").all_inner_texts()
        assert not errors, errors

    def message(self) -> str:
        return self.page.locator(".messagelist").inner_text()


def jpeg_file(tmp_path: Path) -> Path:
    path = tmp_path / "红船.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 533), (180, 40, 40)).save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


def test_an_editors_day_from_log_in_to_the_published_api(live_server, chromium, editor, chief, tmp_path):
    ContributorFactory(name="沈吟")
    ContributorFactory(name="黄珍珍")
    ContributorFactory(name="吕之暹")
    desk = Desk(chromium, live_server.url, "editor")

    # A photo, uploaded with its caption, alt text and credit.
    desk.open("/admin/media/photo/add/")
    desk.page.set_input_files("#id_image", str(jpeg_file(tmp_path)))
    desk.page.fill("#id_caption", "在嘉兴南湖，党员群众在红船边重温党的历史。")
    desk.page.fill("#id_alt_text", "红船边的党员群众")
    desk.choose("id_credits-0-contributor", "吕之暹")
    desk.page.select_option("#id_credits-0-role", "staff_reporter")
    desk.save_and_continue()
    desk.shot("01-photo")
    photo_id = int(desk.page.url.rstrip("/").split("/")[-2])

    # The issue.
    desk.open("/admin/articles/issue/add/")
    desk.page.fill("#id_title", "浏览器测试专题")
    desk.page.fill("#id_slug", "liu-lan-qi")
    desk.page.fill("#id_issue_date", "2026-11-27")
    desk.save_and_continue()
    issue = Issue.objects.get(slug="liu-lan-qi")

    # An article with two bylines, a testimony section and the photo, written as text.
    desk.open("/admin/articles/article/add/")
    desk.choose("id_issue", "浏览器测试专题")
    desk.page.fill("#id_position", "1")
    desk.page.fill("#id_headline", "勇担使命，守好红色根脉")
    desk.choose("id_bylines-0-contributor", "沈吟")
    desk.page.select_option("#id_bylines-0-role", "staff_reporter")
    desk.page.click("#bylines-group .add-row a")
    desk.choose("id_bylines-1-contributor", "黄珍珍")
    desk.page.select_option("#id_bylines-1-role", "staff_reporter")
    desk.page.fill(
        "textarea[name=body_text]",
        "浙江，中国革命红船的起航地。\n\n"
        "余杭区小古城村党委书记 林国荣：党建统领，乡村焕发新活力\n\n"
        "我是土生土长的小古城村人。\n\n"
        f"【图片#{photo_id}】\n\n"
        "【讲述结束】\n\n"
        "这是讲述之后的一段。",
    )
    desk.save_and_continue()
    desk.shot("02-article")
    article = Article.objects.get(headline="勇担使命，守好红色根脉")
    assert article.bylines.count() == 2
    assert article.sections.get().speaker_name == "林国荣"
    assert article.blocks.filter(photo_id=photo_id, section__isnull=False).exists()

    # A second article, already approved, and the reading order changed by drag and drop.
    second = ArticleFactory(issue=issue, position=2, headline="怀「赶考」之心 答时代之卷")
    BlockFactory(article=second, text="评论的正文。")
    desk.open(f"/admin/articles/issue/{issue.pk}/change/")
    items = desk.page.locator(".reading-order li")
    assert items.count() == 2
    items.nth(1).drag_to(items.nth(0))
    desk.shot("03-reading-order")
    desk.save_and_continue()
    assert list(issue.articles.order_by("position").values_list("pk", flat=True)) == [second.pk, article.pk]

    # Submitted for review by the editor; approved and published by the duty chief.
    desk.open(f"/admin/articles/article/{article.pk}/change/")
    desk.page.click("input[name=transition-submit]")
    assert "待审" in desk.message()
    chief_desk = Desk(chromium, live_server.url, "chief")
    chief_desk.open(f"/admin/articles/article/{article.pk}/change/")
    chief_desk.page.click("input[name=transition-approve]")
    assert "已审" in chief_desk.message()
    chief_desk.open(f"/admin/articles/issue/{issue.pk}/publish/")
    chief_desk.shot("04-publish")
    chief_desk.page.click("input[type=submit][value=发布]")
    assert "起读者可见" in chief_desk.message()
    chief_desk.shot("05-published")
    assert Publication.objects.filter(issue=issue).count() == 1
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED

    # What readers get.
    reader = chromium.new_page()
    reader.goto(f"{live_server.url}/api/v1/issues/liu-lan-qi/")
    data = json.loads(reader.locator("body").inner_text())
    articles = [p["article"] for p in data["parts"] if p["type"] == "article"]
    assert [a["headline"] for a in articles] == ["怀「赶考」之心 答时代之卷", "勇担使命，守好红色根脉"]
    lead = articles[1]
    assert lead["byline_line"] == "本报记者 沈吟 黄珍珍"
    testimony = next(node for node in lead["body"] if node["type"] == "testimony")
    assert testimony["speaker_name"] == "林国荣"
    photo = next(node for node in testimony["body"] if node["type"] == "photo")["photo"]
    assert photo["caption"] == "在嘉兴南湖，党员群众在红船边重温党的历史。"
    assert photo["credit"]["line"] == "本报记者 吕之暹 摄"

    # The other pages a desk uses all day work under the Content-Security-Policy too.
    for path in (
        f"/admin/articles/issue/{issue.pk}/preview/",
        f"/admin/articles/article/{article.pk}/revisions/",
        f"/admin/media/photo/{photo_id}/change/",
        "/admin/articles/issue/import/",
        "/api/docs/",
    ):
        chief_desk.open(path)
        chief_desk.page.wait_for_load_state("networkidle")
    chief_desk.shot("06-api-docs")
    assert chief_desk.page.locator(".swagger-ui").count() == 1

    assert desk.problems == [] and chief_desk.problems == []
