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
    han = len(_CJK.findall(text)) + len(_CJK_PUNCTUATION.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    return han + latin
