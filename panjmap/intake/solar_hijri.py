"""Solar Hijri (Jalali; Afghan and Iranian civil calendar) to Gregorian dates.

The arithmetic (33-year-cycle) algorithm of Borkowski as published in the
jalaali-js project; exact for the years 1178–1633 SH (1799–2254 CE).
"""

from __future__ import annotations

import datetime as dt

_BREAKS = (-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097,
           2192, 2262, 2324, 2394, 2456, 3178)


def _jal_cal(jy: int) -> tuple[int, int]:
    """(Gregorian year of Farvardin 1, day of March on which it falls)."""
    gy = jy + 621
    leap_j = -14
    jp = _BREAKS[0]
    jump = 0
    for jm in _BREAKS[1:]:
        jump = jm - jp
        if jy < jm:
            break
        leap_j += (jump // 33) * 8 + (jump % 33) // 4
        jp = jm
    n = jy - jp
    leap_j += (n // 33) * 8 + ((n % 33) + 3) // 4
    if jump % 33 == 4 and jump - n == 4:
        leap_j += 1
    leap_g = gy // 4 - ((gy // 100 + 1) * 3) // 4 - 150
    march = 20 + leap_j - leap_g
    return gy, march


def to_gregorian(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of Solar Hijri ``year``-``month``-``day`` (ValueError if impossible)."""
    if not (1 <= month <= 12 and 1 <= day <= (31 if month <= 6 else 30)):
        raise ValueError(f"no Solar Hijri date {year}-{month}-{day}")
    gy, march = _jal_cal(year)
    start = dt.date(gy, 3, march)
    offset = (month - 1) * 31 + day - 1 if month <= 7 else 6 * 31 + (month - 7) * 30 + day - 1
    return start + dt.timedelta(days=offset)
