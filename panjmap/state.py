"""The view state: the single source of truth for what the map shows.

A small frozen dataclass (date window, filters, visible layers, basemap, map
view, selected record). The URL query string is this state written out, so a
permalink, an export and the screen agree. ``from_query`` never raises: a
malformed parameter is dropped with a message and the rest still applies.
List fields are repeated parameters (``actors=Taliban&actors=ISKP``), so no
character is reserved inside a value; an empty list is one empty value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

# Layer ids, in drawing order. Districts are off by default (clutter).
GEOGRAPHY_LAYERS: tuple[str, ...] = ("countries", "regions", "districts", "rivers", "border", "places")
DATA_LAYERS: tuple[str, ...] = ("sites", "incidents")
ALL_LAYERS: tuple[str, ...] = GEOGRAPHY_LAYERS + DATA_LAYERS
DEFAULT_LAYERS: tuple[str, ...] = tuple(name for name in ALL_LAYERS if name != "districts")
IMPORT_LAYER_PREFIX = "import:"  # an imported dataset's layer id is "import:<name>"

BASEMAPS: tuple[str, ...] = ("offline", "osm", "topo", "satellite")
STEPS: tuple[str, ...] = ("week", "month")
SIDES: tuple[str, ...] = ("Tajikistan", "Afghanistan")

MAX_MIN_FATALITIES = 100_000  # the sidebar's "Minimum fatalities" goes no higher

DEFAULT_CENTER: tuple[float, float] = (37.9, 70.4)
DEFAULT_ZOOM = 7
MIN_ZOOM, MAX_ZOOM = 3, 18


@dataclass(frozen=True)
class ViewState:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actors: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    min_fatalities: int = 0
    text: str = ""
    context: bool = False  # also show records of wider context (scope "context"); border only by default
    layers: tuple[str, ...] = DEFAULT_LAYERS
    basemap: str = "offline"
    center: tuple[float, float] = DEFAULT_CENTER
    zoom: int = DEFAULT_ZOOM
    bbox: tuple[float, float, float, float] | None = None  # W, S, E, N; wins over center/zoom
    selected: str = ""
    step: str = "week"

    def replace(self, **changes: Any) -> "ViewState":
        return dataclasses.replace(self, **changes)

    def to_query(self) -> dict[str, str | list[str]]:
        """Query parameters for the non-default parts of the state."""
        default = ViewState()
        out: dict[str, str | list[str]] = {}
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if value == getattr(default, spec.name):
                continue
            out[spec.name] = _encode(spec.name, value)
        return out

    def describe(self) -> str:
        """The filters and time window in words, for titles and export metadata."""
        window = f"{self.date_from or 'start of data'} to {self.date_to or 'end of data'}"
        parts = [f"Time window: {window}"]
        for label, values in (
            ("Actors", self.actors), ("Event types", self.event_types),
            ("Victims' nationality", self.nationalities), ("Country side", self.sides),
            ("Regions", self.regions),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.min_fatalities:
            parts.append(f"At least {self.min_fatalities} killed")
        if self.text:
            parts.append(f"Text contains: {self.text!r}")
        if len(parts) == 1:
            parts.append("no filters")
        parts.append("Scope: border incidents and wider context" if self.context else "Scope: border incidents only")
        return "; ".join(parts)

    def file_stem(self, kind: str = "incidents") -> str:
        """A file name saying what the export holds, e.g. panj-incidents_2025-11-01_2025-12-31_actor-taliban."""
        parts = [f"panj-{kind}", str(self.date_from or "start"), str(self.date_to or "end")]
        for label, values in (("actor", self.actors), ("type", self.event_types), ("nat", self.nationalities),
                              ("side", self.sides), ("region", self.regions)):
            if values:
                parts.append(f"{label}-" + "+".join(_slug(v) for v in values))
        if self.min_fatalities:
            parts.append(f"minkilled-{self.min_fatalities}")
        if self.text:
            parts.append("q-" + _slug(self.text))
        if self.context:
            parts.append("with-context")
        return "_".join(parts)[:180]

    def query_string(self) -> str:
        """The state as a URL query string ("" for the default view)."""
        return urlencode(self.to_query(), doseq=True)

    @classmethod
    def from_query(cls, params: Mapping[str, str | list[str]]) -> tuple["ViewState", list[str]]:
        """A state from query parameters, and a message for each parameter ignored."""
        values: dict[str, Any] = {}
        errors: list[str] = []
        known = {spec.name for spec in dataclasses.fields(cls)}
        for name, raw in params.items():
            if name not in known:
                continue  # foreign parameters (e.g. from a proxy) are not ours to judge
            try:
                values[name] = _decode(name, raw)
            except (ValueError, TypeError) as exc:
                errors.append(f"Ignored URL parameter {name!r}: {exc}")
        state = cls(**values)
        if state.date_from and state.date_to and state.date_from > state.date_to:
            errors.append("Ignored URL date window: 'date_from' is after 'date_to'")
            state = state.replace(date_from=None, date_to=None)
        return state, errors


def _slug(text: str) -> str:
    cleaned = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(filter(None, cleaned.split("-")))[:40] or "x"


_LIST_FIELDS = {"actors", "event_types", "nationalities", "sides", "regions", "layers"}
_MAX_TEXT = 200
_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _as_list(raw: str | list[str]) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    return [str(item) for item in items if item]


def _as_text(raw: str | list[str]) -> str:
    return raw[-1] if isinstance(raw, list) else str(raw)


def _encode(name: str, value: Any) -> str | list[str]:
    if name in _LIST_FIELDS:
        return list(value) if value else [""]
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    if name == "center":
        return f"{value[0]:.4f},{value[1]:.4f}"
    if name == "bbox":
        return ",".join(f"{v:.4f}" for v in value)
    return str(value)


def _floats(text: str, count: int) -> tuple[float, ...]:
    parts = text.split(",")
    if len(parts) != count:
        raise ValueError(f"expected {count} comma-separated numbers, got {text[:40]!r}")
    numbers = tuple(float(p) for p in parts)
    if any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
        raise ValueError("numbers must be finite")
    return numbers


def _decode(name: str, raw: str | list[str]) -> Any:
    if name in _LIST_FIELDS:
        items = tuple(dict.fromkeys(item[:_MAX_TEXT] for item in _as_list(raw)))
        if name == "layers":
            bad = [i for i in items if i not in ALL_LAYERS and not i.startswith(IMPORT_LAYER_PREFIX)]
            if bad:
                raise ValueError(f"unknown layer(s) {', '.join(bad)[:80]}")
        if name == "sides" and any(i not in SIDES for i in items):
            raise ValueError(f"sides must be among {', '.join(SIDES)}")
        return items
    text = _as_text(raw).strip()
    if name in ("date_from", "date_to"):
        return dt.date.fromisoformat(text)
    if name == "context":
        if text.casefold() not in _BOOLEANS:
            raise ValueError("must be 1 or 0")
        return _BOOLEANS[text.casefold()]
    if name == "min_fatalities":
        # digits only, and checked by length before int(): a 5,000-digit value gets this message,
        # not Python's int_max_str_digits one
        if not re.fullmatch(r"[0-9]+", text) or len(text.lstrip("0")) > len(str(MAX_MIN_FATALITIES)) \
                or int(text) > MAX_MIN_FATALITIES:
            raise ValueError(f"must be a whole number from 0 to {MAX_MIN_FATALITIES:,}")
        return int(text)
    if name == "zoom":
        zoom = int(text)
        if not MIN_ZOOM <= zoom <= MAX_ZOOM:
            raise ValueError(f"must be between {MIN_ZOOM} and {MAX_ZOOM}")
        return zoom
    if name == "center":
        lat, lon = _floats(text, 2)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError("latitude/longitude out of range")
        return (lat, lon)
    if name == "bbox":
        west, south, east, north = _floats(text, 4)
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError("expected W,S,E,N with W<E and S<N within the globe")
        return (west, south, east, north)
    if name == "basemap":
        if text not in BASEMAPS:
            raise ValueError(f"must be one of {', '.join(BASEMAPS)}")
        return text
    if name == "step":
        if text not in STEPS:
            raise ValueError(f"must be one of {', '.join(STEPS)}")
        return text
    return text[:_MAX_TEXT]  # text, selected
