"""What the photographer already wrote into the file: IPTC IIM, XMP and EXIF fields.

Read once on upload and stored as it was read (Photo.embedded_metadata); the admin offers
it as a first draft of the caption, alt text and credits, which the editor confirms.

IIM text has no fixed encoding: UTF-8 when dataset 1:90 says so (ESC % G), otherwise
whatever the photographer's software used; Chinese desks meet UTF-8 and GB18030 (GBK) both.
XMP is always Unicode.
"""

import datetime as dt
import logging
import re

from PIL import Image, IptcImagePlugin

log = logging.getLogger(__name__)

FIELDS = {
    # key: label shown to the editor
    "caption": "说明",
    "headline": "标题",
    "alt_text": "替代文字",
    "creators": "作者",
    "creator_title": "作者身份",
    "credit": "来源",
    "copyright": "版权",
    "date_taken": "拍摄时间",
    "city": "城市",
}

UTF8_ESCAPE = b"\x1b%G"

# IIM record 2 datasets (IPTC IIM 4.2).
IIM = {
    "caption": (2, 120),
    "headline": (2, 105),
    "creators": (2, 80),
    "creator_title": (2, 85),
    "credit": (2, 110),
    "copyright": (2, 116),
    "city": (2, 90),
}
IIM_DATE, IIM_TIME, IIM_CHARSET = (2, 55), (2, 60), (1, 90)

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "iptc": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
XMP = {
    "caption": [("dc", "description")],
    "headline": [("photoshop", "Headline")],
    "alt_text": [("iptc", "AltTextAccessibility")],
    "creators": [("dc", "creator")],
    "creator_title": [("photoshop", "AuthorsPosition")],
    "credit": [("photoshop", "Credit")],
    "copyright": [("dc", "rights")],
    "date_taken": [("photoshop", "DateCreated"), ("exif", "DateTimeOriginal"), ("xmp", "CreateDate")],
    "city": [("photoshop", "City")],
}


def _tag(prefix: str, name: str) -> str:
    """ElementTree's spelling of a namespaced name: {uri}name."""
    return "{" + NS[prefix] + "}" + name


