"""Vectorised parsing of the values every format shares: dates, coordinates,
counts and small integer codes. Each parser returns the parsed values and a
same-length Series of row problems ("" where the value is fine).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from panjmap.importers.countries import BBOXES, MARGIN_DEG
from panjmap.importers.limits import MAX_COUNT

SWAPPED = "latitude/longitude look swapped"

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}

_ISO = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-](\d{2}):?(\d{2}))?)?"
)
_DAY_MONTHNAME = re.compile(r"(\d{1,2})[-\s/.]*([A-Za-z]{3,9})\.?[-\s/.,]+(\d{4}|\d{2})")
_MONTHNAME_DAY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
DATE_EXAMPLES = "e.g. 2025-11-26, 26 November 2025 or 9-May-20"


def today() -> dt.date:
    """Today's date; a function so tests can pin it."""
    return dt.date.today()


def full_year(two_or_four: str) -> int:
    """'20' -> 2020 when 20 <= this year's two digits, else 19xx; 4 digits pass through."""
    year = int(two_or_four)
    if len(two_or_four) == 4:
        return year
    return 2000 + year if year <= today().year % 100 else 1900 + year


def _numeric_order(values: list[str]) -> str:
    """Day/month order of the file's d/m/y-style dates: 'dmy', 'mdy', '' (unknown) or 'mixed'."""
    first_big = second_big = False
    for value in values:
        match = _NUMERIC.fullmatch(value)
        if match and match.group(2) != ".":
            first_big |= int(match.group(1)) > 12
            second_big |= int(match.group(3)) > 12
    if first_big and second_big:
        return "mixed"
    return "dmy" if first_big else "mdy" if second_big else ""


def parse_date(value: str, label: str, order: str = "") -> tuple[str, str]:
    """One date -> (ISO 'YYYY-MM-DD', "") or ("", problem)."""
    if not value:
        return "", f"missing {label}"
    parts: tuple[int, int, int] | None = None
    if match := _ISO.fullmatch(value):
        parts = int(match.group(1)), int(match.group(2)), int(match.group(3))
        hour, minute, second, zone_h, zone_m = (int(g or 0) for g in match.groups()[3:])
        if hour > 23 or minute > 59 or second > 60 or zone_h > 14 or zone_m > 59:
            return "", f"{label} '{value}' has an impossible time of day"
    elif (match := _DAY_MONTHNAME.fullmatch(value)) and match.group(2).lower() in MONTHS:
        parts = full_year(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1))
    elif (match := _MONTHNAME_DAY.fullmatch(value)) and match.group(1).lower() in MONTHS:
        parts = int(match.group(3)), MONTHS[match.group(1).lower()], int(match.group(2))
    elif match := _NUMERIC.fullmatch(value):
        a, sep, b, year = int(match.group(1)), match.group(2), int(match.group(3)), full_year(match.group(4))
        if sep == "." or order == "dmy" or a == b:
            parts = year, b, a
        elif order == "mdy":
            parts = year, a, b
        elif order == "mixed":
            return "", f"{label} '{value}' is ambiguous: this file mixes day/month and month/day order"
        else:
            return "", f"{label} '{value}' is ambiguous: day/month order cannot be told from this file"
    if parts is None:
        return "", f"{label} '{value}' is not a recognised date ({DATE_EXAMPLES})"
    try:
        date = dt.date(*parts)
    except ValueError:
        return "", f"{label} '{value}' is not a real calendar date"
    if date.year < 1900:
        return "", f"{label} '{value}' is before 1900"
    if date > today() + dt.timedelta(days=1):
        return "", f"{label} '{value}' is in the future"
    return date.isoformat(), ""


