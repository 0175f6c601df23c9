"""Places an editor can pick for a record, from the one gazetteer intake reads places with
(panjmap.intake.gazetteer: GeoNames names and alternate names in every script, districts,
regions, the record's sites), each with its precision code and every name it answers to."""

from __future__ import annotations

import functools

from panjmap.intake.gazetteer import Place, load_gazetteer
from panjmap.schema import GEO_PRECISION


def record_fields(place: Place) -> dict[str, str]:
    """The record's place fields for ``place`` (a stand-in keeps the name the sources use)."""
    def text(value: object) -> str:
        return "" if value is None else str(value)
    return {
        "location": place.name, "latitude": text(place.latitude), "longitude": text(place.longitude),
        "geo_precision": text(place.geo_precision), "country": text(place.country), "admin1": text(place.admin1),
        "admin2": text(place.admin2), "reported_location": text(place.reported),
    }


@functools.lru_cache(maxsize=1)
def choices() -> dict[str, Place]:
    """Picker label -> place, for every located gazetteer entry; the label lists its other names."""
    gazetteer = load_gazetteer()
    names: dict[Place, list[str]] = {}
    for key, found in gazetteer.by_key.items():
        for place in found:
            names.setdefault(place, []).append(key)
    for name, place in gazetteer.script_names:
        names.setdefault(place, []).append(name)
    labelled = {}
    for place, known in names.items():
        if place.latitude is None:
            continue
        where = ", ".join(p for p in (place.admin2, place.admin1, place.country) if p)
        also = ", ".join(sorted(set(known))[:8])
        labelled[f"{place.name} · {place.kind} · {where} · precision {place.geo_precision} · also: {also}"] = place
    return dict(sorted(labelled.items()))


def precision_words(code: int) -> str:
    return GEO_PRECISION.get(code, "not stated")
