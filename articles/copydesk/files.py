"""Manuscript files as text. Word files (.docx): one line per paragraph, tables cell by cell,
in the order they stand in the document; line breaks inside a paragraph stay line breaks.
Plain text files: in the encodings a Chinese newsroom's machines save (UTF-8, GB18030)."""

import zipfile

import docx
from docx.table import Table


class UnreadableDocument(ValueError):
    pass


def docx_text(file) -> str:
    """The text of the .docx `file` (a path or a binary file object)."""
    try:
        document = docx.Document(file)
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableDocument(
            "无法读取这个 Word 文件：它可能已损坏，或不是 .docx 格式（.doc 请先另存为 .docx）。"
        ) from error
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            seen = set()  # a merged cell is listed once per grid square it covers
            for row in block.rows:
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        lines += [paragraph.text for paragraph in cell.paragraphs]
        else:
            lines.append(block.text)
    return "\n".join(lines)


# Tried in this order: a UTF-8 file (with or without the BOM Windows Notepad writes) is
# almost never valid GB18030 the other way round.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
TEXT_SUFFIXES = (".txt", ".text", "")


def plain_text(data: bytes) -> str | None:
    """The text of a plain text file, or None when it is in none of `TEXT_ENCODINGS`."""
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
