"""The copy-editing report: what the desk would change or ask about, line by line.

Two sorts of finding:

- fixes, worked out on the manuscript as it came in, each with its edits: invisible
  control characters (bidi overrides and the like, which the site refuses to save), ASCII
  punctuation and straight quotes in Chinese text (GB/T 15834), a paragraph broken
  mid-sentence (join), a passage repeated from elsewhere (delete), photos run together at
  the end of a testimony that belong to the page (move out);
- questions for the reporter, about the draft as it stands: a role outside the
  vocabulary, a testimony with no speaker title, a caption with no credit, a paragraph
  that stops mid-sentence with nothing to join, a line not understood, the genre guessed
  (`articles.copydesk.questions`).

Punctuation: autocorrect-py was compared with these rules on the seed page and on the
cases in tests/copydesk/test_copydesk_punctuation.py. It leaves "98.43%,共", "(扩大)" and straight
quotes as they are, and its default spacing ("30 多年") is not newspaper style; its config is
process-wide. The rules in `articles.typesetting.punctuation_edits` are used instead.
"""

import re
from dataclasses import dataclass, field

from media.validators import INVISIBLE, invisible_label

from .. import typesetting
from .draft import PhotoSlot, Testimony
from .lines import Edit, Join, Line, Replace, SourceLine, non_blank
from .page import parse_page
from .shapes import CREDIT_LINE, TEXT, ends_sentence, shape

# A repeated run shorter than this is quotation or emphasis, not a print defect: the seed
# legitimately repeats "形成了“众人的事情由众人商量”的民主协商模式" (24 characters).
DUPLICATE_MIN = 40
_GRAM = 12
# Where a 12-character run was seen, up to this many times: real copy repeats a phrase a
# handful of times, and without a bound a text pasted over and over again (hostile, or a
# file gone wrong) takes minutes, each position compared with every earlier copy.
_GRAM_PLACES = 32

INVISIBLE_CHARACTERS = "不可见字符"
PUNCTUATION = "标点"
BROKEN = "断段"
DUPLICATE = "重复"
PAGE_PHOTOS = "版面图片"
ROLE = "署名身份"
SPEAKER = "讲述人"
CREDIT = "图片署名"
CUT_OFF = "断句"
BYLINE = "署名"
UNPLACED = "未能识别"
GENRE = "体裁"


@dataclass(frozen=True)
class Finding:
    id: str
    category: str
    line: int
    message: str
    edits: tuple[Edit, ...] = ()
    lines: tuple[int, ...] = field(default=(), compare=False)

    @property
    def fixable(self) -> bool:
        return bool(self.edits)

    @property
    def where(self) -> str:
        numbers = self.lines or (self.line,)
        if len(numbers) > 1 and numbers[-1] != numbers[0]:
            return f"第 {numbers[0]}–{numbers[-1]} 行"
        return f"第 {numbers[0]} 行"


# --- Fixes (on the manuscript as received) -----------------------------------------------


def fixes(lines: list[SourceLine]) -> list[Finding]:
    """Every fix the desk proposes, in line order."""
    found = invisible_characters(lines) + punctuation(lines) + broken_paragraphs(lines)
    found += duplicates(lines) + page_photos(lines)
    return sorted(found, key=lambda f: (f.line, f.category))


def invisible_characters(lines: list[SourceLine]) -> list[Finding]:
    """Bidi overrides, control and zero-width characters pasted in from web pages and PDFs:
    nobody sees them, the site refuses to save them, so the fix deletes them."""
    found = []
    for line in non_blank(lines):
        positions = [match.start() for match in INVISIBLE.finditer(line.text)]
        if not positions:
            continue
        first = positions[0]
        more = f"，共 {len(positions)} 处" if len(positions) > 1 else ""
        found.append(
            Finding(
                f"invisible-{line.number}",
                INVISIBLE_CHARACTERS,
                line.number,
                f"第 {first + 1} 个字符是不可见的控制字符 {invisible_label(line.text[first])}{more}，"
                "看不见却会打乱文字显示，网站不接受：建议删去",
                tuple(Replace(line.number, p, p + 1, "") for p in positions),
            )
        )
    return found


def invisible_problems(lines: list[Line]) -> list[str]:
    """Lines that still hold invisible characters once the accepted fixes are made: the
    models would refuse them, so the import says where before anything is saved."""
    problems = []
    for line in lines:
        found = INVISIBLE.search(line.text)
        if found:
            problems.append(
                f"第 {line.number} 行有不可见的控制字符 {invisible_label(found.group())}：请接受校对报告中"
                f"“{INVISIBLE_CHARACTERS}”的修改（或在原稿中删去后重新识别），再保存。"
            )
    return problems


def punctuation(lines: list[SourceLine]) -> list[Finding]:
    found = []
    for line in non_blank(lines):
        edits = typesetting.punctuation_edits(line.text)
        if not edits:
            continue
        examples = "；".join(_before_after(line.text, start, end, new) for start, end, new in edits[:3])
        more = f" 等 {len(edits)} 处" if len(edits) > 3 else ""
        found.append(
            Finding(
                f"punct-{line.number}",
                PUNCTUATION,
                line.number,
                f"半角标点和直引号改为中文标点（GB/T 15834）：{examples}{more}",
                tuple(Replace(line.number, start, end, new) for start, end, new in edits),
            )
        )
    return found