def _plain_dates(values: np.ndarray) -> dict[str, tuple[str, str]]:
    """The values already written YYYY-MM-DD that :func:`parse_date` accepts as they are, checked
    all at once (most exports write every date so); -> {value: (value, "")}."""
    text = pd.Series(values, dtype=str)
    plain = text[text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")]
    if plain.empty:
        return {}
    dates = pd.to_datetime(plain, format="%Y-%m-%d", errors="coerce")
    fine = dates.notna() & (dates.dt.year >= 1900) & (dates <= pd.Timestamp(today() + dt.timedelta(days=1)))
    return {value: (value, "") for value in plain[fine]}


def parse_dates(raw: pd.Series, label: str, missing_ok: bool = False) -> tuple[pd.Series, pd.Series]:
    """A column of dates -> (ISO strings, problems). Each distinct value is parsed once."""
    text = raw.astype(object).fillna("").astype(str).str.strip()
    uniques = pd.unique(text.to_numpy(dtype=object))
    parsed = _plain_dates(uniques)
    rest = [u for u in uniques if u not in parsed]
    order = _numeric_order(rest)
    parsed.update({u: ("", "") if (missing_ok and not u) else parse_date(u, label, order) for u in rest})
    iso = text.map({u: p[0] for u, p in parsed.items()}).astype(object)
    errors = text.map({u: p[1] for u, p in parsed.items()}).astype(object)
    return iso, errors


def _text(raw: pd.Series) -> pd.Series:
    return raw.astype(object).fillna("").astype(str).str.strip()


def _numbers(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.where(text != "", None), errors="coerce").astype(float)


def _messages(mask: np.ndarray, make) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = np.full(len(mask), "", dtype=object)
    for pos in np.flatnonzero(mask):
        out[pos] = make(pos)
    return out


def parse_counts(raw: pd.Series, label: str) -> tuple[pd.array, pd.Series]:
    """Whole numbers from 0 to MAX_COUNT ('3', '3.0'); empty -> <NA>. Checked as floats before any
    conversion to integers, so 1e19 or 2**63 is refused instead of wrapping to a negative count."""
    text = _text(raw)
    number = _numbers(text)
    given = (text != "").to_numpy()
    long_digits = text.str.fullmatch(r"\d{16,}(\.0*)?").fillna(False)  # may not even parse as a float
    huge = given & (np.isinf(number) | (number > MAX_COUNT) | long_digits).to_numpy()
    bad = given & ~huge & ~(np.isfinite(number) & (number % 1 == 0)).to_numpy()
    negative = given & ~bad & (number < 0).to_numpy()
    errors = np.full(len(text), "", dtype=object)
    for mask, make in (
        (huge, lambda p: f"{label} '{_cut(text.iat[p])}' is larger than {MAX_COUNT:,}, not a plausible count"),
        (bad, lambda p: f"{label} '{_cut(text.iat[p])}' is not a whole number"),
        (negative, lambda p: f"{label} '{_cut(text.iat[p])}' is negative"),
    ):
        errors = np.where(mask, _messages(mask, make), errors)
    result = pd.array(number.where(given & ~huge & ~bad & ~negative), dtype="Float64").astype("Int64")
    return result, pd.Series(errors, index=raw.index, dtype=object)


def _cut(value: str, limit: int = 40) -> str:
    """A value shortened for a message (a 5,000-digit number is shown by its first digits)."""
    return value if len(value) <= limit else f"{value[:limit]}... ({len(value):,} characters)"


def parse_codes(raw: pd.Series, label: str, allowed: tuple[int, ...]) -> tuple[pd.array, pd.Series]:
    """Small integer codes; empty -> <NA>; anything not in ``allowed`` is a problem."""
    text = _text(raw)
    number = _numbers(text)
    given = (text != "").to_numpy()
    bad = given & ~number.isin([float(a) for a in allowed]).to_numpy()
    choices = ", ".join(str(a) for a in allowed[:-1]) + f" or {allowed[-1]}"
    errors = _messages(bad, lambda p: f"{label} '{text.iat[p]}' is not {choices}")
    result = pd.array(number.where(given & ~bad), dtype="Float64").astype("Int64")
    return result, pd.Series(errors, index=raw.index, dtype=object)


def _decimal(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    comma = text.str.fullmatch(r"-?\d+,\d+").fillna(False).to_numpy(dtype=bool)
    return text.where(~comma, text.str.replace(",", ".", regex=False)), comma


def coordinates(
    lat_raw: pd.Series, lon_raw: pd.Series, country: pd.Series,
    lat_label: str = "latitude", lon_label: str = "longitude",
) -> tuple[np.ndarray, np.ndarray, pd.Series, dict[str, np.ndarray]]:
    """Parse and check coordinates -> (lat, lon, problems, {warning: rows it concerns})."""
    lat_text, lat_comma = _decimal(_text(lat_raw))
    lon_text, lon_comma = _decimal(_text(lon_raw))
    lat = _numbers(lat_text).to_numpy()
    lon = _numbers(lon_text).to_numpy()
    lat_missing = (lat_text == "").to_numpy()
    lon_missing = (lon_text == "").to_numpy()
    lat_nan = ~lat_missing & np.isnan(lat)
    lon_nan = ~lon_missing & np.isnan(lon)
    lat_tiny, lon_tiny = _underflows(lat_text, lat), _underflows(lon_text, lon)
    with np.errstate(invalid="ignore"):
        lat_out, lon_out = np.abs(lat) > 90, np.abs(lon) > 180
        swapped = lat_out & (np.abs(lat) <= 180) & (np.abs(lon) <= 90)
        boxes = _country_boxes(country)
        outside, swapped_inside = _inside(boxes, lat, lon) == 0, _inside(boxes, lon, lat) == 1
    swapped |= outside & swapped_inside & ~lat_out & ~lon_out
    far = outside & ~swapped_inside & ~lat_out & ~lon_out

    def swapped_text(p: int) -> str:
        where = f": outside {country.iat[p].strip()}, inside it when swapped" if not lat_out[p] else ""
        return f"{SWAPPED} ({lat_label}={lat[p]:g}, {lon_label}={lon[p]:g}{where})"

    rules: list[tuple[np.ndarray, object]] = [
        (lat_missing & lon_missing, f"missing {lat_label} and {lon_label}"),
        (lat_missing, f"missing {lat_label}"),
        (lon_missing, f"missing {lon_label}"),
        (lat_nan, lambda p: f"{lat_label} '{lat_text.iat[p]}' is not a number"),
        (lon_nan, lambda p: f"{lon_label} '{lon_text.iat[p]}' is not a number"),
        (lat_tiny, lambda p: f"{lat_label} '{_cut(lat_text.iat[p])}' is too close to 0 to be a coordinate "
                             "(beyond a float's precision)"),
        (lon_tiny, lambda p: f"{lon_label} '{_cut(lon_text.iat[p])}' is too close to 0 to be a coordinate "
                             "(beyond a float's precision)"),
        (swapped, swapped_text),
        (lat_out, lambda p: f"{lat_label} {lat[p]:g} is outside -90..90"),
        (lon_out, lambda p: f"{lon_label} {lon[p]:g} is outside -180..180"),
        ((lat == 0) & (lon == 0), "coordinates are 0, 0 (a placeholder, not a place)"),
    ]
    problems = np.full(len(lat), "", dtype=object)
    for mask, reason in rules:
        todo = mask & (problems == "")
        problems[todo] = _messages(todo, reason)[todo] if callable(reason) else reason
    notes = {
        "coordinates use a decimal comma; read as a decimal point": (lat_comma | lon_comma) & (problems == ""),
        f"point lies more than {MARGIN_DEG:g} degree outside the named country; kept as given": far & (problems == ""),
    }
    return lat, lon, pd.Series(problems, index=lat_raw.index, dtype=object), notes


def _underflows(text: pd.Series, number: np.ndarray) -> np.ndarray:
    """Written with a non-zero digit but read as 0 or a subnormal float (3.7e-400, 1e-320)."""
    with np.errstate(invalid="ignore"):
        tiny = np.abs(number) < 1e-300
    if not tiny.any():
        return tiny
    mantissa = text.str.split(r"[eE]", n=1, regex=True).str[0]
    return tiny & mantissa.str.contains(r"[1-9]", regex=True).fillna(False).to_numpy(dtype=bool)


def _country_boxes(country: pd.Series) -> np.ndarray:
    """(n, 4) array of each row's country box, NaN where the country is not in the table."""
    codes, names = pd.factorize(_text(country).str.lower())
    boxes = np.array([BBOXES.get(name, (np.nan,) * 4) for name in names], dtype=float).reshape(len(names), 4)
    return boxes[codes]


def _inside(boxes: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """1 inside the box (with margin), 0 outside, -1 unknown country or no value."""
    m = MARGIN_DEG
    inside = (
        (lon >= boxes[:, 0] - m) & (lat >= boxes[:, 1] - m)
        & (lon <= boxes[:, 2] + m) & (lat <= boxes[:, 3] + m)
    )
    known = ~np.isnan(boxes[:, 0]) & ~np.isnan(lat) & ~np.isnan(lon)
    return np.where(known, inside.astype(int), -1)
