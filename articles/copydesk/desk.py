"""One reading of a manuscript: the fixes proposed, those accepted, the draft that results,
the questions left, and what became of every line. What the admin review page, the
`import_text` command and the tests all look at."""

from collections import Counter
from dataclasses import dataclass, field

from . import grammar, questions, report
from .draft import Manuscript
from .lines import Edit, Line, SourceLine, apply, joined_into, read_lines
from .page import parse_page

BLANK = "空行"
DELETED = "删去"

# A special report runs to a few pages of some 10,000 characters each. Far more than that
# is the wrong file (or a hostile paste): refused before reading, which would keep the
# editor's page waiting.
MAX_CHARACTERS = 100_000


def manuscript_too_long(text: str) -> str:
    """Why a manuscript is refused unread, or "" when its length is fine."""
    return _too_long(
        text,
        "稿件文本过长：共 {length} 个字符，一次最多导入 {most} 个字符。"
        "一个专题通常只有几万字：请检查是否选错了文件，或分几次导入。",
    )


def body_too_long(text: str) -> str:
    """The same bound for one article's body written as text."""
    return _too_long(
        text,
        "正文文本过长：共 {length} 个字符，上限为 {most} 个字符。请检查是否误粘贴了整篇文件，这次没有保存。",
    )


def _too_long(text: str, refusal: str) -> str:
    if len(text) <= MAX_CHARACTERS:
        return ""
    return refusal.format(length=len(text), most=MAX_CHARACTERS)


@dataclass(frozen=True)
class Row:
    """One line of the manuscript in the review: what it said and what it became."""

    number: int
    text: str  # as received
    now: str  # after the accepted fixes ("" when it went into another line or was deleted)
    element: str
    part: int | None
    note: str = ""


@dataclass
class Reading:
    source: list[SourceLine]
    fixes: list[report.Finding]
    accepted: set[str]
    lines: list[Line]
    page: Manuscript
    questions: list[report.Finding]
    skipped: list[Edit] = field(default_factory=list)

    @property
    def findings(self) -> list[report.Finding]:
        return sorted(self.fixes + self.questions, key=lambda f: (f.line, f.category))

    def rows(self) -> list[Row]:
        joined = joined_into(self.lines)
        now = {line.number: line for line in self.lines}
        rows = []
        for source in self.source:
            number = source.number
            if not source.text:
                rows.append(Row(number, "", "", BLANK, None))
            elif number in joined:
                rows.append(Row(number, source.text, "", grammar.JOINED, None, f"并入第 {joined[number]} 行"))
            elif number not in now:
                rows.append(Row(number, source.text, "", DELETED, None, "整行重复，已删去"))
            else:
                element, part = self.page.elements.get(number, (grammar.UNPLACED, None))
                line = now[number]
                rows.append(
                    Row(number, source.text, line.text, element, part, "已修改" if line.changed else "")
                )
        return rows

    def element_counts(self) -> Counter:
        """How many of the manuscript's non-blank lines became each element."""
        return Counter(row.element for row in self.rows() if row.element != BLANK)


def read_manuscript(text: str, accepted=(), *, accept_all: bool = False) -> Reading:
    source = read_lines(text)
    fixes = report.fixes(source)
    chosen = {f.id for f in fixes} if accept_all else report.clean_ids(accepted) & {f.id for f in fixes}
    lines, skipped = apply(source, report.accepted_edits(fixes, chosen))
    page = parse_page(lines)
    asked = questions.questions(lines, page)
    return Reading(source, fixes, chosen, lines, page, asked, skipped)


def fix_ids(text: str, category: str) -> set[str]:
    """The ids of every fix of one category (标点, …) the manuscript has."""
    return {f.id for f in report.fixes(read_lines(text)) if f.category == category}