EXIF_DATE_TAKEN, EXIF_OFFSET_TAKEN, EXIF_IFD = 0x9003, 0x9011, 0x8769
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def read_embedded(file) -> dict:
    """The fields found in an image file (an open file or upload), as
    {"caption": str, "creators": [str], …, "read_from": ["IPTC", "XMP"]}; only fields that
    were present. A file without any, or with unreadable metadata, gives {}."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            iptc, xmp, exif = _iptc(image), _xmp(image), _exif(image)
    except (OSError, SyntaxError, ValueError) as exc:
        log.warning("读取图片内嵌信息失败：%s", exc)
        return {}
    finally:
        file.seek(position)
    found: dict = {}
    # XMP first: it is Unicode by definition; IIM fills what XMP lacks, EXIF after both.
    for source in (xmp, iptc, exif):
        for key, value in source.items():
            if value and key not in found:
                found[key] = value
    read_from = [name for name, source in (("IPTC", iptc), ("XMP", xmp), ("EXIF", exif)) if source]
    if found:
        found["read_from"] = read_from
    return found


# IPTC IIM


def _iptc(image: Image.Image) -> dict:
    try:
        info = IptcImagePlugin.getiptcinfo(image) or {}
    except (OSError, SyntaxError, ValueError, IndexError, KeyError):
        return {}
    utf8 = _values(info.get(IIM_CHARSET)) == [UTF8_ESCAPE]
    found: dict = {}
    for key, dataset in IIM.items():
        texts = [_decode(raw, utf8) for raw in _values(info.get(dataset))]
        texts = [t for t in texts if t]
        if texts:
            found[key] = _names(texts) if key == "creators" else "\n".join(texts)
    date = _values(info.get(IIM_DATE))
    if date:
        time = _values(info.get(IIM_TIME))
        found["date_taken"] = _iim_date(date[0], time[0] if time else b"")
    return {k: v for k, v in found.items() if v}


def _values(value) -> list[bytes]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _decode(raw: bytes, utf8: bool) -> str:
    if utf8:
        return _clean(raw.decode("utf-8", errors="replace"))
    # Undeclared: UTF-8 if it is valid UTF-8 (Chinese GB18030 text almost never is), then
    # GB18030 (a superset of GBK and GB2312), then Latin-1, which decodes anything.
    for encoding in ("utf-8", "gb18030"):
        try:
            return _clean(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    return _clean(raw.decode("latin-1"))


def _clean(text: str) -> str:
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _iim_date(date: bytes, time: bytes) -> str:
    """CCYYMMDD and HHMMSS±HHMM → ISO 8601 ("2022-06-20T09:30:00+08:00", or a date)."""
    try:
        day = dt.datetime.strptime(date.decode("ascii").strip(), "%Y%m%d").date()  # noqa: DTZ007 (a date)
    except (ValueError, UnicodeDecodeError):
        return ""
    text = time.decode("ascii", errors="ignore").strip()
    match = re.fullmatch(r"(\d\d)(\d\d)(\d\d)([+-]\d\d\d\d)?", text)
    if not match:
        return day.isoformat()
    hour, minute, second, offset = match.groups()
    stamp = f"{day.isoformat()}T{hour}:{minute}:{second}"
    return stamp + (f"{offset[:3]}:{offset[3:]}" if offset else "")


def _names(texts: list[str]) -> list[str]:
    """By-lines as names: one per dataset, and a Chinese line "吕之暹、周晨磊" split too."""
    names: list[str] = []
    for text in texts:
        separators = r"[、,，;；/／\n]+|\s+" if CJK.search(text) else r"[,，;；/／\n]+"
        names += [part.strip() for part in re.split(separators, text) if part.strip()]
    return list(dict.fromkeys(names))


# XMP (Pillow's getxmp, which parses with defusedxml)


def _xmp(image: Image.Image) -> dict:
    try:
        tree = image.getxmp(strip_namespaces=False)
    except Exception:  # malformed XML in a file is the photographer's, not a crash of ours
        log.warning("图片的 XMP 信息无法解析，已忽略")
        return {}
    descriptions = _descriptions(tree)
    found: dict = {}
    for key, names in XMP.items():
        for prefix, name in names:
            tag = _tag(prefix, name)
            values = [t for d in descriptions if tag in d for t in _texts(d[tag])]
            values = [_clean(v) for v in values if v and _clean(v)]
            if values:
                found[key] = _names(values) if key == "creators" else values[0]
                break
    return found


def _descriptions(node) -> list[dict]:
    """Every rdf:Description in the tree (there may be one per namespace)."""
    key = _tag("rdf", "Description")
    found = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key:
                found += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]
            else:
                found += _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            found += _descriptions(item)
    return found


def _texts(value) -> list[str]:
    """The strings in an XMP property: a plain value, or an rdf:Alt / Seq / Bag of rdf:li,
    the x-default (or Chinese) alternative first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if not isinstance(value, dict):
        return []
    li = _tag("rdf", "li")
    for container in ("Alt", "Seq", "Bag"):
        inner = value.get(_tag("rdf", container))
        if inner is not None:
            items = inner.get(li, []) if isinstance(inner, dict) else []
            items = items if isinstance(items, list) else [items]
            if container == "Alt":
                items = sorted(items, key=_language_rank)
            return [t for item in items for t in _texts(item)]
    if "text" in value:
        return [value["text"]]
    return []


def _language_rank(item) -> int:
    language = item.get(_tag("xml", "lang"), "") if isinstance(item, dict) else ""
    return 0 if language == "x-default" else 1 if language.lower().startswith("zh") else 2


# EXIF: only the date taken (its text fields are ASCII by the standard, rarely Chinese).


def _exif(image: Image.Image) -> dict:
    try:
        ifd = image.getexif().get_ifd(EXIF_IFD)
    except Exception:  # a broken EXIF block must not stop the upload
        return {}
    taken = ifd.get(EXIF_DATE_TAKEN)
    if not isinstance(taken, str):
        return {}
    try:
        stamp = dt.datetime.strptime(taken.strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 (offset below)
    except ValueError:
        return {}
    offset = ifd.get(EXIF_OFFSET_TAKEN)
    text = stamp.isoformat()
    if isinstance(offset, str) and re.fullmatch(r"[+-]\d\d:\d\d", offset.strip("\x00 ")):
        text += offset.strip("\x00 ")
    return {"date_taken": text}


# Suggestions for the admin form


def suggested_alt_text(found: dict) -> str:
    """The file's own alt text, else its headline, else the caption's first sentence."""
    text = found.get("alt_text") or found.get("headline") or ""
    if not text and found.get("caption"):
        text = re.split(r"(?<=[。！？!?])", found["caption"], maxsplit=1)[0]
    return text[:300]


def date_taken_label(value: str) -> str:
    """ "2022-06-20T09:30:00+08:00" → "2022年6月20日 09:30"."""
    try:
        stamp = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value or ""
    label = f"{stamp.year}年{stamp.month}月{stamp.day}日"
    return label if len(value) <= 10 else f"{label} {stamp:%H:%M}"
