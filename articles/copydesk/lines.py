"""The manuscript as numbered lines, and the edits the copy desk proposes on them.

Line numbers are what an editor sees in a text editor: the file's physical lines, from 1,
blank ones included. Edits are made on the original lines and keep those numbers, so a
paragraph joined from lines 11 and 12 is still "line 11" and line 12 says where it went.
"""

import unicodedata
from dataclasses import dataclass, field

# Invisible or odd spaces Word and web pages leave behind.
_SPACES = {"\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200b": "", "\ufeff": ""}


@dataclass(frozen=True)
class SourceLine:
    number: int  # 1-based, blank lines counted
    text: str


@dataclass(frozen=True)
class Replace:
    """Replace `text[start:end]` of line `line` (its original text) with `new`."""

    line: int
    start: int
    end: int
    new: str


@dataclass(frozen=True)
class Join:
    """Append line `line` to line `into` (the paragraph it continues), with `separator`."""

    line: int
    into: int
    separator: str = ""


Edit = Replace | Join


@dataclass
class Line:
    """A line after the accepted edits: its number, its text, and the lines joined into it."""

    number: int
    text: str
    original: str = ""
    joined: list[int] = field(default_factory=list)

    @property
    def numbers(self) -> list[int]:
        return [self.number, *self.joined]

    @property
    def changed(self) -> bool:
        return self.text != self.original or bool(self.joined)


def read_lines(text: str) -> list[SourceLine]:
    """The manuscript's lines, numbered from 1, stripped, odd spaces made plain."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        clean = "".join(_SPACES.get(char, char) for char in raw)
        lines.append(SourceLine(number, unicodedata.normalize("NFC", clean).strip()))
    while lines and not lines[-1].text:
        lines.pop()
    return lines


def non_blank(lines) -> list:
    return [line for line in lines if line.text]


def apply(lines: list[SourceLine], edits: list[Edit]) -> tuple[list[Line], list[Edit]]:
    """The lines with `edits` made; returns (lines, edits that could not be made).

    Replacements on one line are made from left to right; one that overlaps an earlier one
    (a comma inside a passage already deleted) is skipped, the larger edit winning.
    Joined lines disappear into their target. Lines left empty drop out.
    """
    by_number = {line.number: Line(line.number, line.text, line.text) for line in lines}
    skipped: list[Edit] = []
    replaces: dict[int, list[Replace]] = {}
    for edit in edits:
        if isinstance(edit, Replace):
            replaces.setdefault(edit.line, []).append(edit)
    for number, own in replaces.items():
        line = by_number.get(number)
        if line is None:
            skipped += own
            continue
        applied: list[Replace] = []
        for edit in sorted(own, key=lambda e: (e.start, -(e.end - e.start))):
            if applied and edit.start < max(e.end for e in applied):
                skipped.append(edit)
                continue
            applied.append(edit)
        text = line.original
        for edit in sorted(applied, key=lambda e: e.start, reverse=True):
            text = text[: edit.start] + edit.new + text[edit.end :]
        line.text = text
    target: dict[int, int] = {}
    for edit in sorted((e for e in edits if isinstance(e, Join)), key=lambda e: e.line):
        into = edit.into
        while into in target:
            into = target[into]
        if edit.line not in by_number or into not in by_number or edit.line in target:
            skipped.append(edit)
            continue
        moved = by_number[edit.line]
        receiver = by_number[into]
        receiver.text = receiver.text + edit.separator + moved.text
        receiver.joined += [moved.number, *moved.joined]
        target[edit.line] = into
    result = [line for number, line in sorted(by_number.items()) if number not in target and line.text]
    return result, skipped


def joined_into(lines: list[Line]) -> dict[int, int]:
    """{line number: the line it was joined into}."""
    return {joined: line.number for line in lines for joined in line.joined}
