"""Pure text rules of Chinese typesetting. No ORM: strings in, strings out."""

import re

# GB/T 15834-2011: inside Chinese text these marks are full-width.
FULL_WIDTH = str.maketrans({",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"})
_ASCII_PUNCTUATION = re.compile(r"[,:;!?()]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef\u2014\u2026\u2018\u2019\u201c\u201d\u00b7]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:[.,:%'/-][A-Za-z0-9]+)*%?")


def full_width_punctuation(text: str) -> str:
    """Turn ASCII , : ; ! ? ( ) into their full-width forms, except inside numbers (1,000  9:30)."""

    def replace(match: re.Match) -> str:
        start, end = match.start(), match.end()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if (
            match.group() in ",:"
            and before.isascii()
            and before.isdigit()
            and after.isascii()
            and after.isdigit()
        ):
            return match.group()
        return match.group().translate(FULL_WIDTH)

    return _ASCII_PUNCTUATION.sub(replace, text)


def count_characters(text: str) -> int:
    """字数 as editors count it: every Han character and Chinese punctuation mark is one,
    and every run of Latin letters or digits ("2013", "12.23%", "GDP") is one."""
    # Runs of Han characters and marks, summed by length: a match per run, not one per
    # character (four times faster on a 200-article issue). The two kinds never overlap
    # (Latin runs are ASCII, the others are not), so they are counted apart.
    return sum(map(len, _CHINESE_RUN.findall(text))) + len(_LATIN_WORD.findall(text))


_CHINESE_RUN = re.compile(f"[{_CJK.pattern[1:-1]}{_CJK_PUNCTUATION.pattern[1:-1]}]+")


# --- Copy desk: ASCII punctuation and straight quotes in Chinese text (GB/T 15834-2011) ---
#
# `full_width_punctuation()` above turns every mark; the copy desk needs to leave alone
# what is not Chinese text: URLs, e-mail addresses, code, English clauses and numbers.
# The rules work on one line and return edits, so each change can be shown and accepted.

