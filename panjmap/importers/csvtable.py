"""CSV text -> header + rows with the line number each row starts on.

Handles CRLF/LF, quoted fields with delimiters, quotes and newlines, an Excel
``sep=`` first line, ``;``/tab delimiters and an HXL hashtag row (HDX files).
Rows with the wrong number of fields or broken quoting are skipped with their
line number; a quote that never closes rejects the file, as does a file over
the column, value or field-length limits of :mod:`panjmap.importers.limits`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from json.encoder import encode_basestring

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from panjmap.importers.core import ImportRejected, Problems, Staged
from panjmap.importers.limits import MAX_COLUMNS, MAX_FIELD_CHARS, MAX_VALUES

_DELIMITERS = (",", ";", "\t")


@dataclass
class Table:
    header: list[str]  # original column names
    keys: list[str]  # lower-cased, stripped names for matching
    rows: list[list[str]]
    lines: list[int]  # line each row starts on
    rows_read: int
    skipped: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    hxl_line: int | None = None
    header_line: int = 1

    @cached_property
    def columns(self) -> list[pa.Array]:
        """The rows a column at a time, as Arrow text (what pandas' str dtype holds)."""
        values = zip(*self.rows) if self.rows else [()] * len(self.keys)
        return [pa.array(column, type=pa.string()) for column in values]

    def frame(self) -> pd.DataFrame:
        """The rows as text (str dtype), columns named by their matching keys."""
        return pd.DataFrame({key: pd.Series(column, dtype=str) for key, column in zip(self.keys, self.columns)})

    def originals(self) -> pd.Series:
        """Each row as JSON: every original column under its original name, exactly as
        ``json.dumps(dict(zip(header, row)), ensure_ascii=False)`` writes it, built a column at a time."""
        if not self.rows:
            return pd.Series([], dtype=str)
        fields = [_json_field(name, column) for name, column in zip(self.header, self.columns, strict=True)]
        return pd.Series(pc.binary_join_element_wise("{", pc.binary_join_element_wise(*fields, ", "), "}", ""),
                         dtype=str)

    def original_name(self, key: str) -> str:
        return self.header[self.keys.index(key)]

    def stage(
        self, source_format: str, frame: pd.DataFrame, mapped: dict[str, str],
        labels: dict[str, str], problems: Problems, warnings: list[str],
    ) -> Staged:
        return Staged(
            source_format=source_format,
            frame=frame,
            lines=np.asarray(self.lines, dtype=int),
            originals=self.originals(),
            mapped=mapped,
            labels=labels,
            problems=problems,
            skipped=list(self.skipped),
            warnings=self.warnings + warnings,
            rows_read=self.rows_read,
        )


def _json_field(name: str, column: pa.Array) -> pa.Array:
    """'"name": "value"' per row; a value with a quote, backslash or control character is escaped by json."""
    key = json.dumps(name, ensure_ascii=False) + ": "
    fields = pc.binary_join_element_wise(key + '"', column, '"', "")
    special = pc.match_substring_regex(column, r'[\x00-\x1f"\\]')
    if not pc.any(special).as_py():
        return fields
    escaped = [key + encode_basestring(value) for value in column.filter(special).to_pylist()]
    return pc.replace_with_mask(fields, special, pa.array(escaped, type=pa.string()))


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _is_hxl(row: list[str]) -> bool:
    cells = [cell.strip() for cell in row if cell.strip()]
    return bool(cells) and all(cell.startswith("#") for cell in cells)


def _refuse_unreadable(err: csv.Error, text: str, last: int, offset: int) -> None:
    """Raise ImportRejected when ``err`` means the rest of the file cannot be read (an unclosed
    quote, a field over the csv module's limit). ``last``: lines of ``text`` read so far;
    ``offset``: lines cut off its top (the ``sep=`` line)."""
    message = str(err)
    too_long = "field larger than field limit" in message
    if "unexpected end of data" in message or (too_long and _quotes_after_line(text, last) % 2):
        raise ImportRejected(
            f"Line {last + 1 + offset}: a quoted field starting on or after this line is never closed "
            '(missing closing "), so the rest of the file cannot be read as CSV.'
        ) from None
    if too_long:
        raise ImportRejected(
            f"Line {last + 1 + offset}: a field is longer than {MAX_FIELD_CHARS:,} characters, the most one CSV "
            "field may hold. An event table's fields are short: check that this is a CSV file with one "
            "record per line."
        ) from None


def _quotes_after_line(text: str, line: int) -> int:
    """Number of '"' from the start of line ``line + 1`` to the end (odd: a quote never closes)."""
    pos = 0
    for _ in range(line):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return 0
    return text.count('"', pos)


def _check_cost(text: str, delimiter: str) -> None:
    """Refuse, before parsing, a header too wide or a file with too many fields to hold in memory."""
    end = text.find("\n")
    columns = (text if end < 0 else text[:end]).count(delimiter) + 1
    if columns > MAX_COLUMNS:
        raise ImportRejected(
            f"The header has {columns:,} columns; an import may have at most {MAX_COLUMNS:,} "
            "(ACLED exports have 31, UCDP GED files 49). Remove the extra columns before importing."
        )
    values = text.count(delimiter) + text.count("\n") + 1
    if values > MAX_VALUES:
        raise ImportRejected(
            f"The file has about {values:,} fields ({delimiter!r}-separated values); an import may have at most "
            f"{MAX_VALUES:,}. Split the file or keep fewer columns before importing."
        )


def read_table(text: str) -> Table:
    warnings: list[str] = []
    text = text.replace("\r\n", "\n")  # also inside quoted fields; line numbers are unchanged
    first_line = text.split("\n", 1)[0].strip()
    offset = 0
    if m := re.fullmatch(r'"?sep=(.)"?', first_line):
        delimiter = m.group(1)
        offset = 1
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = _delimiter(first_line)
    _check_cost(text, delimiter)
    if delimiter != ",":
        warnings.append(f"columns are separated by {delimiter!r}, not commas")

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    skipped: list[tuple[int, str]] = []
    hxl_line: int | None = None
    last = 0
    rows_read = 0
    blank = 0
    while True:
        start = last + 1 + offset
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            _refuse_unreadable(err, text, last, offset)
            last = reader.line_num
            if header is not None:
                rows_read += 1
                skipped.append((start, f"broken CSV quoting ({err})"))
                continue
            raise ImportRejected(f"Line {start}: the header row has broken CSV quoting ({err}).") from None
        last = reader.line_num
        if not any(row) or (len(row) == 1 and not row[0].strip()):
            blank += header is not None
            continue
        if header is None:
            if len(row) > MAX_COLUMNS:
                raise ImportRejected(
                    f"Line {start}: the header has {len(row):,} columns; an import may have at most {MAX_COLUMNS:,}."
                )
            header, header_line = [cell.strip() for cell in row], start
            continue
        if not rows and hxl_line is None and not skipped and _is_hxl(row):
            hxl_line = start
            continue
        rows_read += 1
        if len(row) > len(header) and not any(cell.strip() for cell in row[len(header):]):
            row = row[: len(header)]
        if len(row) != len(header):
            skipped.append((start, f"has {len(row)} fields but the header has {len(header)}"))
            continue
        rows.append(row)
        lines.append(start)
    if header is None:
        raise ImportRejected("The file has no header row.")
    if blank:
        warnings.append(f"ignored {blank} blank lines")
    if hxl_line:
        warnings.append(f"skipped the HXL hashtag row on line {hxl_line}")
    header, keys = _names(header, header_line)
    return Table(header, keys, rows, lines, rows_read, skipped, warnings, hxl_line, header_line)


def _names(header: list[str], line: int) -> tuple[list[str], list[str]]:
    """Name blank columns, reject duplicates; -> (names, matching keys)."""
    names = [name or f"column_{pos + 1}" for pos, name in enumerate(header)]
    keys = [name.lower() for name in names]
    seen: dict[str, int] = {}
    for pos, key in enumerate(keys):
        if key in seen:
            raise ImportRejected(
                f"Line {line}: column '{names[pos]}' appears twice in the header (columns {seen[key] + 1} "
                f"and {pos + 1}); every column name must be unique."
            )
        seen[key] = pos
    return names, keys
