"""Import ACLED, UCDP GED and GeoJSON point files into the incident schema.

    from panjmap.importers import import_file, ImportResult, ImportRejected, MAX_IMPORT_BYTES
    result = import_file(data, "acled_tjk.csv")          # fmt="auto"
    result.records      # GeoDataFrame, EPSG:4326, RESULT_COLUMNS + geometry
    print(result.summary())

A file is imported whole or not at all: :class:`ImportRejected` carries a
user-facing ``message``; row-level problems are listed in ``result.skipped``.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from panjmap.importers import acled, detect, geojson_points, textfile, ucdp
from panjmap.importers.core import (
    RESULT_COLUMNS,
    ImportRejected,
    ImportResult,
    Staged,
    finalize,
)
from panjmap.importers.csvtable import read_table
from panjmap.importers.limits import MAX_IMPORT_BYTES

__all__ = ["import_file", "ImportResult", "ImportRejected", "MAX_IMPORT_BYTES", "RESULT_COLUMNS", "FORMATS"]

FORMATS: tuple[str, ...] = detect.FORMATS


def dataset_name_from(filename: str) -> str:
    """'data/ACLED Tajikistan 2025.csv' -> 'ACLED_Tajikistan_2025'."""
    stem = PurePath(filename.replace("\\", "/")).stem if filename else ""
    return re.sub(r"[^\w.-]+", "_", stem).strip("_.") or "import"


def import_file(data: bytes, filename: str, fmt: str = "auto", dataset_name: str | None = None) -> ImportResult:
    """Parse ``data`` (the file's bytes) as ``fmt`` ("auto", "acled", "ucdp" or "geojson")."""
    text = textfile.decode(data, MAX_IMPORT_BYTES)
    kind = detect.text_kind(text, fmt)
    staged: Staged
    if kind == "geojson":
        staged = geojson_points.stage(text)
    else:
        table = read_table(text)
        csv_fmt = detect.csv_format(table.keys, fmt, table.header_line, table.header)
        staged = acled.stage(table) if csv_fmt == "acled" else ucdp.stage(table)
    return finalize(staged, dataset_name or dataset_name_from(filename))
