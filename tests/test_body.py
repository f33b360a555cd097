"""The body-node vocabulary (articles/body.py): one walk that every reader of a body shares."""

from articles import body
from articles.models import Block

BODY = [
    {"type": "paragraph", "text": "开头2013年。"},
    {"type": "photo", "photo": {"id": 1}},
    {
        "type": "testimony",
        "speaker_name": "王",
        "speaker_title": "村民",
        "headline": "那一夜",
        "body": [
            {"type": "subheading", "text": "小标"},
            {"type": "photo", "photo": {"id": 2}},
            {"type": "video", "label": "扫一扫", "url": "https://v.example.cn/1"},
        ],
    },
    {"type": "photo", "photo": {"id": 3}},
]


def test_walk_gives_every_node_in_reading_order_with_its_testimony():
    walked = [(node["type"], testimony and testimony["headline"]) for node, testimony in body.walk(BODY)]
    assert walked == [
        ("paragraph", None),
        ("photo", None),
        ("testimony", None),
        ("subheading", "那一夜"),
        ("photo", "那一夜"),
        ("video", "那一夜"),
        ("photo", None),
    ]


def test_photos_inside_testimonies_keep_the_reading_order():
    assert [photo["id"] for photo in body.photos(BODY)] == [1, 2, 3]
    assert [node["url"] for node in body.of_kind(BODY, body.VIDEO)] == ["https://v.example.cn/1"]


def test_counted_texts_leave_out_captions_speakers_and_video_labels():
    assert body.counted_texts(BODY) == ["开头2013年。", "那一夜", "小标"]
    # 开头 年 。 (4 marks) + "2013" (one run) + 那一夜 (3) + 小标 (2)
    assert body.character_count(body.counted_texts(BODY)) == 10


def test_block_kinds_are_the_models_choices():
    assert dict(Block.Kind.choices) == body.BLOCK_KINDS
    assert tuple(Block.TEXT_KINDS) == body.TEXT_KINDS
