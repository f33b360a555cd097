"""The manuscript grammar, line by line: pure text in, structure out, no database.

Besides the seed page, other papers' ways of writing the same things: other caption and
credit forms, subtitles opened by ——, section heads with no speaker, bylines in
brackets, datelines; and lines it cannot place, kept with their numbers."""

import datetime as dt

import pytest

from articles.copydesk import grammar, shapes
from articles.copydesk.credits import CreditDraft, read_credits, trailing_credit
from articles.copydesk.desk import read_manuscript
from articles.copydesk.draft import ArticleDraft, Paragraph, PhotoSlot, Subheading, TimelineDraft, Video
from articles.copydesk.draft import Testimony as Section
from articles.copydesk.lines import Join, Replace, apply, read_lines
from tests.seed import SEED_PATH


def page(text: str):
    return read_manuscript(text).page


# --- One line on its own ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("勇担使命,守好红色根脉", shapes.HEADING),
        ("本报记者 沈吟 黄珍珍 王波 通讯员 吴丽珍 共享联盟·福明街道 褚燕玲", shapes.BYLINE_LINE),
        ("（记者 张三 通讯员 李四）", shapes.BYLINE_LINE),
        ("本报记者 吕之暹 拍友 周晨磊 摄", shapes.CREDIT_LINE),
        ("小古城村供图", shapes.CREDIT_LINE),
        ("（图片由浙江省文化和旅游厅提供）", shapes.CREDIT_LINE),
        ("（资料图片）", shapes.CREDIT_LINE),
        ("新华社记者 张三 摄", shapes.CREDIT_LINE),
        ("（本报记者 沈吟 整理）", shapes.COMPILED_LINE),
        ("余杭区小古城村党委书记、村委会主任林国荣: 党建统领,乡村焕发新活力", shapes.SPEAKER_LINE),
        ("2012年", shapes.DATE),
        ("2022年10月16日", shapes.DATE),
        ("2022-10", shapes.DATE),
        ("扫一扫 看视频", shapes.VIDEO_LINE),
        ("扫码观看视频 https://v.example.cn/1", shapes.VIDEO_LINE),
        ("本报杭州6月20日电", shapes.DATELINE_LINE),
        ("在嘉兴南湖，党员群众重温党的历史。（新华社记者 张三 摄）", shapes.CAPTIONED),
        ("在嘉兴南湖，党员群众重温党的历史。 记者 张三 摄", shapes.CAPTIONED),
        ("2005年1月4日,时任浙江省委书记的习近平同志来小古城村考察调研。", shapes.TEXT),
        ("2013年起担任村党委书记", shapes.HEADING),  # a date at the head of a phrase is no date line
        ("记者了解到：今年以来，全省各地积极推进", shapes.HEADING),  # no speaker: 了 is no name
        ("【小标题】党建统领", shapes.MARKER),
        ("【编者按】这是一段编者按。", shapes.TEXT),
    ],
)
def test_each_line_is_recognised_by_itself(line, kind):
    assert shapes.shape(line).kind == kind


@pytest.mark.parametrize(
    ("head", "split"),
    [
        ("余杭区小古城村党委书记、村委会主任林国荣", ("余杭区小古城村党委书记、村委会主任", "林国荣", False)),
        ("庆元县安南乡党委书记吴华", ("庆元县安南乡党委书记", "吴华", False)),
        ("鄞州区福明街道荆城楼宇社区党委书记屈云龙", ("鄞州区福明街道荆城楼宇社区党委书记", "屈云龙", False)),
        ("江山市清湖街道 清泉村党委书记 吴奇华", ("江山市清湖街道 清泉村党委书记", "吴奇华", False)),
        ("林国荣", ("", "林国荣", False)),
        ("记者了解到", None),
    ],
)
def test_a_speaker_head_splits_into_title_and_name(head, split):
    assert shapes.split_speaker(head) == split


