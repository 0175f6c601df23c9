"""What one import may cost, in one place (docs/imports.md gives the measurements behind them).

Every limit is checked on the raw text before it is parsed, so a file that would
exceed one is refused in well under a second with a message naming the limit,
instead of after minutes and gigabytes. A chunked or streaming reader should
reuse these constants, not restate them.
"""

from __future__ import annotations

import csv

# Upload size in decimal megabytes: Streamlit's browser uploader multiplies
# server.maxUploadSize by 1000 * 1000 (by 1024 * 1024 only on Windows), so the
# app counts the same way and .streamlit/config.toml holds this same number.
MAX_UPLOAD_MB: int = 500
MAX_IMPORT_BYTES: int = MAX_UPLOAD_MB * 1000 * 1000

# Columns in a CSV header: ACLED has 31, UCDP GED 49; anything near this is not an event table.
MAX_COLUMNS: int = 500

# Fields (CSV) or JSON values (GeoJSON) in one file, counted from delimiters before parsing.
# Memory grows with the number of values, not the bytes: a file of one-character fields costs
# ~100x more per MB than an ordinary export. An ordinary 49 MB ACLED export has ~2.3 million;
# a 48 MB GeoJSON of 300,000 small points ~5 million.
MAX_VALUES: int = 6_000_000

# Characters in one CSV field: Python's csv module refuses longer ones; we name its limit.
MAX_FIELD_CHARS: int = csv.field_size_limit()

# Nesting of JSON arrays and objects: a GeoJSON point needs 5 levels; the decoder recurses per level.
MAX_JSON_DEPTH: int = 64

# A count (fatalities, injuries) above this is a typing or overflow error, not an event:
# the largest single events in UCDP GED are estimated in the tens of thousands.
MAX_COUNT: int = 1_000_000


def mb(size: int) -> str:
    """Bytes as decimal megabytes, the unit the upload widget shows: 50000000 -> '50 MB',
    50000001 -> '50.000001 MB' (never rounded onto the limit)."""
    return f"{size / 1_000_000:.6f}".rstrip("0").rstrip(".") + " MB"
