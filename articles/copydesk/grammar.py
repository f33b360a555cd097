"""The manuscript grammar: what each line of a newspaper page is, and the draft it makes.

A page is read line by line, the way a copy editor reads it:

- one to three short lines right above a byline are a new article's headlines: one is the
  headline (主题); two are kicker (引题) and headline, or headline and subheadline (副题)
  when the second opens with ——; three are kicker, headline, subheadline;
- a byline opens with a role (本报记者 …, 共享联盟·X …, （记者 …）); a credit closes with 摄,
  供图 or 整理, or reads 图片由…提供 / 资料图片;
- a line followed by a credit line is a photo caption, the pair a photo slot awaiting its
  image; a caption may carry its credit at its end (…发展。（新华社记者 张三 摄）);
- `TITLE NAME: HEADLINE` opens a first-person testimony (讲述) that runs until the next one
  or the end of the article (or 【讲述结束】);
- a short line without closing punctuation inside a body is a subheading (小标题);
- 扫一扫 看视频 (and its variants) is a video link; 本报杭州6月20日电 is a dateline, printed at
  the head of the first paragraph;
- a short line above a printed date (2012年, 2012年10月, 2012-10-16) opens a timeline
  (大事记): each date opens an item, the lines under it are its text, 整理 credits it;
- a short line alone at the very end of the page is the running series title: the issue.

Explicit markers settle what the text cannot: 【专题】【引题】【主题】【副题】【体裁】【小标题】
【讲述】【讲述结束】【图片】【图片#12】【版面图片】【视频】【大事记】【段落】. The body editor
writes them where plain text would be ambiguous.

Nothing is dropped: a line that fits none of this is returned in `unplaced` with its
number and why. Pure: no database, no Django models.

Here: what a line became (the review's labels) and article bodies (`parse_body`); what a
line is by itself is `shapes`, whole pages `page`.
"""

from dataclasses import dataclass

from .credits import Credits
from .draft import Paragraph, PhotoSlot, Subheading, Testimony, Unplaced, Video
from .lines import Line
from .shapes import (
    BYLINE_LINE,
    CAPTIONED,
    COMPILED_LINE,
    CREDIT_LINE,
    DATE,
    DATELINE_LINE,
    HEADING,
    MARKER,
    SPEAKER_LINE,
    TEXT,
    VIDEO_LINE,
    Shape,
    Speaker,
    read_speaker,
    shape,
    split_url,
)

# What a line became, as the review shows it.
SERIES_TITLE = "专题名称"
KICKER = "引题"
HEADLINE = "主题"
SUBHEADLINE = "副题"
BYLINE = "署名"
KIND = "体裁"
PARAGRAPH = "段落"
SUBHEADING = "小标题"
SPEAKER = "讲述人"
SECTION_END = "讲述结束"
CAPTION = "图片说明"
CAPTION_WITH_CREDIT = "图片说明及署名"
CREDIT = "图片署名"
PAGE_CAPTION = "版面图片说明"
VIDEO = "视频"
DATELINE = "电头"
TIMELINE_TITLE = "大事记标题"
TIMELINE_DATE = "大事记日期"
TIMELINE_TEXT = "大事记条目"
COMPILED = "整理署名"
JOINED = "并入上一段"
UNPLACED = "未能识别"


# --- Article bodies ------------------------------------------------------------------------


@dataclass
class BodyResult:
    nodes: list
    elements: dict[int, str]
    unplaced: list[Unplaced]


EDITOR, PAGE = "editor", "page"

# Lines that are never body, and why, in the desk's words.
_NOT_BODY = {
    CREDIT_LINE: "图片署名前没有图片说明",
    BYLINE_LINE: "正文中间的署名：署名应紧接在标题下面",
    COMPILED_LINE: "“整理”署名只能在大事记下面",
    DATE: "日期行只能出现在大事记里",
}


def parse_body(lines: list[Line], mode: str = EDITOR, shapes: list[Shape] | None = None) -> BodyResult:
    """An article body: paragraphs, subheadings, testimonies, photos, videos.

    In the editor (`mode=EDITOR`) anything that is not body (a byline, a date line, a
    headline marker) is unplaced, so the save is refused with its line number.
    """
    reader = _BodyReader(lines, shapes or [shape(line.text) for line in lines], mode)
    j = 0
    while j < len(lines):
        j = reader.read(j)
    return reader.result


