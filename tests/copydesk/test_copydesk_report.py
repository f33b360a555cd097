"""The copy-editing report: the seed's known defects found where tests/seed.py says they
are, each with a fix that brings the text to the corrected edition; and manuscripts the
desk must not mangle."""

import pytest

from articles.copydesk.desk import read_manuscript
from articles.copydesk.lines import Join, Replace
from tests.seed import BROKEN_PARAGRAPHS, DUPLICATE_STARTS_AFTER, DUPLICATED_LINE, SEED_PATH, corrected_lines

SEED = SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed():
    return read_manuscript(SEED)


def physical(seed_reading, index: int) -> int:
    """The file line number of the seed's non-empty line `index` (counted from 0)."""
    return [line.number for line in seed_reading.source if line.text][index]


def test_the_report_lists_the_three_broken_paragraphs_of_the_seed(seed):
    joins = [f for f in seed.fixes if f.category == "断段"]

    assert [(f.line, f.edits) for f in joins] == [
        (physical(seed, first), (Join(physical(seed, first + 1), physical(seed, first)),))
        for first in BROKEN_PARAGRAPHS
    ]
    assert [f.where for f in joins] == ["第 27–29 行", "第 53–55 行", "第 93–95 行"]


def test_the_report_lists_the_duplicated_fragment_at_the_end_of_line_42(seed):
    (duplicate,) = [f for f in seed.fixes if f.category == "重复"]
    line = seed.source[physical(seed, DUPLICATED_LINE) - 1]

    assert duplicate.line == line.number == physical(seed, DUPLICATED_LINE)
    (edit,) = duplicate.edits
    assert edit == Replace(
        line.number, line.text.index(DUPLICATE_STARTS_AFTER) + len(DUPLICATE_STARTS_AFTER), len(line.text), ""
    )
    assert duplicate.message.startswith("末尾“产业环境,想在这里“") and "与第 93 行重复" in duplicate.message


def test_the_cut_off_paragraph_is_a_question_for_the_reporter_after_the_fixes():
    reading = read_manuscript(SEED, accept_all=True)

    (cut,) = [q for q in reading.questions if q.category == "断句"]
    assert cut.line == 101 and not cut.fixable
    assert "还有的办起" in cut.message


def test_accepting_every_fix_gives_the_corrected_edition_line_for_line():
    reading = read_manuscript(SEED, accept_all=True)

    # Speaker lines lose the space after their colon, which the corrected edition keeps
    # only because it never prints that line as it is.
    assert [line.text for line in reading.lines if not line.text.startswith("【版面图片】")] == [
        text.replace("： ", "：") for text in corrected_lines() if not text.startswith(("建德市", "长兴县"))
    ]
    assert reading.skipped == [e for e in reading.skipped if isinstance(e, Replace) and e.line == 101]


def test_the_seed_report_has_nothing_else_to_fix_or_ask(seed):
    categories = {f.category for f in seed.findings}
    assert categories == {"标点", "断段", "重复", "版面图片", "断句", "体裁"}
    assert sum(f.category == "标点" for f in seed.fixes) == 65


def finding_categories(text: str) -> list[tuple[str, int]]:
    return [(f.category, f.line) for f in read_manuscript(text).findings if f.category != "体裁"]


def test_english_numbers_urls_and_a_heading_without_punctuation_are_not_mangled():
    text = "\n".join(
        [
            "GDP增长的背后",  # 1 headline: no closing punctuation, and rightly so
            "本报记者 沈吟",
            "今年一季度，全省GDP增长12.23%，带动3,000人就业。",
            "数字经济",  # 4: a subheading: ends without punctuation, is not joined
            "详情见https://zj.gov.cn/a,b?x=1，或写信至 news@example.cn。",
            "The report says: growth is steady, isn't it?",
        ]
    )
    reading = read_manuscript(text, accept_all=True)

    assert finding_categories(text) == []
    article = reading.page.articles()[0]
    assert article.headline == "GDP增长的背后"
    assert [(n.type, n.text) for n in article.body] == [
        ("paragraph", "今年一季度，全省GDP增长12.23%，带动3,000人就业。"),
        ("subheading", "数字经济"),
        ("paragraph", "详情见https://zj.gov.cn/a,b?x=1，或写信至 news@example.cn。"),
        ("paragraph", "The report says: growth is steady, isn't it?"),
    ]


def test_an_unknown_role_a_speaker_without_title_and_a_caption_without_credit_are_flagged():
    text = "\n".join(
        [
            "山区共富路",
            "特约撰稿人 张三 本报记者 沈吟",  # 2
            "林国荣：我们一起富起来",  # 3
            "我是土生土长的村里人。",
            "【图片】村民在直播间推介猕猴桃。",  # 5
            "老街改造前的样子。",  # 6
            "（资料图片）",
            "村里的路修到了家门口，可是",  # 8: cut off, a caption follows
            "新修的村道。",
            "新华社记者 王五 摄",  # 10
        ]
    )
    questions = {(q.category, q.line): q.message for q in read_manuscript(text).questions}

    assert questions[("署名身份", 2)].startswith("署名身份“特约撰稿人”不在署名词表中")
    assert questions[("署名身份", 10)].startswith("署名身份“新华社记者”不在署名词表中")
    assert questions[("讲述人", 3)] == "讲述人“林国荣”没有身份（如“…村党委书记”）：请记者补上"
    assert questions[("图片署名", 5)].startswith("图片“村民在直播间推介猕猴桃。…”没有署名")
    assert questions[("图片署名", 6)] == "资料图片没有注明来源：请补上摄影者或供图单位"
    assert ("断句", 8) in questions
    # The unknown role is printed as written, never turned into a known one.
    article = read_manuscript(text).page.articles()[0]
    assert [(c.name, c.role, c.organisation) for c in article.bylines] == [
        ("张三", "", "特约撰稿人"),
        ("沈吟", "staff_reporter", ""),
    ]


def test_a_legitimate_repetition_is_no_duplicate():
    text = "\n".join(
        [
            "标题",
            "本报记者 沈吟",
            "村里形成了“众人的事情由众人商量”的民主协商模式。",
            "通过党建统领，小古城村形成了“众人的事情由众人商量”的民主协商模式。",
        ]
    )
    assert [f for f in read_manuscript(text).fixes if f.category == "重复"] == []
