"""The article body edited as text on the article's change page: the same grammar as the
importer, an exact round trip, blocks and sections saved through the real admin form
under the workflow's revision and stale-save rules."""

import pytest
from django.urls import reverse

from articles.copydesk import body_editor, photo_slots
from articles.copydesk.body import comparable, read_body, round_trips, write_body
from articles.demo.loader import load_issue, read_fixture
from articles.desk import revisions
from articles.desk.revisions import current_lines, revision_count
from articles.models import Article, Block, Section
from articles.workflow import ArticleStatus
from media.models import Photo
from tests.admin_forms import errors, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import ArticleFactory, BlockFactory, PhotoFactory, SectionFactory

pytestmark = pytest.mark.django_db


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def rows(article) -> list[tuple]:
    """Everything a block row holds, and every section, by primary key."""
    blocks = list(
        Block.objects.filter(article=article)
        .order_by("position", "id")
        .values_list("pk", "position", "kind", "text", "photo_id", "url", "section_id")
    )
    sections = list(
        Section.objects.filter(article=article)
        .order_by("pk")
        .values_list("pk", "speaker_name", "speaker_title", "headline")
    )
    return blocks + sections


@pytest.fixture
def demo_articles():
    issue = load_issue(read_fixture(), publish=False)
    return list(issue.articles.order_by("position"))


def test_the_three_demo_bodies_round_trip_exactly(demo_articles):
    for article in demo_articles:
        nodes = body_editor.body_nodes(article)
        text = body_editor.body_text(article)

        assert round_trips(nodes), article.headline
        assert comparable(read_body(text).nodes) == comparable(nodes)
        before = rows(article)
        assert body_editor.apply_body(article, body_editor.check_body(text)) is False
        assert rows(article) == before


def test_opening_and_saving_each_demo_article_in_the_admin_changes_no_block(demo_articles, editor):
    browser = logged_in(editor)
    for article in demo_articles:
        before = rows(article)
        data = form_data(browser.get(change_url(article)))
        assert data["body_text"] == body_editor.body_text(article)

        response = browser.post(change_url(article), data)

        assert response.status_code == 302, errors(response)
        assert rows(article) == before, article.headline


def test_the_editor_shows_the_text_beside_the_reader_view_and_its_character_count(demo_articles, editor):
    lead = demo_articles[0]

    soup = page(logged_in(editor).get(change_url(lead)))

    editor_box = soup.select_one(".body-editor")
    assert (
        editor_box.find("textarea", attrs={"name": "body_text"})
        .get_text()
        .lstrip("\n")
        .startswith("浙江，中国革命红船")
    )
    assert editor_box.select_one("[data-count]").get_text() == str(
        Article.objects.prefetch_related("blocks", "sections").get(pk=lead.pk).character_count
    )
    reader = editor_box.select_one("[data-preview]")
    assert [h.get_text() for h in reader.select("h4.testimony-headline")] == [
        "党建统领，乡村焕发新活力",
        "党建联建，绘就边界同心圆",
        "党建赋能，楼宇治理更精细",
    ]
    first_photo = Photo.objects.get(caption__startswith="在嘉兴南湖")
    assert reader.select("figure img")[0]["src"] == first_photo.image.url  # the thumbnail
    # The block inlines stay for fine work.
    assert soup.select_one("#blocks-group") is not None


EDITED = """【小标题】开篇
第一段，改过了。

新插入的一段。
村党委书记 林国荣：党建统领
讲述第一段。
在嘉兴南湖，党员群众重温党的历史。
本报记者 吕之暹 拍友 周晨磊 摄
【讲述结束】
【视频】扫一扫 看视频 https://v.example.cn/1
"""


