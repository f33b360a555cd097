import datetime as dt
import re
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from articles.demo.loader import FIXTURE, load_issue, read_fixture
from articles.models import (
    Article,
    Block,
    Byline,
    Contributor,
    Issue,
    IssuePhoto,
    Publication,
    Section,
    Timeline,
    TimelineItem,
)
from articles.workflow import ArticleStatus, IssueStatus
from media.credits import CreditAction
from media.models import Photo, PhotoCredit
from tests.seed import corrected_seed_texts, in_product_order

pytestmark = pytest.mark.django_db

ASCII_PUNCTUATION = re.compile(r"[,:;!?()]")


def load_demo(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def demo_issue() -> Issue:
    return Issue.objects.get(slug="wo-men-zhe-shi-nian")


def product_texts(issue: Issue) -> list[str]:
    """The issue's texts in the product's reading order, the way corrected_seed_texts() picks them."""
    parts = [(a.position, a) for a in issue.articles.all()]
    parts += [(p.position, p) for p in issue.issue_photos.all()]
    parts += [(t.position, t) for t in issue.timelines.all()]
    texts = []
    for _, part in sorted(parts, key=lambda pair: pair[0]):
        if isinstance(part, Article):
            texts += [t for t in (part.kicker, part.headline) if t]
            texts += article_texts(part)
        elif isinstance(part, IssuePhoto):
            texts.append(part.photo.caption)
        else:
            texts += [part.title, *part.items.values_list("text", flat=True)]
    return texts


def article_texts(article: Article) -> list[str]:
    texts = []
    for node in article.body():
        section, blocks = node if isinstance(node, tuple) else (None, [node])
        if section:
            texts.append(section.headline)
        for block in blocks:
            if block.kind == Block.Kind.PHOTO:
                texts.append(block.photo.caption)
            elif block.kind in Block.TEXT_KINDS:
                texts.append(block.text)
    return texts


def test_load_demo_twice_keeps_one_issue_and_one_shen_yin():
    assert "已载入演示专题" in load_demo()
    assert "left unchanged" in load_demo()

    assert Issue.objects.count() == 1
    shen_yin = Contributor.objects.get(name="沈吟")
    assert shen_yin.kind == Contributor.Kind.PERSON
    assert Byline.objects.filter(contributor=shen_yin, article__isnull=False).count() == 3
    assert Byline.objects.filter(contributor=shen_yin, timeline__isnull=False).count() == 1
    assert Contributor.objects.filter(name="沈吟").count() == 1


def test_demo_counts():
    load_demo()
    issue = demo_issue()
    assert issue.articles.count() == 3
    assert Section.objects.filter(article__issue=issue).count() == 3
    # Six captions on the page: 南湖, one per testimony, and the two page photos.
    assert Photo.objects.count() == 6
    assert issue.issue_photos.count() == 2
    assert TimelineItem.objects.filter(timeline__issue=issue).count() == 11


def test_demo_issue_is_published_on_the_morning_of_its_date():
    load_demo()
    issue = demo_issue()
    assert issue.status == IssueStatus.PUBLISHED
    assert issue.published_at == dt.datetime(2022, 6, 20, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert set(issue.articles.values_list("status", flat=True)) == {ArticleStatus.PUBLISHED}
    assert Publication.objects.live().filter(issue=issue).exists()


def test_parts_share_one_position_sequence_in_reading_order():
    load_demo()
    issue = demo_issue()
    parts = [(a.position, a.headline) for a in issue.articles.all()]
    parts += [(p.position, "photo") for p in issue.issue_photos.all()]
    parts += [(t.position, t.title) for t in issue.timelines.all()]
    assert sorted(parts) == [
        (1, "勇担使命，守好红色根脉"),
        (2, "photo"),
        (3, "photo"),
        (4, "怀「赶考」之心 答时代之卷"),
        (5, "山货触网 农户生活更红火"),
        (6, "浙江党建工作大事记"),
    ]


def test_testimony_blocks_are_consecutive_within_one_position_space():
    load_demo()
    lead = Article.objects.get(headline="勇担使命，守好红色根脉")
    blocks = list(lead.blocks.order_by("position"))
    assert [b.position for b in blocks] == list(range(1, len(blocks) + 1))
    section_runs = [b.section_id for b in blocks if b.section_id]
    # Each section's blocks form one run: the run count equals the section count.
    runs = [s for i, s in enumerate(section_runs) if i == 0 or section_runs[i - 1] != s]
    assert len(runs) == len(set(runs)) == 3
    first, second, third = lead.sections.order_by("id")
    assert (first.speaker_title, first.speaker_name, first.headline) == (
        "余杭区小古城村党委书记、村委会主任",
        "林国荣",
        "党建统领，乡村焕发新活力",
    )
    assert (second.speaker_name, third.speaker_name) == ("吴华", "屈云龙")


def test_bylines_and_credits_are_structured():
    load_demo()
    lead = Article.objects.get(headline="勇担使命，守好红色根脉")
    assert lead.byline_line == "本报记者 沈吟 黄珍珍 王波 通讯员 吴丽珍 共享联盟·福明街道 褚燕玲"
    feature = Article.objects.get(headline="山货触网 农户生活更红火")
    assert feature.kicker == "百姓心中的这十年"
    assert feature.byline_line == "本报记者 沈吟 叶晓梅 梅玲玲 市委报道组 蒋君"
    nanhu = Photo.objects.get(caption__startswith="在嘉兴南湖")
    assert nanhu.credit_line == "本报记者 吕之暹 拍友 周晨磊 摄"
    courtesy = Photo.objects.get(caption__startswith="通过党建统领")
    assert courtesy.credit_action == CreditAction.COURTESY
    assert courtesy.credit_line == "小古城村供图"
    assert courtesy.credits.get().contributor.kind == Contributor.Kind.ORGANISATION
    assert Timeline.objects.get().credit_line == "本报记者 沈吟 整理"
    assert PhotoCredit.objects.filter(role="", contributor__kind=Contributor.Kind.ORGANISATION).count() == 3


def test_photos_are_real_images_with_dimensions(settings):
    load_demo()
    for photo in Photo.objects.all():
        assert (photo.width, photo.height) == (1600, 1067)
        assert photo.alt_text
        path = Path(photo.image.path)
        assert path.is_file()
        assert Path(settings.MEDIA_ROOT) in path.parents


def test_corrections_are_applied():
    load_demo()
    texts = list(Block.objects.filter(kind=Block.Kind.PARAGRAPH).values_list("text", flat=True))
    # Paragraphs broken across columns are whole again.
    assert any("以“党建+”工作方式为抓手，" in t for t in texts)
    assert any("发挥作用明显。" in t for t in texts)
    assert any(t.endswith("这个过程起码要几个月。") for t in texts)
    assert not any(t.startswith(("为抓手", "明显。", "几个月")) for t in texts)
    # The fragment repeated from the 楼宇大脑 paragraph is cut right after 还有的办起.
    closing = Block.objects.get(text__startswith="朝夕相处间")
    assert closing.text.endswith("还有的办起")
    assert sum("社工让他在“楼宇大脑”前坐下来" in t for t in texts) == 1
    # Full-width punctuation in Chinese text; digits such as 12.23% untouched.
    assert not any(ASCII_PUNCTUATION.search(t) for t in texts)
    assert not ASCII_PUNCTUATION.search("".join(Article.objects.values_list("headline", flat=True)))
    assert TimelineItem.objects.filter(text__contains="从12.23%提高到98.43%").exists()


def test_demo_matches_the_corrected_seed_in_reading_order():
    load_demo()
    assert product_texts(demo_issue()) == in_product_order(corrected_seed_texts())


def test_corrected_seed_texts_are_documented_size():
    assert len(corrected_seed_texts()) == 71


def test_existing_demo_issue_is_left_untouched():
    load_demo()
    issue = demo_issue()
    issue.title = "编辑改过的标题"
    issue.save()

    load_demo()

    assert demo_issue().title == "编辑改过的标题"


def test_reset_recreates_the_issue_and_drops_its_photos(django_capture_on_commit_callbacks):
    load_demo()
    old = demo_issue()
    old.title = "编辑改过的标题"
    old.save()
    old_files = [Path(p.image.path) for p in Photo.objects.all()]

    # Old image files are removed only once the deletion is committed.
    with django_capture_on_commit_callbacks(execute=True):
        out = load_demo("--reset")

    assert "已重建演示专题" in out
    new = demo_issue()
    assert new.pk != old.pk
    assert new.title == "我们这十年·来自浙江基层的报告"
    assert Issue.objects.count() == 1
    assert Photo.objects.count() == 6
    assert Contributor.objects.filter(name="沈吟").count() == 1
    assert not any(path.exists() for path in old_files)


def test_load_issue_as_draft_leaves_everything_unpublished():
    data = read_fixture(FIXTURE)
    data["issue"]["slug"] = "draft-copy"
    issue = load_issue(data, publish=False)
    assert issue.status == IssueStatus.DRAFT
    assert issue.published_at is None
    assert set(issue.articles.values_list("status", flat=True)) == {ArticleStatus.DRAFT}
    assert not Publication.objects.exists()


def test_invalid_content_is_refused_and_leaves_no_rows_or_files(settings):
    data = read_fixture(FIXTURE)
    feature_body = data["parts"][4]["body"]
    feature_body.append({"type": "paragraph", "text": "<p>粘贴进来的网页</p>"})

    with pytest.raises(ValidationError) as excinfo:
        load_issue(data, publish=True)

    assert "text" in excinfo.value.message_dict
    assert not Issue.objects.exists()
    assert not Photo.objects.exists()
    uploads = Path(settings.MEDIA_ROOT)
    assert not [p for p in uploads.rglob("*") if p.is_file()]