def _before_after(text: str, start: int, end: int, new: str) -> str:
    left, right = text[max(0, start - 4) : start], text[end : end + 4]
    return f"“{left}{text[start:end]}{right}”→“{left}{new}{right}”"


def broken_paragraphs(lines: list[SourceLine]) -> list[Finding]:
    """A paragraph that stops mid-sentence and goes on at the next line: join them."""
    found = []
    text_lines = non_blank(lines)
    shapes = [shape(line.text) for line in text_lines]
    for n, line in enumerate(text_lines[:-1]):
        if continues(text_lines, shapes, n):
            following = text_lines[n + 1]
            found.append(
                Finding(
                    f"join-{line.number}",
                    BROKEN,
                    line.number,
                    f"段落在句中断开：“…{line.text[-8:]}”接第 {following.number} 行“{following.text[:8]}…”，"
                    "建议合为一段",
                    (Join(following.number, line.number),),
                    (line.number, following.number),
                )
            )
    return found


def paragraph_like(shapes, n: int) -> bool:
    """A body line that is running text, not a caption (a line with a credit under it)."""
    if n >= len(shapes) or shapes[n].kind != TEXT:
        return False
    return not (n + 1 < len(shapes) and shapes[n + 1].kind == CREDIT_LINE)


def open_ended(text: str) -> bool:
    if ends_sentence(text):
        return False
    spans = typesetting.protected_spans(text)
    return not (spans and spans[-1][1] == len(text))  # ends on a URL or an address


def continues(text_lines, shapes, n: int) -> bool:
    return paragraph_like(shapes, n) and open_ended(text_lines[n].text) and paragraph_like(shapes, n + 1)


def duplicates(lines: list[SourceLine]) -> list[Finding]:
    """A run of at least DUPLICATE_MIN characters repeated from an earlier line: the later
    copy goes (a layout defect: text flowed twice into two columns)."""
    found = []
    seen: dict[str, list[tuple[int, int]]] = {}  # gram → (line index, position)
    text_lines = non_blank(lines)
    for n, line in enumerate(text_lines):
        text = line.text
        p = 0
        while p + _GRAM <= len(text):
            best = (0, None)
            for m, q in seen.get(text[p : p + _GRAM], []):
                earlier = text_lines[m].text
                length = _GRAM
                while (
                    p + length < len(text)
                    and q + length < len(earlier)
                    and text[p + length] == earlier[q + length]
                ):
                    length += 1
                if length > best[0]:
                    best = (length, (m, q))
            if best[0] >= DUPLICATE_MIN:
                length, (m, _) = best
                found.append(_duplicate(line, p, p + length, text_lines[m]))
                p += length
            else:
                p += 1
        for q in range(len(text) - _GRAM + 1):
            places = seen.setdefault(text[q : q + _GRAM], [])
            if len(places) < _GRAM_PLACES:
                places.append((n, q))
    return found


def _duplicate(line: SourceLine, start: int, end: int, original: SourceLine) -> Finding:
    text = line.text
    # The spaces the cut leaves behind go with it.
    while start > 0 and text[start - 1] in " \u3000":
        start -= 1
    run = text[start:end].strip()
    snippet = run if len(run) <= 20 else f"{run[:10]}……{run[-6:]}"
    where = "整行" if start == 0 and end == len(text) else ("末尾" if end == len(text) else "中间")
    return Finding(
        f"dup-{line.number}",
        DUPLICATE,
        line.number,
        f"{where}“{snippet}”（{len(run)} 字）与第 {original.number} 行重复，建议删去",
        (Replace(line.number, start, end, ""),),
    )


def page_photos(lines: list[SourceLine]) -> list[Finding]:
    """Photos run together at the end of a testimony or an article: the first illustrates
    the text above it, the others are the page's own (版面图片) and leave the article."""
    page = parse_page([Line(line.number, line.text, line.text) for line in lines])
    found = []
    for article in page.articles():
        containers = [article.body] + [node.body for node in article.body if isinstance(node, Testimony)]
        for body in containers:
            run = []
            for node in reversed(body):
                if not isinstance(node, PhotoSlot) or node.photo_id is not None:
                    break
                run.insert(0, node)
            extra = run[1:]
            if not extra:
                continue
            first = extra[0].lines[0]
            numbers = tuple(n for photo in extra for n in photo.lines)
            found.append(
                Finding(
                    f"page-{first}",
                    PAGE_PHOTOS,
                    first,
                    f"连排 {len(run)} 张图片：第 {run[0].lines[0]} 行的图片配上面的文字，其后 {len(extra)} 张"
                    f"（{'、'.join(photo.caption[:10] + '…' for photo in extra)}）不配哪一段文字，"
                    "建议作为专题的版面图片，放在这篇稿件之后",
                    tuple(Replace(photo.lines[0], 0, 0, "【版面图片】") for photo in extra),
                    numbers,
                )
            )
    return found


# --- Accepting ---------------------------------------------------------------------------


def accepted_edits(findings: list[Finding], accepted: set[str]) -> list[Edit]:
    return [edit for finding in findings if finding.id in accepted for edit in finding.edits]


_ID = re.compile(r"^[a-z]+-\d+$")


def clean_ids(ids) -> set[str]:
    """Finding ids from a form: anything else is dropped."""
    return {value for value in ids if isinstance(value, str) and _ID.match(value)}
