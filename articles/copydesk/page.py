"""Whole pages: a newspaper page (the manuscript after the accepted fixes) read into a draft
issue — articles with their headlines, bylines, genre and body, page photos, timelines, and
the running series title that names the issue. The grammar itself: `grammar`.
"""

import re

from . import shapes
from . import vocabulary as v
from .draft import (
    ArticleDraft,
    Manuscript,
    Paragraph,
    PhotoSlot,
    Testimony,
    TimelineDraft,
    TimelineItemDraft,
    Unplaced,
)
from .grammar import (
    BYLINE,
    COMPILED,
    CREDIT,
    DATELINE,
    HEADLINE,
    KICKER,
    KIND,
    PAGE,
    PAGE_CAPTION,
    SERIES_TITLE,
    SUBHEADLINE,
    TIMELINE_DATE,
    TIMELINE_TEXT,
    TIMELINE_TITLE,
    UNPLACED,
    credit_slot,
    parse_body,
)
from .lines import Line

_HEADLINE_MARKERS = {"引题": KICKER, "主题": HEADLINE, "标题": HEADLINE, "副题": SUBHEADLINE}


def parse_page(lines: list[Line]) -> Manuscript:
    """A newspaper page (the manuscript after the accepted fixes) read into a draft issue."""
    return _PageReader([line for line in lines if line.text]).read()


