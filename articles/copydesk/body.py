"""An article body as text, for the body editor: the importer's grammar, written back.

`write_body()` turns body nodes into the text the editor shows; `read_body()` reads the
text back. Writing uses markers wherever plain text could be read as something else:

    浙江，中国革命红船的起航地。……            a paragraph (【段落】… if it could be misread)
    【小标题】党建统领                          a subheading
    余杭区…村委会主任 林国荣：党建统领，乡村焕发新活力   a testimony opens (【讲述】… if needed)
    【讲述结束】                                 back outside the testimony
    【图片#12】在嘉兴南湖，……                   a photo already in the library (caption shown,
                                                 changed on the photo's own page)
    在嘉兴南湖，……  +  本报记者 吕之暹 摄        a new photo slot awaiting its image
    【视频】扫一扫 看视频 https://…             a video link

`round_trips()` says whether a body survives write → read unchanged; the editor offers
the text only when it does, so opening and saving never changes what it cannot show.
"""

from . import grammar, shapes
from .draft import Paragraph, PhotoSlot, Subheading, Testimony, Video
from .lines import Line, read_lines

SECTION_END = "【讲述结束】"


def read_body(text: str) -> grammar.BodyResult:
    lines = [Line(line.number, line.text, line.text) for line in read_lines(text) if line.text]
    return grammar.parse_body(lines, grammar.EDITOR)


def write_body(nodes: list) -> str:
    out: list[str] = []
    in_testimony = False
    for node in nodes:
        if isinstance(node, Testimony):
            out.append(speaker_line(node))
            out += [block_line(block) for block in node.body]
            in_testimony = True
            continue
        if in_testimony:
            out.append(SECTION_END)
            in_testimony = False
        out.append(block_line(node))
    return "\n\n".join(out)


def block_line(node) -> str:
    if isinstance(node, Paragraph):
        return node.text if shapes.shape(node.text).kind == shapes.TEXT else f"【段落】{node.text}"
    if isinstance(node, Subheading):
        return f"【小标题】{node.text}"
    if isinstance(node, Video):
        return "【视频】" + " ".join(filter(None, [node.text, node.url]))
    if isinstance(node, PhotoSlot):
        caption = node.caption if "\n" not in node.caption else ""
        return f"【图片#{node.photo_id}】{caption}"
    raise TypeError(f"not a body block: {node!r}")


def speaker_line(testimony: Testimony) -> str:
    head = " ".join(filter(None, [testimony.speaker_title, testimony.speaker_name]))
    plain = f"{head}：{testimony.headline}"
    found = shapes.read_speaker(plain)
    if found and (found.title, found.name, found.headline) == (
        testimony.speaker_title,
        testimony.speaker_name,
        testimony.headline,
    ):
        return plain
    return f"【讲述】{plain}" if testimony.headline else f"【讲述】{head}"


def comparable(nodes: list) -> list:
    """What a body is to a reader: a photo already in the library is its id, whatever
    caption the text shows."""
    out = []
    for node in nodes:
        if isinstance(node, Testimony):
            out.append(
                ("testimony", node.speaker_name, node.speaker_title, node.headline, comparable(node.body))
            )
        elif isinstance(node, PhotoSlot) and node.photo_id is not None:
            out.append(("photo", node.photo_id))
        elif isinstance(node, PhotoSlot):
            out.append(("new photo", node.caption, node.credit_action, node.credits))
        elif isinstance(node, Video):
            out.append(("video", node.text, node.url))
        else:
            out.append((node.type, node.text))
    return out


def round_trips(nodes: list) -> bool:
    result = read_body(write_body(nodes))
    return not result.unplaced and comparable(result.nodes) == comparable(nodes)
