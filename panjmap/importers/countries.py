"""Rough bounding boxes (lon_min, lat_min, lon_max, lat_max) for the countries
around the Panj border, used only to spot swapped latitude/longitude.

A point more than :data:`MARGIN_DEG` outside its country's box is "far outside".
Countries not listed here get only the range checks.
"""

from __future__ import annotations

MARGIN_DEG: float = 1.0

BBOXES: dict[str, tuple[float, float, float, float]] = {
    "tajikistan": (67.3, 36.6, 75.2, 41.1),
    "afghanistan": (60.5, 29.3, 75.0, 38.5),
    "pakistan": (60.8, 23.6, 77.9, 37.1),
    "uzbekistan": (55.9, 37.1, 73.2, 45.6),
    "kyrgyzstan": (69.2, 39.1, 80.3, 43.3),
    "turkmenistan": (52.4, 35.1, 66.7, 42.8),
    "kazakhstan": (46.4, 40.5, 87.4, 55.5),
    "iran": (44.0, 25.0, 63.4, 39.8),
    "china": (73.5, 18.1, 134.8, 53.6),
    "india": (68.1, 6.7, 97.4, 37.1),
}
