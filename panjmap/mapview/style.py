"""How things look: one table of symbols and colours shared by every renderer
(interactive map, standalone HTML, the matplotlib PNG fallback, the legend)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Symbol:
    color: str
    shape: str  # circle | triangle | diamond | square | pentagon
    label: str


# Colour-blind-safe colours (Okabe–Ito), one shape per type, so type reads
# from either cue alone and in greyscale print.
EVENT_SYMBOLS: dict[str, Symbol] = {
    "Battles": Symbol("#D55E00", "circle", "Battle, armed clash"),
    "Violence against civilians": Symbol("#CC0066", "diamond", "Violence against civilians"),
    "Explosions/Remote violence": Symbol("#E69F00", "triangle", "Drone, rockets, explosion"),
    "Riots": Symbol("#009E73", "pentagon", "Riot or protest"),
    "Protests": Symbol("#009E73", "pentagon", "Riot or protest"),
    "Strategic developments": Symbol("#0072B2", "square", "Arrest, statement, visit"),
}
FALLBACK_SYMBOL = Symbol("#555555", "circle", "Other")

SITE_COLOR = "#1B1B1B"
ROAD_COLOR = "#6A3D9A"
BORDER_COLOR = "#C00000"
RIVER_COLOR = "#4A90C2"
EMPHASIS_FILL = "#F3E7C9"
MUTED_FILL = "#EDEDED"
COUNTRY_FILL = "#F7F7F4"
NO_DATA_BACKGROUND = "#E9EDF1"  # beyond the geodata; the region has no sea

# Imported datasets cycle through these, distinct from the curated symbols.
IMPORT_COLORS: tuple[str, ...] = ("#3B3B98", "#117A65", "#7D3C98", "#A04000", "#1F618D")

# Radius of the dashed precision ring drawn around imprecise points, in metres:
# ACLED geo_precision 2 = near a town / within a district, 3 = only the region.
PRECISION_RING_M: dict[int, int] = {2: 15_000, 3: 50_000}


def symbol_for(event_type: str) -> Symbol:
    return EVENT_SYMBOLS.get(event_type, FALLBACK_SYMBOL)


def marker_radius(fatalities: float | None, injuries: float | None) -> float:
    """Pixel radius growing with the square root of casualties (area ~ people hurt)."""
    # A count no source gives (None, NaN or pd.NA) adds nothing to the size; ``x or 0`` fails on pd.NA.
    casualties = sum(float(v) for v in (fatalities, injuries) if v is not None and not pd.isna(v))
    return round(min(6 + 2.4 * math.sqrt(casualties), 24), 1)


# Drafts awaiting review, shown to editors only: grey, so they never pass for published records.
DRAFT_COLOR = "#6E6E6E"


def import_color(index: int) -> str:
    return IMPORT_COLORS[index % len(IMPORT_COLORS)]