def test_credit_lines_name_every_contributor_with_role_and_organisation():
    byline = read_credits("本报记者 沈吟 黄珍珍 通讯员 吴丽珍 共享联盟·福明街道 褚燕玲")
    assert byline.action == "" and byline.unknown_roles == ()
    assert byline.credits == (
        CreditDraft("沈吟", "staff_reporter"),
        CreditDraft("黄珍珍", "staff_reporter"),
        CreditDraft("吴丽珍", "correspondent"),
        CreditDraft("褚燕玲", "media_alliance", "福明街道"),
    )
    courtesy = read_credits("（图片由浙江省文旅厅提供）")
    assert (courtesy.action, courtesy.credits) == (
        "courtesy",
        (CreditDraft("浙江省文旅厅", kind="organisation"),),
    )
    assert read_credits("（资料图片）").file_photo
    # A role outside the vocabulary is kept as printed (the organisation slot), and named.
    xinhua = read_credits("新华社记者张三摄")
    assert xinhua.credits == (CreditDraft("张三", "", "新华社记者"),) and xinhua.unknown_roles == (
        "新华社记者",
    )
    assert read_credits("山货触网 农户生活更红火") is None
    assert read_credits("党建统领 乡村振兴") is None  # names without a role are no byline


def test_a_caption_may_carry_its_credit_at_its_end():
    caption, credits = trailing_credit("村民在直播间里推介猕猴桃。（记者 张三 摄）")
    assert caption == "村民在直播间里推介猕猴桃。"
    assert credits.credits == (CreditDraft("张三", "", "记者"),)
    assert trailing_credit("村（社区）组织换届工作圆满完成。") is None


# --- Edits keep line numbers -----------------------------------------------------------------


def test_edits_keep_the_original_line_numbers_and_joined_lines_say_where_they_went():
    source = read_lines("\n第一段前半\n\n后半。\n第二段,有逗号。\n")
    assert [line.number for line in source] == [1, 2, 3, 4, 5]

    lines, skipped = apply(
        source, [Join(4, 2), Replace(5, 3, 4, "，"), Replace(5, 0, 3, ""), Replace(5, 1, 2, "x")]
    )

    assert [(line.number, line.text, line.joined) for line in lines] == [
        (2, "第一段前半后半。", [4]),
        (5, "，有逗号。", []),
    ]
    assert skipped == [Replace(5, 1, 2, "x")]  # inside a passage already deleted


# --- Whole pages ----------------------------------------------------------------------------


def test_the_seed_page_reads_into_the_demo_structure():
    reading = read_manuscript(SEED_PATH.read_text(encoding="utf-8"), accept_all=True)
    parts = reading.page.parts

    assert reading.page.title == "我们这十年·来自浙江基层的报告"
    assert [type(p).__name__ for p in parts] == [
        "ArticleDraft",
        "PhotoSlot",
        "PhotoSlot",
        "ArticleDraft",
        "ArticleDraft",
        "TimelineDraft",
    ]
    lead, commentary, feature = parts[0], parts[3], parts[4]
    assert [lead.kind, commentary.kind, feature.kind] == ["report", "commentary", "feature"]
    assert [n.speaker_name for n in lead.body if isinstance(n, Section)] == ["林国荣", "吴华", "屈云龙"]
    assert feature.kicker == "百姓心中的这十年" and feature.body[-1] == Video("扫一扫 看视频", "")
    timeline = parts[5]
    assert [item.date for item in timeline.items] == [dt.date(year, 1, 1) for year in range(2012, 2023)]
    assert {item.precision for item in timeline.items} == {"year"}
    assert reading.page.unplaced == []
    # Every line of the page went somewhere.
    assert grammar.UNPLACED not in {row.element for row in reading.rows()}


def test_kicker_headline_and_a_subtitle_opened_by_a_dash():
    text = "\n".join(
        [
            "百姓心中的这十年",
            "山货触网 农户生活更红火",
            "——江山市清泉村的电商路",
            "本报记者 沈吟",
            "清泉村是江山市最大的下山坞迁安置新村。",
            "",
            "山区共富路",
            "——记一位村支书",
            "（本报记者 叶晓梅）",
            "他在村里干了三十年。",
        ]
    )
    first, second = page(text).articles()

    assert (first.kicker, first.headline, first.subheadline) == (
        "百姓心中的这十年",
        "山货触网 农户生活更红火",
        "江山市清泉村的电商路",
    )
    assert (second.kicker, second.headline, second.subheadline) == ("", "山区共富路", "记一位村支书")
    assert second.bylines == (CreditDraft("叶晓梅", "staff_reporter"),)


def test_a_dateline_heads_the_first_paragraph_and_its_bracketed_byline_goes_under_the_headline():
    text = "浙江推进基层治理\n本报杭州6月20日电（记者 张三 通讯员 李四）\n今年以来，全省各地积极推进基层治理。\n第二段。"
    article = page(text).articles()[0]

    assert article.bylines == (CreditDraft("张三", "", "记者"), CreditDraft("李四", "correspondent"))
    assert article.body[0] == Paragraph("本报杭州6月20日电\u3000今年以来，全省各地积极推进基层治理。")
    assert article.kind == "news"