class _BodyReader:
    def __init__(self, lines: list[Line], shapes: list[Shape], mode: str):
        self.lines, self.shapes, self.mode = lines, shapes, mode
        self.result = BodyResult([], {}, [])
        self.testimony: Testimony | None = None

    def add(self, node, label: str, *consumed: Line) -> None:
        node.lines = [n for line in consumed for n in line.numbers]
        for line in consumed:
            self.result.elements[line.number] = label
        (self.testimony.body if self.testimony is not None else self.result.nodes).append(node)

    def unplaced(self, line: Line, reason: str) -> None:
        self.result.unplaced.append(Unplaced(line.number, line.text, reason))
        self.result.elements[line.number] = UNPLACED

    def credit_after(self, j: int) -> Shape | None:
        after = self.shapes[j + 1] if j + 1 < len(self.lines) else None
        return after if after is not None and after.kind == CREDIT_LINE else None

    def read(self, j: int) -> int:
        """Read the line at `j` (with the credit line under a caption); the next line to read."""
        line, here = self.lines[j], self.shapes[j]
        if here.kind == MARKER:
            return self.marker(j)
        if here.kind == VIDEO_LINE:
            self.add(Video(*here.video), VIDEO, line)
        elif here.kind == SPEAKER_LINE:
            self.open_testimony(here.speaker, line)
        elif here.kind in (TEXT, HEADING, DATELINE_LINE) and self.credit_after(j):
            return self.photo(j, PhotoSlot(caption=line.text), CAPTION)
        elif here.kind == CAPTIONED:
            slot = PhotoSlot(caption=here.caption)
            credit_slot(slot, here.credits)
            self.add(slot, CAPTION_WITH_CREDIT, line)
        elif here.kind == HEADING and j + 1 < len(self.lines):
            self.add(Subheading(line.text), SUBHEADING, line)
        elif here.kind in (TEXT, HEADING, DATELINE_LINE):
            self.add(Paragraph(line.text), PARAGRAPH, line)
        else:
            self.unplaced(line, _NOT_BODY.get(here.kind, "无法识别"))
        return j + 1

    def marker(self, j: int) -> int:
        line, here = self.lines[j], self.shapes[j]
        name = here.marker
        if name == "段落":
            self.add(Paragraph(here.caption), PARAGRAPH, line)
        elif name == "小标题":
            self.add(Subheading(here.caption), SUBHEADING, line)
        elif name == "讲述":
            self.open_testimony(read_speaker(here.caption, marked=True), line)
        elif name == "讲述结束":
            self.testimony = None
            self.result.elements[line.number] = SECTION_END
        elif name == "图片" and here.photo_id is not None:
            self.add(PhotoSlot(caption=here.caption, photo_id=here.photo_id), CAPTION, line)
        elif name == "版面图片" and self.mode == EDITOR:
            self.unplaced(line, "版面图片不属于稿件正文，请在专题页安排")
        elif name in ("图片", "版面图片"):
            page = name == "版面图片"
            return self.photo(
                j, PhotoSlot(caption=here.caption, page=page), PAGE_CAPTION if page else CAPTION
            )
        elif name == "视频":
            self.add(Video(*split_url(here.caption)), VIDEO, line)
        else:
            self.unplaced(line, f"【{name}】不能放在正文里")
        return j + 1

    def photo(self, j: int, slot: PhotoSlot, label: str) -> int:
        """A photo slot at line `j`, credited by the line under it when that is a credit."""
        credit = self.credit_after(j)
        if credit is not None:
            credit_slot(slot, credit.credits)
        self.add(slot, label, self.lines[j])
        if credit is None:
            return j + 1
        self.result.elements[self.lines[j + 1].number] = CREDIT
        slot.lines.append(self.lines[j + 1].number)
        return j + 2

    def open_testimony(self, speaker: Speaker | None, line: Line) -> None:
        speaker = speaker or Speaker("", line.text, "", True)
        self.testimony = Testimony(
            speaker_name=speaker.name,
            speaker_title=speaker.title,
            headline=speaker.headline,
            split_guessed=speaker.guessed,
        )
        self.testimony.lines = list(line.numbers)
        self.result.nodes.append(self.testimony)
        self.result.elements[line.number] = SPEAKER


def credit_slot(slot: PhotoSlot, credits: Credits) -> None:
    slot.credit_action = credits.action
    slot.credits = credits.credits
    slot.credit_printed = credits.printed
    slot.file_photo = credits.file_photo
