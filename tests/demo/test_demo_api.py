"""What the API delivers for the demo issue, held against the printed seed page."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.exchange.snapshots import public_photos
from tests.seed import corrected_lines, corrected_seed_texts, in_product_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(client):
    call_command("load_demo", verbosity=0)
    response = client.get(reverse("v1:issue-detail", kwargs={"slug": "wo-men-zhe-shi-nian"}))
    assert response.status_code == 200
    return response.json()


def body_texts(nodes: list[dict]) -> list[str]:
    texts = []
    for node in nodes:
        if node["type"] == "testimony":
            texts += [node["headline"], *body_texts(node["body"])]
        elif node["type"] == "photo":
            texts.append(node["photo"]["caption"])
        elif node["type"] in ("paragraph", "subheading"):
            texts.append(node["text"])
    return texts


def delivered_texts(issue: dict) -> list[str]:
    texts = []
    for part in issue["parts"]:
        if part["type"] == "article":
            article = part["article"]
            texts += [t for t in (article["kicker"], article["headline"]) if t]
            texts += body_texts(article["body"])
        elif part["type"] == "photo":
            texts.append(part["photo"]["caption"])
        else:
            texts += [part["timeline"]["title"], *(item["text"] for item in part["timeline"]["items"])]
    return texts


def test_api_delivers_the_corrected_seed_paragraph_by_paragraph(delivered):
    expected = in_product_order(corrected_seed_texts())
    got = delivered_texts(delivered)

    for n, (want, have) in enumerate(zip(expected, got, strict=False)):
        assert have == want, f"text {n} differs"
    assert len(got) == len(expected)


def test_api_delivers_bylines_and_credits_exactly_as_printed(delivered):
    lines = corrected_lines()
    articles = [p["article"] for p in delivered["parts"] if p["type"] == "article"]
    timeline = next(p["timeline"] for p in delivered["parts"] if p["type"] == "timeline")

    assert [a["byline_line"] for a in articles] == [
        "本报记者 沈吟 黄珍珍 王波 通讯员 吴丽珍 共享联盟·福明街道 褚燕玲",
        "本报记者 沈吟",
        "本报记者 沈吟 叶晓梅 梅玲玲 市委报道组 蒋君",
    ]
    assert all(a["byline_line"] in lines for a in articles)
    assert [p["credit"]["line"] for p in public_photos(delivered)] == [
        "本报记者 吕之暹 拍友 周晨磊 摄",
        "小古城村供图",
        "庆元县委组织部供图",
        "福明街供图",
        "拍友 席静 摄",
        "本报记者 王建国 拍友 谭云伟 摄",
    ]
    assert f"（{timeline['credit']['line']}）" == lines[-2]


def test_api_delivers_the_speakers_as_printed(delivered):
    lead = delivered["parts"][0]["article"]
    testimonies = [node for node in lead["body"] if node["type"] == "testimony"]
    # The page prints "TITLE NAME: HEADLINE" on one line; the API keeps the three apart.
    printed = [line.replace("： ", "：") for line in corrected_lines() if "： " in line]

    assert [f"{t['speaker_title']}{t['speaker_name']}：{t['headline']}" for t in testimonies] == printed
    assert [t["speaker_name"] for t in testimonies] == ["林国荣", "吴华", "屈云龙"]


def test_api_delivers_the_structure_of_the_page(delivered, settings):
    parts = delivered["parts"]
    assert delivered["title"] == corrected_lines()[-1]
    assert [p["type"] for p in parts] == ["article", "photo", "photo", "article", "article", "timeline"]
    assert [p["position"] for p in parts] == sorted(p["position"] for p in parts)
    feature = parts[4]["article"]
    assert (feature["kicker"], feature["kind"]) == ("百姓心中的这十年", "feature")
    assert feature["body"][-1] == {"type": "video", "label": "扫一扫 看视频", "url": None}
    items = parts[5]["timeline"]["items"]
    assert [i["date"] for i in items] == [str(year) for year in range(2012, 2023)]
    shen_yin = {
        credit["contributor_id"]
        for part in parts
        if part["type"] == "article"
        for credit in part["article"]["bylines"]
        if credit["name"] == "沈吟"
    }
    assert len(shen_yin) == 1
    for photo in public_photos(delivered):
        # The cleaned rendition, never the original (issue 16, finding 7).
        assert photo["url"].startswith(f"{settings.SITE_URL}/uploads/renditions/")
        assert photo["width"] > 0 and photo["height"] > 0
        assert photo["alt_text"]


def test_demo_issue_is_delivered_in_one_query(client, django_assert_num_queries):
    call_command("load_demo", verbosity=0)

    with django_assert_num_queries(1):
        response = client.get(reverse("v1:issue-detail", kwargs={"slug": "wo-men-zhe-shi-nian"}))

    assert response.status_code == 200