def test_other_papers_caption_forms_become_photo_slots():
    text = "\n".join(
        [
            "乡村新貌",
            "本报记者 沈吟",
            "村里新修了文化礼堂。",
            "文化礼堂里正在排练越剧。（图片由嵊州市文旅局提供）",
            "老街改造前的样子。",
            "（资料图片）",
            "游客在古村落里拍照。 记者 张三 摄",
            "清晨的梯田。",
            "新华社记者 王五 摄",
        ]
    )
    article = page(text).articles()[0]
    photos = [node for node in article.body if isinstance(node, PhotoSlot)]

    assert [(p.caption, p.credit_action, [c.name for c in p.credits]) for p in photos] == [
        ("文化礼堂里正在排练越剧。", "courtesy", ["嵊州市文旅局"]),
        ("老街改造前的样子。", "courtesy", []),
        ("游客在古村落里拍照。", "photographed", ["张三"]),
        ("清晨的梯田。", "photographed", ["王五"]),
    ]
    assert photos[1].file_photo


def test_a_section_head_with_no_speaker_is_a_subheading_and_a_speaker_without_title_is_kept():
    text = "\n".join(
        [
            "山区共富路",
            "本报记者 沈吟",
            "导语。",
            "产业兴旺",
            "村里办起了合作社。",
            "林国荣：我们一起富",
            "我是土生土长的村里人。",
        ]
    )
    article = page(text).articles()[0]

    assert article.body[:3] == [Paragraph("导语。"), Subheading("产业兴旺"), Paragraph("村里办起了合作社。")]
    assert article.body[3] == Section("林国荣", "", "我们一起富", [Paragraph("我是土生土长的村里人。")])


def test_lines_it_cannot_place_stay_visible_with_their_numbers():
    text = "\n".join(
        [
            "这是一段没有标题的文字。",  # 1: before any headline
            "",
            "乡村新貌",
            "本报记者 沈吟",
            "第一段。",
            "拍友 席静 摄",  # 6: makes line 5 a caption
            "2019年",  # 7: a date outside a timeline
        ]
    )
    reading = read_manuscript(text)
    rows = {row.number: row.element for row in reading.rows()}

    assert rows[1] == grammar.UNPLACED and rows[7] == grammar.UNPLACED
    assert [u.number for u in reading.page.unplaced] == [1, 7]
    # "第一段。" above a credit line is a caption: the pair is a photo slot.
    assert (rows[5], rows[6]) == (grammar.CAPTION, grammar.CREDIT)
    assert {q.id for q in reading.questions} >= {"unplaced-1", "unplaced-7"}


@pytest.mark.parametrize(
    ("typed", "date", "precision"),
    [
        ("2022年", dt.date(2022, 1, 1), "year"),
        ("2022年10月", dt.date(2022, 10, 1), "month"),
        ("2022年10月16日", dt.date(2022, 10, 16), "day"),
        ("2022-10", dt.date(2022, 10, 1), "month"),
        ("2022.10.16 中共浙江省第十五次代表大会召开。", dt.date(2022, 10, 16), "day"),
    ],
)
def test_timeline_dates_as_printed(typed, date, precision):
    timeline = page(f"大事记\n{typed}\n一件大事。").parts[0]

    assert isinstance(timeline, TimelineDraft)
    assert (timeline.items[0].date, timeline.items[0].precision) == (date, precision)


def test_a_page_without_series_title_and_a_marked_one():
    assert page("乡村新貌\n本报记者 沈吟\n第一段。").title == ""
    marked = page("【专题】我们这十年\n乡村新貌\n本报记者 沈吟\n第一段。")
    assert marked.title == "我们这十年" and marked.articles()[0].headline == "乡村新貌"


def test_markers_settle_kind_and_page_photos():
    text = "\n".join(
        [
            "乡村新貌",
            "本报记者 沈吟",
            "【体裁】评论",
            "第一段。",
            "【版面图片】清晨的梯田。",
            "拍友 席静 摄",
            "第二段。",
        ]
    )
    reading = read_manuscript(text)
    article, photo = reading.page.parts

    assert isinstance(article, ArticleDraft) and article.kind == "commentary"
    assert [n.text for n in article.body] == ["第一段。", "第二段。"]
    assert isinstance(photo, PhotoSlot) and photo.page and photo.caption == "清晨的梯田。"
