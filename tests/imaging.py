"""Camera-like image files made in the test itself: IPTC IIM in UTF-8 or GB18030, XMP,
EXIF with GPS and the camera owner, EXIF orientation, and ICC colour profiles.

Pillow writes EXIF, XMP and ICC profiles; the IPTC block (a Photoshop APP13 segment) and
the ICC profiles are assembled here byte by byte, as cameras and photo software do.
"""

import io
import struct

from PIL import Image

# IPTC IIM


def iim(record: int, dataset: int, value: bytes) -> bytes:
    """One IIM dataset: tag marker, record, dataset, length, data."""
    return struct.pack(">BBBH", 0x1C, record, dataset, len(value)) + value


UTF8_DECLARATION = iim(1, 90, b"\x1b%G")  # "coded character set: UTF-8"


def with_iptc(jpeg: bytes, datasets: bytes) -> bytes:
    """`jpeg` with an APP13 "Photoshop 3.0" segment holding IPTC resource 0x0404."""
    padded = datasets + (b"\x00" if len(datasets) % 2 else b"")
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(datasets)) + padded
    payload = b"Photoshop 3.0\x00" + resource
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + segment + jpeg[2:]


# XMP


def xmp_packet(properties: str, attributes: str = "") -> bytes:
    """An XMP packet with one rdf:Description holding `properties` (elements) and
    `attributes` (simple properties written as attributes)."""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    {attributes}>
   {properties}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def alt(text: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{text}</rdf:li></rdf:Alt>'


def seq(*items: str) -> str:
    return "<rdf:Seq>" + "".join(f"<rdf:li>{item}</rdf:li>" for item in items) + "</rdf:Seq>"


# EXIF


def private_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: where the photo was taken, and whose camera."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x013B] = "Lü Zhixian"  # Artist
    exif[0x8825] = {  # GPS IFD: West Lake, Hangzhou
        1: "N",
        2: (30.0, 14.0, 45.0),
        3: "E",
        4: (120.0, 8.0, 31.0),
    }
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0xA430] = "Zhejiang Daily photo desk"  # CameraOwnerName
    exif_ifd[0xA431] = "SN-0042-7731"  # BodySerialNumber
    exif_ifd[0x9003] = "2022:06:20 09:30:00"  # DateTimeOriginal
    return exif


# ICC profiles (version 2, matrix/TRC: what cameras embed for sRGB and Adobe RGB)

D50 = (0.9642, 1.0, 0.8249)
SRGB_PRIMARIES = ((0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141))
ADOBE_RGB_PRIMARIES = ((0.6097, 0.3111, 0.0195), (0.2053, 0.6257, 0.0609), (0.1492, 0.0632, 0.7446))
# sRGB's red and blue swapped: pure red in such a file *is* blue; only a colour-managed
# conversion gets it right, which makes the conversion easy to see in a test.
SWAPPED_PRIMARIES = (SRGB_PRIMARIES[2], SRGB_PRIMARIES[1], SRGB_PRIMARIES[0])


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(xyz) -> bytes:
    return b"XYZ \x00\x00\x00\x00" + b"".join(_s15(v) for v in xyz)


def _desc(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\x00"
    return (
        b"desc\x00\x00\x00\x00"
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + b"\x00" * 8  # no Unicode description
        + b"\x00\x00\x00"
        + b"\x00" * 67  # no ScriptCode description
    )


def icc_profile(primaries=ADOBE_RGB_PRIMARIES, gamma: float = 2.2, name: str = "Test RGB") -> bytes:
    curve = b"curv\x00\x00\x00\x00" + struct.pack(">IH", 1, round(gamma * 256)) + b"\x00\x00"
    tags = [
        (b"desc", _desc(name)),
        (b"wtpt", _xyz(D50)),
        (b"rXYZ", _xyz(primaries[0])),
        (b"gXYZ", _xyz(primaries[1])),
        (b"bXYZ", _xyz(primaries[2])),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text\x00\x00\x00\x00Public domain\x00\x00\x00"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\x00" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + b"\x02\x10\x00\x00"
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2022, 6, 20, 0, 0, 0)
        + b"acsp"
        + b"\x00" * 24  # platform, flags, manufacturer, model, attributes
        + struct.pack(">I", 0)  # perceptual
        + b"".join(_s15(v) for v in D50)
        + b"lcms"
        + b"\x00" * 44  # profile ID and reserved
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


# Files


def jpeg(size=(400, 300), color=(200, 40, 40), *, image=None, quality=90, **save_options) -> bytes:
    image = image or Image.new("RGB", size, color)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **save_options)
    return buffer.getvalue()


def with_dot(size, focal, color=(255, 0, 0), background=(235, 235, 235), radius=None) -> Image.Image:
    """A plain picture with a coloured dot at the focal point (fractions of the size)."""
    from PIL import ImageDraw

    image = Image.new("RGB", size, background)
    radius = radius or max(2, min(size) // 40)
    x, y = focal[0] * (size[0] - 1), focal[1] * (size[1] - 1)
    ImageDraw.Draw(image).ellipse((x - radius, y - radius, x + radius, y + radius), fill=color)
    return image
