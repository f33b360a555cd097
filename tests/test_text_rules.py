"""Pure newsroom text rules: punctuation, 字数, pinyin slugs, printed credit lines."""

import re
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles import typesetting
from articles.models import Article, Issue
from articles.slugs import pinyin_slug, unique_slug
from articles.typesetting import count_characters, full_width_punctuation
from media.credits import CreditAction, credit_line, role_label

from .factories import ArticleFactory, IssueFactory


@pytest.mark.parametrize(
    ("raw", "typeset"),
    [
        ("为什么两省要跨省联建?党的十八大以来", "为什么两省要跨省联建？党的十八大以来"),
        ("省委十四届三次全体(扩大)会议", "省委十四届三次全体（扩大）会议"),
        ("林国荣: 党建统领,乡村焕发新活力!", "林国荣： 党建统领，乡村焕发新活力！"),
        ("傍晚;白天", "傍晚；白天"),
    ],
)
def test_ascii_punctuation_becomes_full_width(raw, typeset):
    assert full_width_punctuation(raw) == typeset


def test_numbers_keep_their_ascii_separators():
    assert full_width_punctuation("从12.23%提高到98.43%,共1,000人,9:30开会") == (
        "从12.23%提高到98.43%，共1,000人，9:30开会"
    )


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("党建统领，乡村焕发新活力", 12),
        ("2013年起", 3),  # 2013 is one word, 年 and 起 one each
        ("“一肩挑”率从12.23%提高到98.43%。", 13),  # quotes and 。 count, each number once
        ("GDP 增长", 3),
        ("", 0),
    ],
)
def test_characters_are_counted_the_way_editors_count(text, count):
    assert count_characters(text) == count


@given(st.text(alphabet="党建统领乡村𠀀，。“”—…·「A9.%-/ \n", max_size=60))
def test_counting_by_runs_equals_one_count_per_character_and_word(text):
    # The definition, written the slow way: one match per Han character or mark, one per
    # Latin word, left to right.
    one_by_one = re.compile(
        "|".join(
            kind.pattern for kind in (typesetting._CJK, typesetting._CJK_PUNCTUATION, typesetting._LATIN_WORD)
        )
    )
    assert count_characters(text) == len(one_by_one.findall(text))


def test_pinyin_slug_reads_the_title_aloud():
    assert pinyin_slug("勇担使命，守好红色根脉") == "yong-dan-shi-ming-shou-hao-hong-se-gen-mai"
    assert pinyin_slug("长兴县实满镇") == "chang-xing-xian-shi-man-zhen"  # 长 as in the place name
    assert pinyin_slug("怀「赶考」之心 答时代之卷") == "huai-gan-kao-zhi-xin-da-shi-dai-zhi-juan"
    assert pinyin_slug("我们这十年·来自浙江基层的报告" * 5).count("-") < 40


@pytest.mark.django_db
def test_unique_slug_numbers_a_taken_slug():
    IssueFactory(slug="wo-men-zhe-shi-nian")
    IssueFactory(slug="wo-men-zhe-shi-nian-2")

    assert unique_slug(Issue, "我们这十年") == "wo-men-zhe-shi-nian-3"


@pytest.mark.django_db
def test_blank_slug_is_filled_from_the_headline_on_validation():
    article = ArticleFactory.build(issue=IssueFactory(), slug="", headline="山货触网 农户生活更红火")

    article.full_clean()

    assert article.slug == "shan-huo-chu-wang-nong-hu-sheng-huo-geng-hong-huo"
    article.save()
    twin = Article(issue=article.issue, headline=article.headline, position=2)
    twin.full_clean()
    assert twin.slug == f"{article.slug}-2"


def credit(name, role="", organisation=""):
    return SimpleNamespace(contributor=SimpleNamespace(name=name), role=role, organisation=organisation)


def test_credit_line_groups_names_under_their_role_as_printed():
    credits = [
        credit("沈吟", "staff_reporter"),
        credit("黄珍珍", "staff_reporter"),
        credit("吴丽珍", "correspondent"),
        credit("褚燕玲", "media_alliance", "福明街道"),
    ]
    assert credit_line(credits) == "本报记者 沈吟 黄珍珍 通讯员 吴丽珍 共享联盟·福明街道 褚燕玲"


def test_credit_line_prints_the_credit_action():
    photographers = [credit("王建国", "staff_reporter"), credit("谭云伟", "reader_photographer")]
    assert credit_line(photographers, CreditAction.PHOTOGRAPHED) == "本报记者 王建国 拍友 谭云伟 摄"
    assert credit_line([credit("小古城村")], CreditAction.COURTESY) == "小古城村供图"
    assert credit_line([credit("沈吟", "staff_reporter")], CreditAction.COMPILED) == "本报记者 沈吟 整理"


def test_role_label_names_the_organisation_a_role_speaks_for():
    assert role_label("media_alliance", "福明街道") == "共享联盟·福明街道"
    assert role_label("", "福明街道") == "福明街道"
    assert role_label("city_reporting_group") == "市委报道组"
