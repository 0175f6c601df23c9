"""Bytes -> text, refusing what is not a UTF-8 text file, with a specific reason."""

from __future__ import annotations

import re

from panjmap.importers.core import ImportRejected
from panjmap.importers.limits import mb

# Leading bytes of files people upload by mistake -> what they are.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (or an Excel .xlsx workbook); unzip it or save the sheet as 'CSV UTF-8'"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook; save the sheet as 'CSV UTF-8'"),
    (b"\x1f\x8b", "a gzip-compressed file; decompress it first"),
    (b"%PDF", "a PDF document"),
    (b"SQLite format 3\x00", "an SQLite database (GeoPackage?); export the layer as GeoJSON"),
    (b"PAR1", "a Parquet file; export it as CSV"),
)
# Control characters other than tab, newline, carriage return and form feed.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise ImportRejected(
            f"The file is {size:,} bytes ({mb(size)}); the import limit is {limit:,} bytes ({mb(limit)}). "
            "Split or filter it before importing."
        )


def _utf16_without_bom(data: bytes) -> str:
    """'UTF-16LE' or 'UTF-16BE' when the start reads as mostly-ASCII UTF-16, else ''."""
    sample = data[:4096]
    if len(sample) < 4:
        return ""
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    for name, zeros, chars in (("UTF-16LE", odd, even), ("UTF-16BE", even, odd)):
        if zeros.count(0) >= 0.9 * len(zeros) and chars.count(0) <= 0.1 * len(chars):
            return name
    return ""


def decode(data: bytes, limit: int) -> str:
    """The file's text; ImportRejected if it is too big, empty, binary or not UTF-8."""
    check_size(len(data), limit)
    if not data.strip():
        raise ImportRejected("The file is empty." if not data else "The file contains only whitespace.")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportRejected(f"This is not a CSV or GeoJSON text file: it is {what}.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected("The file is UTF-16 text, not UTF-8 text; re-save it as UTF-8 ('CSV UTF-8').")
    if utf16 := _utf16_without_bom(data):
        raise ImportRejected(
            f"The file looks like {utf16} text without a byte-order mark (every second byte is NUL), "
            "not UTF-8 text; re-save it as UTF-8 ('CSV UTF-8')."
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportRejected(
            f"The file is binary data, not text: NUL byte at byte offset {nul} (line {line_of(data, nul)}). "
            "Expected a CSV or GeoJSON file saved as UTF-8 text."
        )
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = bom + err.start
        raise ImportRejected(
            f"The file is not UTF-8 text: byte 0x{data[offset]:02X} at byte offset {offset} "
            f"(line {line_of(data, offset)}) is not valid UTF-8. It was probably saved as "
            "Windows-1252/Latin-1; re-save it as UTF-8 ('CSV UTF-8') and import again."
        ) from None
    sample = text[:65536]
    controls = len(_CONTROLS.findall(sample))
    if controls > max(8, len(sample) // 100):
        raise ImportRejected(
            f"The file looks like binary data, not text: {controls} control characters in its first "
            f"{len(sample):,} characters. Expected a CSV or GeoJSON text file."
        )
    return text