def test_a_body_written_as_text_in_the_admin_form_becomes_the_expected_blocks(editor):
    article = ArticleFactory(status=ArticleStatus.DRAFT)
    first = BlockFactory(article=article, position=1, text="第一段。")
    kept = BlockFactory(article=article, position=2, text="讲述第一段。")
    BlockFactory(article=article, position=3, text="要删掉的一段。")
    revisions.record_revision(article)  # as an article made by the desk or a command has
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(article)))
    version = Article.objects.get(pk=article.pk).version

    data["body_text"] = EDITED
    response = browser.post(change_url(article), data)

    assert response.status_code == 302, errors(response)
    article.refresh_from_db()
    blocks = list(article.blocks.order_by("position").select_related("section", "photo"))
    assert [(b.position, b.kind, b.text, b.section.speaker_name if b.section else None) for b in blocks] == [
        (1, "subheading", "开篇", None),
        (2, "paragraph", "第一段，改过了。", None),
        (3, "paragraph", "新插入的一段。", None),
        (4, "paragraph", "讲述第一段。", "林国荣"),
        (5, "photo", "", "林国荣"),
        (6, "video", "扫一扫 看视频", None),
    ]
    assert blocks[3].pk == kept.pk  # unchanged text keeps its row
    assert first.pk in {b.pk for b in blocks}  # an edited paragraph keeps its row too
    section = Section.objects.get(article=article)
    assert (section.speaker_title, section.headline) == ("村党委书记", "党建统领")
    slot = blocks[4].photo
    assert photo_slots.awaits_image(slot) and slot.credit_line == "本报记者 吕之暹 拍友 周晨磊 摄"
    assert blocks[5].url == "https://v.example.cn/1"
    assert article.version == version + 1
    # The save is one revision more, and it holds the blocks as the text made them.
    assert revision_count(article) == 2
    kept_lines = revisions.revision_lines(revisions.article_versions(article).first())
    assert kept_lines == current_lines(article)
    assert "段落：新插入的一段。" in kept_lines and "　　段落：讲述第一段。" in kept_lines


def test_a_line_the_grammar_cannot_place_is_refused_with_its_number_and_nothing_changes(editor):
    article = ArticleFactory(status=ArticleStatus.DRAFT, headline="原标题")
    BlockFactory(article=article, position=1, text="原来的正文。")
    before = rows(article)
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(article)))
    data["headline"] = "新标题"

    data["body_text"] = "原来的正文。\n\n本报记者 沈吟\n拍友 席静 摄"
    response = browser.post(change_url(article), data)

    assert response.status_code == 200
    assert errors(response) == [
        "第 3 行：正文中间的署名：署名应紧接在标题下面（“本报记者 沈吟”）",
        "第 4 行：图片署名前没有图片说明（“拍友 席静 摄”）",
    ]
    assert rows(article) == before
    assert Article.objects.get(pk=article.pk).headline == "原标题"
    # The editor's text is still on the page.
    assert "本报记者 沈吟" in page(response).find("textarea", attrs={"name": "body_text"}).get_text()


def test_a_caption_changed_in_the_text_or_an_unknown_photo_is_refused(editor):
    photo = PhotoFactory(caption="原图片说明。")
    article = ArticleFactory(status=ArticleStatus.DRAFT)
    BlockFactory(article=article, position=1, kind=Block.Kind.PHOTO, text="", photo=photo)
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(article)))
    assert data["body_text"] == f"【图片#{photo.pk}】原图片说明。"

    data["body_text"] = f"【图片#{photo.pk}】改过的说明。\n\n【图片#99999】"
    response = browser.post(change_url(article), data)

    assert errors(response) == [
        f"第 1 行：图片说明要在图片页修改（图片 #{photo.pk}），这里只显示它；可以只保留【图片#编号】。",
        "第 3 行：图库里没有编号为 99999 的图片。",
    ]


def test_changing_the_text_and_the_block_inlines_at_once_is_refused(editor):
    article = ArticleFactory(status=ArticleStatus.DRAFT)
    block = BlockFactory(article=article, position=1, text="原来的正文。")
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(article)))

    data["body_text"] = "文本框里改的。"
    data[f"blocks-{inline_index(data, 'blocks', block.pk)}-text"] = "正文块里改的。"
    response = browser.post(change_url(article), data)

    assert response.status_code == 200
    assert any("同时改动了" in message for message in errors(response))
    block.refresh_from_db()
    assert block.text == "原来的正文。"


def test_the_block_inlines_still_save_when_the_text_is_left_alone(editor):
    article = ArticleFactory(status=ArticleStatus.DRAFT)
    block = BlockFactory(article=article, position=1, text="原来的正文。")
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(article)))

    data[f"blocks-{inline_index(data, 'blocks', block.pk)}-text"] = "正文块里改的。"
    assert browser.post(change_url(article), data).status_code == 302

    block.refresh_from_db()
    assert block.text == "正文块里改的。"


