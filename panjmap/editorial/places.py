"""Places an editor can pick for a record: GeoNames places (with their other spellings),
district centres and the record's sites, each with the country, region and district its
point lies in (the same polygons ``validate`` checks against) and a precision code."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from panjmap import geodata
from panjmap.schema import GEO_PRECISION


@dataclass(frozen=True)
class Place:
    label: str  # what the picker shows
    location: str
    latitude: float
    longitude: float
    geo_precision: int
    country: str
    admin1: str
    admin2: str

    def fields(self) -> dict[str, str]:
        return {
            "location": self.location, "latitude": f"{self.latitude:.5f}", "longitude": f"{self.longitude:.5f}",
            "geo_precision": str(self.geo_precision), "country": self.country, "admin1": self.admin1,
            "admin2": self.admin2,
        }


def _place(label: str, location: str, lon: float, lat: float, precision: int) -> Place:
    region = geodata.find_region(lon, lat) or {}
    district = geodata.find_district(lon, lat) or {}
    return Place(label, location, lat, lon, precision, str(region.get("country") or district.get("country") or ""),
                 str(region.get("name") or ""), str(district.get("name") or ""))


def gazetteer(sites: pd.DataFrame | None = None) -> list[Place]:
    """Every pickable place, villages first, then district centres, then sites."""
    found: list[Place] = []
    places = geodata.load_layer("places")
    for row in places.itertuples():
        other = f" ({row.name_alt})" if isinstance(row.name_alt, str) and row.name_alt and row.name_alt != row.name else ""
        found.append(_place(f"{row.name}{other} · {row.district or row.region}, {row.country} · GeoNames",
                            row.name, row.geometry.x, row.geometry.y, 1))
    for row in geodata.load_layer("districts").itertuples():
        centre = row.geometry.representative_point()
        found.append(_place(f"{row.name} district ({row.region}, {row.country}) · district point, precision 2",
                            row.name, centre.x, centre.y, 2))
    if sites is not None:
        for row in sites.itertuples():
            try:
                lon, lat = float(row.longitude), float(row.latitude)
            except (TypeError, ValueError):
                continue
            found.append(_place(f"{row.name} · site {row.site_id}", row.location or row.name, lon, lat,
                                int(row.geo_precision or 2)))
    return found


def precision_words(code: int) -> str:
    return GEO_PRECISION.get(code, "not stated")
