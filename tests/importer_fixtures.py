"""Writers of small synthetic import files, made up at test time.

No real ACLED or UCDP rows: every actor, place and note here is invented
(ACLED's terms forbid redistributing its data).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from panjmap.schema import ACLED_COLUMNS

ACLED_LEGACY_COLUMNS: tuple[str, ...] = (
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision",
    "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
    "inter2", "interaction", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities",
    "timestamp", "iso3",
)

UCDP_49_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original",
    "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2", "latitude",
    "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity",
    "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
    "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)

UCDP_42_COLUMNS: tuple[str, ...] = (
    "id", "year", "active_year", "type_of_violence", "conflict_new_id", "conflict_name",
    "dyad_new_id", "dyad_name", "side_a_new_id", "gwnoa", "side_a", "side_b_new_id", "gwnob",
    "side_b", "number_of_sources", "source_article", "source_office", "source_date",
    "source_headline", "source_original", "where_prec", "where_coordinates", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low",
)

assert len(ACLED_COLUMNS) == 31 and len(UCDP_49_COLUMNS) == 49 and len(UCDP_42_COLUMNS) == 42


def acled_row(n: int = 1, **values: Any) -> dict[str, Any]:
    """An invented current-format ACLED row in Tajikistan; override any column."""
    row: dict[str, Any] = {
        "event_id_cnty": f"TJK{n}", "event_date": "2025-11-26", "year": 2025, "time_precision": 1,
        "disorder_type": "Political violence", "event_type": "Violence against civilians",
        "sub_event_type": "Attack", "actor1": "Unidentified Armed Group (Tajikistan)", "assoc_actor_1": "",
        "inter1": "Political militia", "actor2": "Civilians (China)", "assoc_actor_2": "",
        "inter2": "Civilians", "interaction": "Political militia-Civilians",
        "civilian_targeting": "Civilian targeting", "iso": 762, "region": "Caucasus and Central Asia",
        "country": "Tajikistan", "admin1": "Khatlon", "admin2": "Testdistrict", "admin3": "",
        "location": f"Village {n}", "latitude": 37.25, "longitude": 68.75, "geo_precision": 1,
        "source": "Invented Wire", "source_scale": "National", "notes": f"Invented note {n}.",
        "fatalities": 1, "tags": "", "timestamp": 1764115200,
    }
    row.update(values)
    return row


def acled_legacy_row(n: int = 1, **values: Any) -> dict[str, Any]:
    row = acled_row(n, inter1=3, inter2=7, interaction=37)
    row.update(data_id=9000 + n, event_id_no_cnty=n, iso3="TJK")
    row.update(values)
    return {col: row.get(col, "") for col in ACLED_LEGACY_COLUMNS}


def ucdp_row(n: int = 1, **values: Any) -> dict[str, Any]:
    """An invented UCDP GED row (49-column names; extra keys are ignored by narrower headers)."""
    row: dict[str, Any] = {col: "" for col in UCDP_49_COLUMNS}
    row.update(
        id=100 + n, relid=f"TJK-2025-1-{n}", year=2025, active_year=1, code_status="Clear",
        type_of_violence=3, conflict_new_id=999, conflict_name="Invented group - Civilians",
        dyad_new_id=998, dyad_name="Invented group - Civilians", side_a="Invented group",
        side_b="Civilians", number_of_sources=1,
        source_article='Invented Wire, 2025-11-27, "Attack, near the river"\nsecond line',
        source_office="Invented Wire", source_headline="Attack near the river", where_prec=1,
        where_coordinates="Village X", where_description="the village of X, Khatlon",
        adm_1="Khatlon province", adm_2="Test district", latitude=37.25, longitude=68.75,
        geom_wkt="POINT (68.75 37.25)", country="Tajikistan", country_id=702, region="Europe",
        event_clarity=1, date_prec=1, date_start="2025-11-26 00:00:00.000",
        date_end="2025-11-26 00:00:00.000", deaths_a=0, deaths_b=0, deaths_civilians=2,
        deaths_unknown=0, best=2, high=3, low=2, gwnoa="", gwnob="",
    )
    row.update(values)
    return row


def csv_bytes(
    columns: tuple[str, ...] | list[str], rows: list[dict[str, Any]], *, newline: str = "\n",
    bom: bool = False, hxl: list[str] | None = None, encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(columns)
    if hxl is not None:
        writer.writerow(hxl)
    for row in rows:
        writer.writerow([row.get(col, "") for col in columns])
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def acled_csv(rows: list[dict[str, Any]], **kwargs: Any) -> bytes:
    return csv_bytes(ACLED_COLUMNS, rows, **kwargs)


def ucdp_csv(rows: list[dict[str, Any]], columns: tuple[str, ...] = UCDP_49_COLUMNS, **kwargs: Any) -> bytes:
    return csv_bytes(columns, rows, **kwargs)


def hdx_csv(rows: list[dict[str, Any]]) -> bytes:
    columns = UCDP_49_COLUMNS + ("iso3",)
    hxl = ["#event+id"] + [f"#x_{col}" for col in columns[1:-1]] + ["#country+code"]
    hxl[2] = "#date+year"
    return csv_bytes(columns, [dict(r, iso3="TJK") for r in rows], hxl=hxl)


def point(lon: Any, lat: Any, fid: Any = None, **props: Any) -> dict[str, Any]:
    feature: dict[str, Any] = {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props,
    }
    if fid is not None:
        feature["id"] = fid
    return feature


def geojson_bytes(features: list[dict[str, Any]], indent: int | None = 2, **extra: Any) -> bytes:
    doc = {"type": "FeatureCollection", **extra, "features": features}
    return json.dumps(doc, indent=indent, ensure_ascii=False).encode("utf-8")