def test_a_body_saved_from_a_page_opened_before_someone_elses_save_is_refused(editor, chief):
    article = ArticleFactory(status=ArticleStatus.DRAFT)
    BlockFactory(article=article, position=1, text="原来的正文。")
    mine, theirs = logged_in(editor), logged_in(chief)
    my_form = form_data(mine.get(change_url(article)))
    their_form = form_data(theirs.get(change_url(article)))
    their_form["body_text"] = "值班主任改的正文。"
    assert theirs.post(change_url(article), their_form).status_code == 302

    my_form["body_text"] = "编辑改的正文。"
    response = mine.post(change_url(article), my_form)

    assert response.status_code == 200
    assert any("保存未成功" in message for message in errors(response))
    assert [b.text for b in Article.objects.get(pk=article.pk).blocks.all()] == ["值班主任改的正文。"]


def test_a_body_text_cannot_hold_is_offered_read_only_and_a_posted_text_is_ignored(editor):
    article = ArticleFactory(status=ArticleStatus.DRAFT)
    BlockFactory(article=article, position=1, text="第一行\n第二行")
    browser = logged_in(editor)
    soup = page(browser.get(change_url(article)))
    assert soup.find("textarea", attrs={"name": "body_text"}).has_attr("disabled")
    data = form_data(browser.get(change_url(article)))

    data["body_text"] = "想偷偷替换的正文。"
    assert browser.post(change_url(article), data).status_code == 302

    assert [b.text for b in article.blocks.all()] == ["第一行\n第二行"]


def test_a_paragraph_that_looks_like_markup_or_a_speaker_is_written_with_a_marker():
    nodes = read_body("【段落】党建统领\n\n【段落】林国荣：党建统领\n\n【段落】小古城村供图").nodes
    assert [(n.type, n.text) for n in nodes] == [
        ("paragraph", "党建统领"),
        ("paragraph", "林国荣：党建统领"),
        ("paragraph", "小古城村供图"),
    ]
    assert write_body(nodes) == "【段落】党建统领\n\n【段落】林国荣：党建统领\n\n【段落】小古城村供图"
    assert round_trips(nodes)


def test_the_preview_endpoint_renders_the_text_and_counts_it_as_the_api_does(editor):
    article = ArticleFactory(status=ArticleStatus.DRAFT)
    SectionFactory(article=article, speaker_name="林国荣", speaker_title="村党委书记", headline="党建统领")
    text = "导语，2013年起GDP增长12.23%。\n\n村党委书记 林国荣：党建统领\n\n讲述。"
    url = reverse("admin:articles_article_body_preview")

    response = logged_in(editor).post(url, {"text": text})

    data = response.json()
    assert data["errors"] == []
    assert '<p class="paragraph">导语，2013年起GDP增长12.23%。</p>' in data["html"]
    assert '<h4 class="testimony-headline">党建统领</h4>' in data["html"]
    data_form = form_data(logged_in(editor).get(change_url(article)))
    data_form["body_text"] = text
    logged_in(editor).post(change_url(article), data_form)
    saved = Article.objects.prefetch_related("blocks", "sections").get(pk=article.pk)
    assert data["characters"] == saved.character_count == 18
    assert logged_in(editor).get(url).status_code == 405


def test_a_reporter_reads_an_article_they_may_not_edit_as_text(reporter, editor):
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=editor)
    BlockFactory(article=article, position=1, text="别人的正文。")

    soup = page(logged_in(reporter).get(change_url(article)))

    assert soup.find("textarea", attrs={"name": "body_text"}) is None
    assert soup.select_one("pre.body-text-readonly").get_text() == "别人的正文。"


def test_a_new_article_can_be_written_as_text_on_the_add_page(editor):
    issue = ArticleFactory().issue
    browser = logged_in(editor)
    data = form_data(browser.get(reverse("admin:articles_article_add")))
    data |= {
        "issue": str(issue.pk),
        "position": "7",
        "headline": "新稿",
        "body_text": "第一段。\n\n【小标题】小标题\n\n第二段。",
    }

    response = browser.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302, errors(response)
    article = Article.objects.get(headline="新稿")
    assert [(b.kind, b.text) for b in article.blocks.all()] == [
        ("paragraph", "第一段。"),
        ("subheading", "小标题"),
        ("paragraph", "第二段。"),
    ]
    assert article.created_by == editor
