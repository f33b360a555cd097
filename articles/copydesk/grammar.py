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
"""

import re
from dataclasses import dataclass

from .. import typesetting
from . import vocabulary as v
from .credits import Credits, read_credits, trailing_credit
from .draft import (
    ArticleDraft,
    Manuscript,
    Paragraph,
    PhotoSlot,
    Subheading,
    Testimony,
    TimelineDraft,
    TimelineItemDraft,
    Unplaced,
    Video,
)
from .lines import Line

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

# A heading is short and has no sentence punctuation in it.
HEADING_MAX = 30
_SENTENCE_PUNCTUATION = re.compile(r"[。！？!?；;]")
# A paragraph ends in one of these; anything else ends mid-sentence.
CLOSING = tuple("。！？!?…；;：:”’」』）)》]】") + ("——",)

_MARKER = re.compile(
    r"^【(?P<name>专题|引题|主题|标题|副题|体裁|小标题|讲述结束|讲述|版面图片|图片|视频|大事记|段落)"
    r"(?:\s*[#＃]\s*(?P<id>\d+))?】\s*(?P<rest>.*)$"
)
_HEADLINE_MARKERS = {"引题": KICKER, "主题": HEADLINE, "标题": HEADLINE, "副题": SUBHEADLINE}
_SPEAKER = re.compile(
    r"^(?P<head>[^。！？!?，,；;：:“”\"（）()【】]{2,40}?)\s*[:：]\s*(?P<headline>[^。！？!?：:]{2,40})$"
)
_SPEAKER_LOOSE = re.compile(r"^(?P<head>[^：:]{1,60}?)\s*(?:[:：]\s*(?P<headline>.*))?$")
_NOT_IN_NAMES = set("了的着过们说到这那么吗呢吧是在")
_DATE_WITH_TEXT = re.compile(
    r"^(?P<date>\d{4}(?:年(?:\d{1,2}月(?:\d{1,2}日)?)?|[-./]\d{1,2}(?:[-./]\d{1,2})?)?)[\s\u3000]*[:：\s\u3000]\s*(?P<text>\S.*)$"
)
_URL_AT_END = re.compile(r"\s*(?P<url>https?://\S+)$")


@dataclass(frozen=True)
class Speaker:
    title: str
    name: str
    headline: str
    guessed: bool = False  # title and name told apart by a guess


@dataclass(frozen=True)
class Shape:
    """What one line is on its own, before its neighbours are looked at."""

    kind: str
    text: str
    marker: str = ""
    photo_id: int | None = None
    credits: Credits | None = None
    date: tuple | None = None
    speaker: Speaker | None = None
    video: tuple[str, str] | None = None
    caption: str = ""  # a caption with its credit at its end


# Line kinds
MARKER, DATE, VIDEO_LINE, CREDIT_LINE, COMPILED_LINE, BYLINE_LINE = (
    "marker",
    "date",
    "video",
    "credit",
    "compiled",
    "byline",
)
DATELINE_LINE, SPEAKER_LINE, CAPTIONED, HEADING, TEXT = "dateline", "speaker", "captioned", "heading", "text"


# A heading does not stop on a word that needs more after it (…修到了家门口，可是): a short
# line ending so is running text cut off, not a subheading.
_OPEN_ENDINGS = tuple(
    "的了在和与及是要把被对从向为而并或着地得就都也还又再才更最很将让使给但却则以于之其等由该这那每各，、,"
)


def is_heading(text: str) -> bool:
    return (
        len(text) <= HEADING_MAX
        and not _SENTENCE_PUNCTUATION.search(text)
        and not text.endswith(_OPEN_ENDINGS)
    )


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(CLOSING)


def shape(text: str) -> Shape:
    """What the line `text` is by itself."""
    marker = _MARKER.match(text)
    if marker:
        photo_id = int(marker["id"]) if marker["id"] else None
        return Shape(MARKER, text, marker=marker["name"], photo_id=photo_id, caption=marker["rest"].strip())
    date = _date_line(text)
    if date:
        return Shape(DATE, text, date=date[:2], caption=date[2])
    video = v.VIDEO_PROMPT.match(text)
    if video:
        return Shape(VIDEO_LINE, text, video=split_url(text))
    credits = read_credits(text)
    if credits is not None:
        kind = {"": BYLINE_LINE, "compiled": COMPILED_LINE}.get(credits.action, CREDIT_LINE)
        return Shape(kind, text, credits=credits)
    dateline = v.DATELINE.match(text)
    if dateline:
        rest = dateline["rest"].strip()
        credits = read_credits(rest) if rest else None
        if not rest or (credits is not None and credits.bracketed and not credits.action):
            return Shape(DATELINE_LINE, text, caption=dateline["dateline"], credits=credits)
    speaker = read_speaker(text)
    if speaker:
        return Shape(SPEAKER_LINE, text, speaker=speaker)
    captioned = trailing_credit(text)
    if captioned:
        return Shape(CAPTIONED, text, caption=captioned[0], credits=captioned[1])
    return Shape(HEADING if is_heading(text) else TEXT, text)


def _date_line(text: str):
    """(date, precision, text after the date) for a timeline date line, else None."""
    found = typesetting.parse_printed_date(text)
    if found:
        return (*found, "")
    match = _DATE_WITH_TEXT.match(text)
    if match:
        found = typesetting.parse_printed_date(match["date"])
        if found:
            return (*found, match["text"].strip())
    return None


def split_url(text: str) -> tuple[str, str]:
    """ "扫一扫 看视频 https://v.example.cn/1" → ("扫一扫 看视频", "https://v.example.cn/1")."""
    match = _URL_AT_END.search(text)
    if match:
        return text[: match.start()].strip(), match["url"]
    return text.strip(), ""


def read_speaker(text: str, *, marked: bool = False) -> Speaker | None:
    """ "余杭区…主任林国荣: 党建统领,乡村焕发新活力" → title, name, headline.

    Unmarked lines must look like a speaker line throughout; after 【讲述】 the headline may
    be empty and the line is taken as it comes.
    """
    match = (_SPEAKER_LOOSE if marked else _SPEAKER).match(text.strip())
    if not match:
        return None
    head, headline = match["head"].strip(), (match["headline"] or "").strip()
    split = split_speaker(head)
    if split is None:
        if not marked:
            return None
        split = ("", head, True)
    title, name, guessed = split
    return Speaker(title, name, headline, guessed)


def split_speaker(head: str) -> tuple[str, str, bool] | None:
    """(title, name, guessed) from "TITLE NAME": at the last space, else after the last post
    the title ends with (…党委书记|吴华), else a bare two- or three-character name."""
    if re.search(r"\s", head):
        title, name = head.rsplit(None, 1)
        if v.PERSON_NAME.match(name):
            return title.strip(), name, False
    best = None
    for post in v.POSTS:
        index = head.rfind(post)
        while index > 0:
            name = head[index + len(post) :]
            if (
                2 <= len(name) <= 4
                and re.fullmatch(r"[\u4e00-\u9fff]+", name)
                and not _NOT_IN_NAMES & set(name)
            ):
                end = index + len(post)
                if best is None or end > best[0]:
                    best = (end, head[:end], name)
                break
            index = head.rfind(post, 0, index)
    if best:
        return best[1], best[2], False
    if 2 <= len(head) <= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", head) and not _NOT_IN_NAMES & set(head):
        return "", head, False
    return None


# --- Article bodies ------------------------------------------------------------------------


@dataclass
class BodyResult:
    nodes: list
    elements: dict[int, str]
    unplaced: list[Unplaced]


EDITOR, PAGE = "editor", "page"


def parse_body(lines: list[Line], mode: str = EDITOR, shapes: list[Shape] | None = None) -> BodyResult:
    """An article body: paragraphs, subheadings, testimonies, photos, videos.

    In the editor (`mode=EDITOR`) anything that is not body (a byline, a date line, a
    headline marker) is unplaced, so the save is refused with its line number.
    """
    shapes = shapes or [shape(line.text) for line in lines]
    result = BodyResult([], {}, [])
    testimony: Testimony | None = None

    def add(node, label: str, *consumed: Line) -> None:
        node.lines = [n for line in consumed for n in line.numbers]
        for line in consumed:
            result.elements[line.number] = label
        (testimony.body if testimony is not None else result.nodes).append(node)

    def unplaced(line: Line, reason: str) -> None:
        result.unplaced.append(Unplaced(line.number, line.text, reason))
        result.elements[line.number] = UNPLACED

    j = 0
    while j < len(lines):
        line, here = lines[j], shapes[j]
        after = shapes[j + 1] if j + 1 < len(lines) else None
        credit_follows = after is not None and after.kind == CREDIT_LINE
        if here.kind == MARKER:
            name = here.marker
            if name == "段落":
                add(Paragraph(here.caption), PARAGRAPH, line)
            elif name == "小标题":
                add(Subheading(here.caption), SUBHEADING, line)
            elif name == "讲述":
                speaker = read_speaker(here.caption, marked=True)
                testimony = _open_testimony(result, speaker, line)
            elif name == "讲述结束":
                testimony = None
                result.elements[line.number] = SECTION_END
            elif name == "图片" and here.photo_id is not None:
                add(PhotoSlot(caption=here.caption, photo_id=here.photo_id), CAPTION, line)
            elif name in ("图片", "版面图片"):
                page = name == "版面图片"
                if page and mode == EDITOR:
                    unplaced(line, "版面图片不属于稿件正文，请在专题页安排")
                else:
                    slot = PhotoSlot(caption=here.caption, page=page)
                    if credit_follows:
                        _credit(slot, after.credits)
                        add(slot, PAGE_CAPTION if page else CAPTION, line)
                        result.elements[lines[j + 1].number] = CREDIT
                        slot.lines.append(lines[j + 1].number)
                        j += 1
                    else:
                        add(slot, PAGE_CAPTION if page else CAPTION, line)
            elif name == "视频":
                text, url = split_url(here.caption)
                add(Video(text, url), VIDEO, line)
            else:
                unplaced(line, f"【{name}】不能放在正文里")
        elif here.kind == VIDEO_LINE:
            add(Video(*here.video), VIDEO, line)
        elif here.kind == SPEAKER_LINE:
            testimony = _open_testimony(result, here.speaker, line)
        elif here.kind in (TEXT, HEADING, DATELINE_LINE) and credit_follows:
            slot = PhotoSlot(caption=line.text)
            _credit(slot, after.credits)
            add(slot, CAPTION, line)
            result.elements[lines[j + 1].number] = CREDIT
            slot.lines.append(lines[j + 1].number)
            j += 1
        elif here.kind == CAPTIONED:
            slot = PhotoSlot(caption=here.caption)
            _credit(slot, here.credits)
            add(slot, CAPTION_WITH_CREDIT, line)
        elif here.kind == HEADING and j + 1 < len(lines):
            add(Subheading(line.text), SUBHEADING, line)
        elif here.kind in (TEXT, HEADING, DATELINE_LINE):
            add(Paragraph(line.text), PARAGRAPH, line)
        elif here.kind == CREDIT_LINE:
            unplaced(line, "图片署名前没有图片说明")
        elif here.kind == BYLINE_LINE:
            unplaced(line, "正文中间的署名：署名应紧接在标题下面")
        elif here.kind == COMPILED_LINE:
            unplaced(line, "“整理”署名只能在大事记下面")
        elif here.kind == DATE:
            unplaced(line, "日期行只能出现在大事记里")
        else:  # pragma: no cover - every shape is handled above
            unplaced(line, "无法识别")
        j += 1
    return result


def _open_testimony(result: BodyResult, speaker: Speaker | None, line: Line) -> Testimony:
    speaker = speaker or Speaker("", line.text, "", True)
    testimony = Testimony(
        speaker_name=speaker.name,
        speaker_title=speaker.title,
        headline=speaker.headline,
        split_guessed=speaker.guessed,
    )
    testimony.lines = list(line.numbers)
    result.nodes.append(testimony)
    result.elements[line.number] = SPEAKER
    return testimony


def _credit(slot: PhotoSlot, credits: Credits) -> None:
    slot.credit_action = credits.action
    slot.credits = credits.credits
    slot.credit_printed = credits.printed
    slot.file_photo = credits.file_photo


# --- Whole pages -------------------------------------------------------------------------


def parse_page(lines: list[Line]) -> Manuscript:
    """A newspaper page (the manuscript after the accepted fixes) read into a draft issue."""
    return _PageReader([line for line in lines if line.text]).read()


class _PageReader:
    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.shapes = [shape(line.text) for line in lines]
        self.page = Manuscript()

    # Bookkeeping

    def mark(self, j: int, label: str, part: int | None) -> None:
        self.page.elements[self.lines[j].number] = (label, part)

    def unplaced(self, j: int, reason: str) -> None:
        line = self.lines[j]
        self.page.unplaced.append(Unplaced(line.number, line.text, reason))
        self.mark(j, UNPLACED, None)

    def kind(self, j: int) -> str:
        return self.shapes[j].kind if 0 <= j < len(self.lines) else ""

    def headline_like(self, j: int) -> bool:
        here = self.shapes[j] if 0 <= j < len(self.lines) else None
        if here is None:
            return False
        return here.kind == HEADING or (here.kind == MARKER and here.marker in _HEADLINE_MARKERS)

    # Where things start

    def article_start(self, j: int) -> int:
        """How many headline lines open an article at `j` (0: none)."""
        for k in (1, 2, 3):
            if all(self.headline_like(j + n) for n in range(k)) and self.kind(j + k) == BYLINE_LINE:
                return k
        if self.kind(j) == MARKER and self.shapes[j].marker in _HEADLINE_MARKERS:
            k = 1
            while k < 3 and self.kind(j + k) == MARKER and self.shapes[j + k].marker in _HEADLINE_MARKERS:
                k += 1
            return k
        # A page that opens on a headline with no byline under it.
        if not self.page.parts and self.kind(j) == HEADING and self.kind(j + 1) in (TEXT, DATELINE_LINE):
            return 1
        return 0

    def timeline_start(self, j: int) -> bool:
        if self.kind(j) == MARKER and self.shapes[j].marker == "大事记":
            return True
        return self.kind(j) == HEADING and self.kind(j + 1) == DATE

    def series_title_at(self, j: int) -> bool:
        here = self.shapes[j]
        if here.kind == MARKER and here.marker == "专题":
            return True
        last = j == len(self.lines) - 1
        return last and here.kind == HEADING and not self.page.title

    # Reading

    def read(self) -> Manuscript:
        j = 0
        while j < len(self.lines):
            if self.series_title_at(j):
                self.series_title(j)
                j += 1
            elif (k := self.article_start(j)) > 0:
                j = self.article(j, k)
            elif self.timeline_start(j):
                j = self.timeline(j)
            else:
                j = self.loose(j)
        return self.page

    def series_title(self, j: int) -> None:
        here = self.shapes[j]
        title = here.caption if here.kind == MARKER else self.lines[j].text
        if self.page.title:
            self.unplaced(j, f"专题名称已是“{self.page.title}”")
            return
        self.page.title = title
        self.page.title_line = self.lines[j].number
        self.mark(j, SERIES_TITLE, None)

    def ends_body(self, j: int) -> bool:
        here = self.shapes[j]
        if here.kind == MARKER and here.marker in ("专题", "大事记", *_HEADLINE_MARKERS):
            return True
        return self.article_start(j) > 0 or self.timeline_start(j) or self.series_title_at(j)

    def article(self, j: int, k: int) -> int:
        part = len(self.page.parts)
        article = ArticleDraft(headline="")
        self.page.parts.append(article)
        self.headlines(article, j, k, part)
        j += k
        while self.kind(j) in (BYLINE_LINE,):
            article.bylines += self.shapes[j].credits.credits
            article.byline_lines.append(self.lines[j].number)
            self.mark(j, BYLINE, part)
            j += 1
        start = j
        while j < len(self.lines) and not self.ends_body(j):
            j += 1
        body = list(range(start, j))
        # A byline in brackets under the last paragraph: （记者 张三）
        if body and self.kind(body[-1]) == BYLINE_LINE and self.shapes[body[-1]].credits.bracketed:
            last = body.pop()
            article.bylines += self.shapes[last].credits.credits
            article.byline_lines.append(self.lines[last].number)
            self.mark(last, BYLINE, part)
        body = self.kinds_and_datelines(article, body, part)
        result = parse_body([self.lines[n] for n in body], PAGE, [self.shapes[n] for n in body])
        for number, label in result.elements.items():
            self.page.elements[number] = (label, part)
        self.page.unplaced += result.unplaced
        article.body = [node for node in result.nodes if not (isinstance(node, PhotoSlot) and node.page)]
        page_photos = [node for node in result.nodes if isinstance(node, PhotoSlot) and node.page]
        for node in result.nodes:  # page photos marked inside a testimony
            if isinstance(node, Testimony):
                page_photos += [b for b in node.body if isinstance(b, PhotoSlot) and b.page]
                node.body = [b for b in node.body if not (isinstance(b, PhotoSlot) and b.page)]
        for photo in page_photos:
            for number in photo.lines:
                label = self.page.elements[number][0]
                self.page.elements[number] = (label, len(self.page.parts))
            self.page.parts.append(photo)
        if not article.kind_reason:
            article.kind, article.kind_reason = infer_kind(article, self.datelined)
        return j

    def headlines(self, article: ArticleDraft, j: int, k: int, part: int) -> None:
        lines = [self.lines[j + n] for n in range(k)]
        marked = {n: self.shapes[j + n].marker for n in range(k) if self.shapes[j + n].kind == MARKER}
        texts = [self.shapes[j + n].caption if n in marked else line.text for n, line in enumerate(lines)]
        if marked:
            roles = [_HEADLINE_MARKERS[marked[n]] if n in marked else HEADLINE for n in range(k)]
        elif k == 1:
            roles = [HEADLINE]
        elif k == 2:
            roles = [HEADLINE, SUBHEADLINE] if texts[1].startswith(("——", "—", "--")) else [KICKER, HEADLINE]
        else:
            roles = [KICKER, HEADLINE, SUBHEADLINE]
        for n, (role, text) in enumerate(zip(roles, texts, strict=True)):
            if role == SUBHEADLINE:
                text = text.lstrip("—-").strip()
            field = {KICKER: "kicker", HEADLINE: "headline", SUBHEADLINE: "subheadline"}[role]
            setattr(article, field, text)
            self.mark(j + n, role, part)
        article.lines = [line.number for line in lines]

    def kinds_and_datelines(self, article: ArticleDraft, body: list[int], part: int) -> list[int]:
        """Take 【体裁】 lines out of the body; put a dateline on its own line at the head of the
        paragraph under it, as print does, its bracketed byline under the headline."""
        kept = []
        self.datelined = False
        pending_dateline = None
        for n in body:
            here = self.shapes[n]
            if here.kind == MARKER and here.marker == "体裁":
                kind = v.KINDS.get(here.caption.strip())
                if kind:
                    article.kind, article.kind_reason = kind, "由【体裁】标明"
                    self.mark(n, KIND, part)
                else:
                    self.unplaced(n, f"未知体裁“{here.caption}”：可写 {'、'.join(v.KINDS)}")
                continue
            if here.kind == DATELINE_LINE:
                self.datelined = True
                if here.credits is not None and not article.bylines:
                    article.bylines += here.credits.credits
                    article.byline_lines.append(self.lines[n].number)
                if pending_dateline is None and self.kind(n + 1) == TEXT and n + 1 in body:
                    pending_dateline = n
                    self.mark(n, DATELINE, part)
                    continue
            if pending_dateline is not None and here.kind == TEXT:
                dateline = self.shapes[pending_dateline]
                line = self.lines[n]
                self.lines[n] = Line(
                    line.number,
                    f"{dateline.caption}\u3000{line.text}",
                    line.original,
                    [*line.joined],
                )
                self.shapes[n] = shape(self.lines[n].text)
                pending_dateline = None
            elif here.kind == TEXT and v.DATELINE.match(self.lines[n].text):
                self.datelined = True
            kept.append(n)
        return kept

    def timeline(self, j: int) -> int:
        part = len(self.page.parts)
        here = self.shapes[j]
        timeline = TimelineDraft(title=here.caption if here.kind == MARKER else self.lines[j].text)
        timeline.lines = [self.lines[j].number]
        self.page.parts.append(timeline)
        self.mark(j, TIMELINE_TITLE, part)
        j += 1
        item = None
        just_dated = False
        while j < len(self.lines):
            here, line = self.shapes[j], self.lines[j]
            if here.kind == DATE:
                item = TimelineItemDraft(here.date[0], here.date[1], here.caption, [line.number])
                timeline.items.append(item)
                self.mark(j, TIMELINE_DATE, part)
                just_dated = True
            elif here.kind == COMPILED_LINE or (here.kind == BYLINE_LINE and here.credits.bracketed):
                timeline.credits += here.credits.credits
                timeline.credit_action = here.credits.action
                self.mark(j, COMPILED, part)
                j += 1
                break
            elif item is not None and (here.kind == TEXT or (here.kind == HEADING and just_dated)):
                if self.series_title_at(j) and not just_dated:
                    break
                item.text = f"{item.text}\n{line.text}" if item.text else line.text
                item.lines.append(line.number)
                self.mark(j, TIMELINE_TEXT, part)
                just_dated = False
            else:
                break
            j += 1
        return j

    def loose(self, j: int) -> int:
        """A line outside any article or timeline: a page photo, the series title at the top
        of the page, or unplaced."""
        here, after = self.shapes[j], self.shapes[j + 1] if j + 1 < len(self.lines) else None
        part = len(self.page.parts)
        if here.kind in (TEXT, HEADING) and after is not None and after.kind == CREDIT_LINE:
            slot = PhotoSlot(caption=self.lines[j].text, page=True)
            _credit(slot, after.credits)
            slot.lines = [*self.lines[j].numbers, *self.lines[j + 1].numbers]
            self.page.parts.append(slot)
            self.mark(j, PAGE_CAPTION, part)
            self.mark(j + 1, CREDIT, part)
            return j + 2
        if here.kind == CAPTIONED or (here.kind == MARKER and here.marker in ("图片", "版面图片")):
            result = parse_body([self.lines[j]], PAGE, [here])
            if self.kind(j + 1) == CREDIT_LINE and here.kind == MARKER:
                result = parse_body(self.lines[j : j + 2], PAGE, self.shapes[j : j + 2])
            for node in result.nodes:
                node.page = True
                self.page.parts.append(node)
            for number in result.elements:
                self.page.elements[number] = (
                    PAGE_CAPTION if number == self.lines[j].number else CREDIT,
                    part,
                )
            return j + (2 if len(result.elements) == 2 else 1)
        if here.kind == HEADING and not self.page.parts and not self.page.title:
            self.series_title(j)
            return j + 1
        reasons = {
            BYLINE_LINE: "署名前没有标题：不知道属于哪篇稿件",
            CREDIT_LINE: "图片署名前没有图片说明",
            COMPILED_LINE: "整理署名不在大事记下面",
            DATE: "日期行前没有大事记标题",
            SPEAKER_LINE: "讲述不在任何稿件中：前面缺少标题和署名",
        }
        self.unplaced(j, reasons.get(here.kind, "不在任何稿件中：前面缺少标题和署名"))
        return j + 1


# --- Genre -------------------------------------------------------------------------------

_REPORTED_SPEECH = re.compile(
    r"[”\"][^。“”\"]{0,12}?(?:说|表示|介绍|告诉记者|坦言|感慨|笑着说)|(?:说|表示|介绍道?)[：:，,]\s*[“\"]"
)


def infer_kind(article: ArticleDraft, datelined: bool = False) -> tuple[str, str]:
    """The genre (体裁) a draft article reads as, and why, for the editor to confirm."""
    words = " ".join(
        [article.kicker, article.headline, article.subheadline]
        + [credit.organisation or credit.name for credit in article.bylines if not credit.role]
    )
    for kind, names in v.KIND_WORDS.items():
        for name in names:
            if name in words:
                return kind, f"标题或署名中有“{name}”"
    if any(isinstance(node, Testimony) for node in article.body):
        return "report", "含讲述段落"
    if datelined:
        return "news", "有电头"
    paragraphs = [block.text for _, block in article.blocks() if isinstance(block, Paragraph)]
    if any(_REPORTED_SPEECH.search(text) for text in paragraphs):
        return "feature", "有人物引语（“……”某某说）"
    if len(paragraphs) >= 3:
        return "commentary", "通篇论述：没有人物引语、电头或讲述"
    return "report", "未见体裁特征，按报道处理"
