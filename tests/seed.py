"""The seed page with the copy desk's corrections, worked out here independently of the
demo fixture, so tests can hold the fixture (and the API) against the printed page."""

import re
from pathlib import Path

from articles.typesetting import full_width_punctuation

# A byte-for-byte copy of the newsroom's shared/seeds/000_a4961472c067a0e4.txt, kept in the
# repository so a clone with nothing beside it runs its tests (tests/fixtures/README.md).
SEED_PATH = Path(__file__).resolve().parent / "fixtures" / "seed_000_a4961472c067a0e4.txt"

# Line numbers count the seed's non-empty lines from 0, as the newsroom's special-report
# notes (shared/special-report.md, not part of this repository) do.
BROKEN_PARAGRAPHS = (10, 22, 38)  # each continues on the following line
DUPLICATED_LINE = 42
DUPLICATE_STARTS_AFTER = "还有的办起"  # the rest of line 42 repeats the tail of line 38

CREDIT_LINE = re.compile(r"^（?(本报记者|拍友) |供图$")
SPEAKER_LINE = re.compile(r"^[^。，,]+[:：]\s*(?P<headline>[^。]+)$")
TIMELINE_YEAR = re.compile(r"^\d{4}年$")
VIDEO_PROMPT = "扫一扫 看视频"
PAGE_PHOTO_CAPTIONS = ("建德市洋溪街道", "长兴县实满镇")


def seed_lines() -> list[str]:
    """The seed's non-empty lines, raw."""
    return [line.strip() for line in SEED_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


def corrected_lines() -> list[str]:
    """Non-empty lines with the print defects repaired: broken paragraphs joined (the
    continuation line disappears), the duplicated fragment cut, punctuation full-width."""
    lines: list[str | None] = list(seed_lines())
    duplicated = lines[DUPLICATED_LINE]
    lines[DUPLICATED_LINE] = duplicated[
        : duplicated.index(DUPLICATE_STARTS_AFTER) + len(DUPLICATE_STARTS_AFTER)
    ]
    for first in BROKEN_PARAGRAPHS:
        lines[first] += lines[first + 1]
        lines[first + 1] = None
    return [full_width_punctuation(line) for line in lines if line is not None]


def corrected_seed_texts() -> list[str]:
    """Every text a reader reads on the corrected page, one string each, in seed order.

    Returned, corrected (joined paragraphs, duplicated fragment cut, full-width
    punctuation), in the seed's line order:

    - the article headlines (勇担使命，守好红色根脉 / 怀「赶考」之心 答时代之卷 /
      山货触网 农户生活更红火) and the feature's kicker (百姓心中的这十年);
    - every body paragraph: the lead paragraph, the testimonies', the commentary's and
      the feature's;
    - every photo caption (six: 南湖, the three testimony photos, the two page photos);
    - each testimony's section headline: the part of the speaker line after the colon
      (党建统领，乡村焕发新活力 …), without the speaker's title and name;
    - the timeline title (浙江党建工作大事记) and each timeline entry's text.

    Left out: bylines and photo credits (本报记者 …, 拍友 … 摄, …供图, (本报记者 沈吟 整理)),
    the speakers' titles and names, the timeline's year labels (2012年 …; they are the
    items' dates), the video prompt 扫一扫 看视频 and the last line, the running title
    我们这十年·来自浙江基层的报告 (delivered as the issue's title, not as a part).

    71 strings. Seed order is not the product's reading order in one respect: the two
    page photos (seed lines 29–32, captions 建德市洋溪街道… and 长兴县实满镇…) sit inside
    the second testimony's column here, whereas the product places them as issue parts
    right after the lead article, i.e. just before the commentary headline.
    """
    lines = corrected_lines()
    body, running_title = lines[:-1], lines[-1]
    assert running_title == "我们这十年·来自浙江基层的报告", running_title
    texts = []
    for line in body:
        if CREDIT_LINE.search(line) or TIMELINE_YEAR.match(line) or line == VIDEO_PROMPT:
            continue
        speaker = SPEAKER_LINE.match(line)
        texts.append(speaker["headline"].strip() if speaker else line)
    return texts


def in_product_order(seed_texts: list[str]) -> list[str]:
    """Seed order, with the two page photos moved to just after the lead article."""
    page_captions = [t for t in seed_texts if t.startswith(PAGE_PHOTO_CAPTIONS)]
    rest = [t for t in seed_texts if t not in page_captions]
    commentary = rest.index("怀「赶考」之心 答时代之卷")
    return rest[:commentary] + page_captions + rest[commentary:]