class _PageReader:
    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.shapes = [shapes.shape(line.text) for line in lines]
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
        return here.kind == shapes.HEADING or (
            here.kind == shapes.MARKER and here.marker in _HEADLINE_MARKERS
        )

    # Where things start

    def article_start(self, j: int) -> int:
        """How many headline lines open an article at `j` (0: none)."""
        for k in (1, 2, 3):
            if all(self.headline_like(j + n) for n in range(k)) and self.kind(j + k) == shapes.BYLINE_LINE:
                return k
        if self.kind(j) == shapes.MARKER and self.shapes[j].marker in _HEADLINE_MARKERS:
            k = 1
            while (
                k < 3 and self.kind(j + k) == shapes.MARKER and self.shapes[j + k].marker in _HEADLINE_MARKERS
            ):
                k += 1
            return k
        # A page that opens on a headline with no byline under it.
        if (
            not self.page.parts
            and self.kind(j) == shapes.HEADING
            and self.kind(j + 1) in (shapes.TEXT, shapes.DATELINE_LINE)
        ):
            return 1
        return 0

    def timeline_start(self, j: int) -> bool:
        if self.kind(j) == shapes.MARKER and self.shapes[j].marker == "大事记":
            return True
        return self.kind(j) == shapes.HEADING and self.kind(j + 1) == shapes.DATE

    def series_title_at(self, j: int) -> bool:
        here = self.shapes[j]
        if here.kind == shapes.MARKER and here.marker == "专题":
            return True
        last = j == len(self.lines) - 1
        return last and here.kind == shapes.HEADING and not self.page.title

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
        title = here.caption if here.kind == shapes.MARKER else self.lines[j].text
        if self.page.title:
            self.unplaced(j, f"专题名称已是“{self.page.title}”")
            return
        self.page.title = title
        self.page.title_line = self.lines[j].number
        self.mark(j, SERIES_TITLE, None)

    def ends_body(self, j: int) -> bool:
        here = self.shapes[j]
        if here.kind == shapes.MARKER and here.marker in ("专题", "大事记", *_HEADLINE_MARKERS):
            return True
        return self.article_start(j) > 0 or self.timeline_start(j) or self.series_title_at(j)

    def article(self, j: int, k: int) -> int:
        part = len(self.page.parts)
        article = ArticleDraft(headline="")
        self.page.parts.append(article)
        self.headlines(article, j, k, part)
        j += k
        while self.kind(j) in (shapes.BYLINE_LINE,):
            article.bylines += self.shapes[j].credits.credits
            article.byline_lines.append(self.lines[j].number)
            self.mark(j, BYLINE, part)
            j += 1
        start = j
        while j < len(self.lines) and not self.ends_body(j):
            j += 1
        body = list(range(start, j))
        # A byline in brackets under the last paragraph: （记者 张三）
        if body and self.kind(body[-1]) == shapes.BYLINE_LINE and self.shapes[body[-1]].credits.bracketed:
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
        marked = {n: self.shapes[j + n].marker for n in range(k) if self.shapes[j + n].kind == shapes.MARKER}
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
            if here.kind == shapes.MARKER and here.marker == "体裁":
                kind = v.KINDS.get(here.caption.strip())
                if kind:
                    article.kind, article.kind_reason = kind, "由【体裁】标明"
                    self.mark(n, KIND, part)
                else:
                    self.unplaced(n, f"未知体裁“{here.caption}”：可写 {'、'.join(v.KINDS)}")
                continue
            if here.kind == shapes.DATELINE_LINE:
                self.datelined = True
                if here.credits is not None and not article.bylines:
                    article.bylines += here.credits.credits
                    article.byline_lines.append(self.lines[n].number)
                if pending_dateline is None and self.kind(n + 1) == shapes.TEXT and n + 1 in body:
                    pending_dateline = n
                    self.mark(n, DATELINE, part)
                    continue
            if pending_dateline is not None and here.kind == shapes.TEXT:
                dateline = self.shapes[pending_dateline]
                line = self.lines[n]
                self.lines[n] = Line(
                    line.number,
                    f"{dateline.caption}\u3000{line.text}",
                    line.original,
                    [*line.joined],
                )
                self.shapes[n] = shapes.shape(self.lines[n].text)
                pending_dateline = None
            elif here.kind == shapes.TEXT and v.DATELINE.match(self.lines[n].text):
                self.datelined = True
            kept.append(n)
        return kept

    def timeline(self, j: int) -> int:
        part = len(self.page.parts)
        here = self.shapes[j]
        timeline = TimelineDraft(title=here.caption if here.kind == shapes.MARKER else self.lines[j].text)
        timeline.lines = [self.lines[j].number]
        self.page.parts.append(timeline)
        self.mark(j, TIMELINE_TITLE, part)
        j += 1
        item = None
        just_dated = False
        while j < len(self.lines):
            here, line = self.shapes[j], self.lines[j]
            if here.kind == shapes.DATE:
                item = TimelineItemDraft(here.date[0], here.date[1], here.caption, [line.number])
                timeline.items.append(item)
                self.mark(j, TIMELINE_DATE, part)
                just_dated = True
            elif here.kind == shapes.COMPILED_LINE or (
                here.kind == shapes.BYLINE_LINE and here.credits.bracketed
            ):
                timeline.credits += here.credits.credits
                timeline.credit_action = here.credits.action
                self.mark(j, COMPILED, part)
                j += 1
                break
            elif item is not None and (
                here.kind == shapes.TEXT or (here.kind == shapes.HEADING and just_dated)
            ):
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
        if (
            here.kind in (shapes.TEXT, shapes.HEADING)
            and after is not None
            and after.kind == shapes.CREDIT_LINE
        ):
            slot = PhotoSlot(caption=self.lines[j].text, page=True)
            credit_slot(slot, after.credits)
            slot.lines = [*self.lines[j].numbers, *self.lines[j + 1].numbers]
            self.page.parts.append(slot)
            self.mark(j, PAGE_CAPTION, part)
            self.mark(j + 1, CREDIT, part)
            return j + 2
        if here.kind == shapes.CAPTIONED or (
            here.kind == shapes.MARKER and here.marker in ("图片", "版面图片")
        ):
            result = parse_body([self.lines[j]], PAGE, [here])
            if self.kind(j + 1) == shapes.CREDIT_LINE and here.kind == shapes.MARKER:
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
        if here.kind == shapes.HEADING and not self.page.parts and not self.page.title:
            self.series_title(j)
            return j + 1
        reasons = {
            shapes.BYLINE_LINE: "署名前没有标题：不知道属于哪篇稿件",
            shapes.CREDIT_LINE: "图片署名前没有图片说明",
            shapes.COMPILED_LINE: "整理署名不在大事记下面",
            shapes.DATE: "日期行前没有大事记标题",
            shapes.SPEAKER_LINE: "讲述不在任何稿件中：前面缺少标题和署名",
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