# Spans nothing inside is touched. A URL stops at Chinese text or full-width punctuation.
_PROTECTED = re.compile(
    r"`[^`\n]*`"
    r"|(?:https?|ftp)://[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff\u201c\u201d\u2018\u2019]+"
    r"|www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]*)?"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
# A URL does not end in punctuation: "见https://a.cn/x,详情" ends the URL before the comma.
_URL_TAIL = re.compile(r"[.,:;!?)]+$")
# Where a clause starts, looking back from a mark: only the clause decides whether it is Chinese.
_CLAUSE_END = set("。！？；!?;\n")
_CLOSING_MARKS = ",:;!?"


def is_chinese(char: str) -> bool:
    """A Han character or a Chinese (full-width) punctuation mark."""
    return bool(char) and bool(_CJK.match(char) or _CJK_PUNCTUATION.match(char))


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of URLs, e-mail addresses and `code` in `text`."""
    spans = []
    for match in _PROTECTED.finditer(text):
        start, end = match.span()
        if match.group().startswith(("http", "ftp", "www")):
            tail = _URL_TAIL.search(match.group())
            if tail and not (tail.group().startswith(")") and "(" in match.group()):
                end -= len(tail.group())
        spans.append((start, end))
    return spans


def punctuation_edits(text: str) -> list[tuple[int, int, str]]:
    """Edits (start, end, replacement) that typeset ASCII , : ; ! ? ( ) and straight quotes
    in the Chinese parts of one line, per GB/T 15834.

    Left alone: numbers (3,000  12.5%  9:30), URLs, e-mail addresses, `code`, and clauses
    with no Chinese in them ("It is ok, right?"). Spaces next to a mark made full-width go,
    since the full-width mark carries its own space ("林国荣: 党建" → "林国荣：党建").
    """
    shielded = [False] * len(text)
    for start, end in protected_spans(text):
        for i in range(start, end):
            shielded[i] = True
    marks: dict[int, str] = {}
    _parentheses(text, shielded, marks)
    _closing_marks(text, shielded, marks)
    _quotes(text, shielded, marks, '"', "\u201c\u201d")
    _quotes(text, shielded, marks, "'", "\u2018\u2019")
    edits = []
    for position in sorted(marks):
        start, end = position, position + 1
        # Spaces the full-width mark makes redundant (not those around a quote mark).
        if marks[position] not in "\u201c\u201d\u2018\u2019":
            while end < len(text) and text[end] == " " and not shielded[end]:
                end += 1
            while start > 0 and text[start - 1] == " " and (start - 1) not in marks:
                start -= 1
        edits.append((start, end, marks[position]))
    return _without_overlaps(edits)


def chinese_punctuation(text: str) -> str:
    """`text` with `punctuation_edits()` applied."""
    return apply_edits(text, punctuation_edits(text))


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, replacement) edits to `text`."""
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _without_overlaps(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for edit in sorted(edits):
        if kept and edit[0] < kept[-1][1]:
            # Two marks claimed the same space between them: the space goes once.
            previous = kept.pop()
            kept.append((previous[0], previous[1], previous[2]))
            kept.append((previous[1], max(edit[1], previous[1]), edit[2]))
            continue
        kept.append(edit)
    return kept


def _neighbour(text: str, index: int, step: int) -> str:
    """The nearest character that is not a space, from `index` in direction `step`."""
    while 0 <= index < len(text) and text[index] in " \t\u3000":
        index += step
    return text[index] if 0 <= index < len(text) else ""


def _clause_before(text: str, index: int) -> str:
    start = index
    while start > 0 and text[start - 1] not in _CLAUSE_END:
        start -= 1
    return text[start:index]


def _chinese_context(text: str, index: int) -> bool:
    """Is the mark at `index` in Chinese text? Its clause has Chinese in it, or nothing
    Latin comes before it and Chinese follows ("98.43%,共")."""
    clause = _clause_before(text, index)
    if any(is_chinese(char) for char in clause):
        return True
    after = _neighbour(text, index + 1, 1)
    return is_chinese(after) and not re.search(r"[A-Za-z]", clause)


def _closing_marks(text: str, shielded: list[bool], marks: dict[int, str]) -> None:
    for index, char in enumerate(text):
        if char not in _CLOSING_MARKS or shielded[index]:
            continue
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if char in ",:" and before.isascii() and before.isdigit() and after.isascii() and after.isdigit():
            continue  # 3,000  9:30
        if _chinese_context(text, index):
            marks[index] = char.translate(FULL_WIDTH)


def _parentheses(text: str, shielded: list[bool], marks: dict[int, str]) -> None:
    """Pairs are typeset together: "村(社区)", "(扩大)" and "中国(China)" yes; "foo(a, b)"
    no, and what stays inside such Latin brackets is left alone too."""
    stack: list[int] = []
    pairs: list[tuple[int | None, int | None]] = []
    for index, char in enumerate(text):
        if shielded[index]:
            continue
        if char == "(":
            stack.append(index)
        elif char == ")":
            pairs.append((stack.pop() if stack else None, index))
    pairs += [(opening, None) for opening in stack]
    for opening, closing in pairs:
        start = opening + 1 if opening is not None else 0
        end = closing if closing is not None else len(text)
        inside = text[start:end]
        before = text[opening - 1] if opening else ""
        outside = [
            _neighbour(text, opening - 1, -1) if opening is not None else "",
            _neighbour(text, closing + 1, 1) if closing is not None else "",
        ]
        chinese_inside = any(is_chinese(char) for char in inside)
        # A call or an abbreviation glued to a Latin word: foo(a, b), f(x)
        latin_call = before.isascii() and before.isalnum() and not chinese_inside
        if chinese_inside or (not latin_call and any(is_chinese(char) for char in outside)):
            if opening is not None:
                marks[opening] = "（"
            if closing is not None:
                marks[closing] = "）"
        else:
            for index in range(start, end):
                shielded[index] = True


def _quotes(text: str, shielded: list[bool], marks: dict[int, str], straight: str, curly: str) -> None:
    """Straight quotes paired in order; an apostrophe inside a Latin word (don't) is no quote."""
    places = [
        index
        for index, char in enumerate(text)
        if char == straight
        and not shielded[index]
        and not (
            straight == "'"
            and index
            and text[index - 1].isascii()
            and text[index - 1].isalnum()
            and index + 1 < len(text)
            and text[index + 1].isascii()
            and text[index + 1].isalnum()
        )
    ]
    for opening, closing in zip(places[::2], places[1::2], strict=False):
        inside = text[opening + 1 : closing]
        around = _neighbour(text, opening - 1, -1) + _neighbour(text, closing + 1, 1)
        if any(is_chinese(char) for char in inside + around):
            marks[opening], marks[closing] = curly[0], curly[1]


# --- Dates as printed ----------------------------------------------------------------------

_PRINTED_DATE = [
    re.compile(r"^(?P<year>\d{4})年(?:(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?$"),
    re.compile(r"^(?P<year>\d{4})(?:[-./](?P<month>\d{1,2})(?:[-./](?P<day>\d{1,2}))?)?$"),
]


def parse_printed_date(text: str):
    """ "2022年", "2022年10月", "2022年10月16日", "2022", "2022-10", "2022-10-16" →
    (date, precision) with precision "year", "month" or "day"; None when it is no date.

    The date of a year or month is its first day, as `TimelineItem` stores it; the
    precision says that day was never printed. Full-width digits are read too.
    """
    import datetime as dt
    import unicodedata

    text = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "")
    for pattern in _PRINTED_DATE:
        match = pattern.match(text)
        if not match:
            continue
        year, month, day = match["year"], match["month"], match["day"]
        try:
            value = dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            return None
        return value, "day" if day else "month" if month else "year"
    return None
