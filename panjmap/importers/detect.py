"""Which format a file is in, from its first character and its CSV header."""

from __future__ import annotations

import re

from panjmap.importers.core import ImportRejected
from panjmap.schema import ACLED_COLUMNS

FORMATS: tuple[str, ...] = ("auto", "acled", "ucdp", "geojson")
COORDINATES: tuple[str, ...] = ("latitude", "longitude")

SIGNATURES: dict[str, frozenset[str]] = {
    "acled": frozenset(ACLED_COLUMNS) | {"data_id", "event_id_no_cnty", "iso3", "ally_actor_1", "ally_actor_2"},
    "ucdp": frozenset({
        "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
        "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
        "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
        "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
        "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
        "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
        "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
        "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
    }),
}
# Columns shared by both formats say nothing about which one a file is.
_DISTINCT: dict[str, frozenset[str]] = {
    fmt: cols - SIGNATURES["ucdp" if fmt == "acled" else "acled"] for fmt, cols in SIGNATURES.items()
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "acled": ("event_id_cnty", "event_date", "event_type", "latitude", "longitude"),
    "ucdp": ("id", "type_of_violence", "date_start", "best", "latitude", "longitude"),
}
NAMES: dict[str, str] = {"acled": "an ACLED export", "ucdp": "a UCDP GED file"}


def text_kind(text: str, fmt: str) -> str:
    """'geojson' or 'csv', checked against an explicit ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    first = text.lstrip()[:1]
    if fmt in ("auto", "geojson") and re.match(r"\[\s*[\[{\"\d\-\]]|\[\s*$", text.lstrip()[:40]):
        raise ImportRejected(
            "The file is a JSON array; expected a GeoJSON FeatureCollection, a JSON object starting with '{' "
            "(\"type\": \"FeatureCollection\", \"features\": [...])."
        )
    if fmt == "geojson" and first != "{":
        start = text.lstrip()[:40].splitlines()[0]
        raise ImportRejected(
            f"Expected GeoJSON (a JSON object starting with '{{'), but the file starts with '{start}'."
        )
    if fmt in ("acled", "ucdp") and first in ("{", "["):
        raise ImportRejected(
            f"Expected a CSV file ({NAMES[fmt]}), but this file is JSON; import it as GeoJSON instead."
        )
    return "geojson" if first == "{" else "csv"


def csv_format(keys: list[str], fmt: str, header_line: int = 1, names: list[str] | None = None) -> str:
    """'acled' or 'ucdp' for a CSV header (``keys`` lower-cased, ``names`` as written);
    rejects naming the missing columns."""
    present = set(keys)
    names = names or keys
    if fmt == "auto":
        scores = {name: len(present & cols) for name, cols in _DISTINCT.items()}
        fmt = max(scores, key=lambda name: scores[name])
        if scores[fmt] < 3:
            shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
            wanted = "; ".join(f"{NAMES[name]} needs {_needs(name, present)}" for name in REQUIRED)
            raise ImportRejected(
                f"Header not recognised: line {header_line} has the columns {shown}, which match neither "
                f"an ACLED export nor a UCDP GED file. {wanted[0].upper()}{wanted[1:]}."
            )
    missing = _missing(fmt, present)
    if missing and set(missing) <= set(COORDINATES):
        raise ImportRejected(
            f"No coordinates: the header on line {header_line} has no {' or '.join(missing)} column, "
            f"which {NAMES[fmt]} needs to place each event on the map."
        )
    if missing:
        raise ImportRejected(
            f"Header not recognised as {NAMES[fmt]}: line {header_line} is missing the required "
            f"column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(required: {', '.join(REQUIRED[fmt])})."
        )
    return fmt


def _needs(fmt: str, present: set[str]) -> str:
    missing = _missing(fmt, present)
    if len(missing) == len(REQUIRED[fmt]):
        return ", ".join(missing) + " (none present)"
    return f"{', '.join(REQUIRED[fmt])} (missing {', '.join(missing)})"


def _missing(fmt: str, present: set[str]) -> list[str]:
    return [col for col in REQUIRED[fmt] if col not in present]
