"""A deterministic zip writer: the same entries give the same bytes.

Entries are written in the order given (the caller sorts them), each with the same fixed
timestamp, the same permissions and no extra fields; JSON and HTML are deflated, photos
(already compressed) stored. Every entry is hashed while it is written, so the manifest
needs no second pass over the photos, and a photo is copied in chunks: memory stays flat
whatever the size or number of photos.
"""

import datetime as dt
import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1024 * 1024
STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".zip")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    sha256: str


class DeterministicZip:
    def __init__(self, out: BinaryIO, when: dt.datetime):
        # Zip entries carry a local time without a zone: the caller passes Beijing time.
        self.date_time = max(tuple(when.timetuple()[:6]), ZIP_EPOCH)
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.entries: list[Entry] = []

    def _info(self, path: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.create_system = 3  # Unix, whatever machine exports
        info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
        stored = path.lower().endswith(STORED_SUFFIXES)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        return info

    def write_bytes(self, path: str, data: bytes) -> Entry:
        info = self._info(path)
        with self.zip.open(info, "w") as dest:
            dest.write(data)
        entry = Entry(path, len(data), hashlib.sha256(data).hexdigest())
        self.entries.append(entry)
        return entry

    def write_stream(self, path: str, chunks: Iterable[bytes], size_hint: int = 0) -> Entry:
        info = self._info(path)
        info.file_size = size_hint
        digest, size = hashlib.sha256(), 0
        with self.zip.open(info, "w", force_zip64=size_hint > zipfile.ZIP64_LIMIT) as dest:
            for chunk in chunks:
                dest.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        entry = Entry(path, size, digest.hexdigest())
        self.entries.append(entry)
        return entry

    def close(self) -> None:
        self.zip.close()


def read_chunks(file: BinaryIO, chunk: int = CHUNK) -> Iterable[bytes]:
    while data := file.read(chunk):
        yield data
