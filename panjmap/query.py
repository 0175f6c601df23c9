"""The pure query: records + view state -> the records to show, and their totals.

Works the same on the curated incidents and on any imported dataset, because
both carry the incident columns (panjmap.schema.INCIDENT_COLUMNS). What the
filters need per record (its actors, its searchable text) is computed once in
``RecordSet`` and reused on every filter change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from panjmap import geodata
from panjmap.actors import ActorDictionary, load_actors
from panjmap.data import located
from panjmap.schema import CONTEXT_SCOPE, UNKNOWN_ACTOR, VIOLENT_EVENT_TYPES
from panjmap.state import ViewState

ACTOR_FIELDS = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")
SEARCH_FIELDS = ("location", "notes", "admin1", "admin2")


@dataclass(frozen=True)
class RecordSet:
    """One layer's records, with per-record actors and search text precomputed."""

    key: str
    records: gpd.GeoDataFrame
    actors: pd.Series  # tuple of actor names per record
    search: pd.Series  # casefolded text per record


def _split(value: object, sep: str) -> list[str]:
    return [part.strip() for part in str(value or "").split(sep) if part.strip()]


def record_set(
    key: str,
    records: gpd.GeoDataFrame,
    claims: pd.DataFrame | None = None,
    evidence: pd.DataFrame | None = None,
) -> RecordSet:
    """Index records for filtering. Claims add attributed actors; quotes join the search text.

    Actors are canonical names (panjmap.actors): "ISKP" in a claim and
    "Islamic State Khorasan Province (ISKP)" in actor1 are one actor.
    """
    dictionary = load_actors()
    ids = records["event_id_cnty"].astype(str).tolist()
    claimed: dict[str, list[str]] = {}
    quotes: dict[str, list[str]] = {}
    if claims is not None:
        for incident_id, actor, quote in zip(claims["incident_id"], claims["actor"], claims["quote"]):
            claimed.setdefault(incident_id, []).append(actor)
            quotes.setdefault(incident_id, []).append(quote)
    if evidence is not None:
        for record_id, quote in zip(evidence["record_id"], evidence["quote"]):
            quotes.setdefault(record_id, []).append(quote)

    # Per distinct name and per distinct (actor cells, claim status), not per record:
    # an imported file names a few actors many times.
    canonical: dict[str, str] = {}

    def resolve(name: str) -> str:
        if (found := canonical.get(name)) is None:
            found = canonical[name] = _resolve(dictionary, name)
        return found

    columns = [records[f].tolist() for f in (*ACTOR_FIELDS, "claim_status")]
    known: dict[tuple, tuple[str, ...]] = {}
    actors = []
    for rid, *values in zip(ids, *columns):
        if rid in claimed:
            actors.append(_actors_of(resolve, values, claimed[rid]))
            continue
        cells = tuple(values)
        if (found := known.get(cells)) is None:
            found = known[cells] = _actors_of(resolve, values, [])
        actors.append(found)

    # Column-wise, not a row-wise DataFrame.agg: that builds a Series per row (seconds at 100k records).
    fields = [records[f].fillna("").astype(str).tolist() for f in SEARCH_FIELDS]
    # Alternative spellings analysts search for (Shuroobod, Darwaz, Vanch, Maimay...)
    places = {p for col in ("admin1", "admin2") for p in records[col].fillna("").astype(str).unique() if p}
    aliases = {place: " ".join(geodata.place_aliases(place)) for place in places}
    fields += [[aliases.get(p, "") for p in fields[SEARCH_FIELDS.index(col)]] for col in ("admin1", "admin2")]
    text = [" ".join(parts) for parts in zip(*fields)]
    search = [f"{t} {' '.join(quotes[rid])}".casefold() if rid in quotes else f"{t} ".casefold()
              for rid, t in zip(ids, text)]
    return RecordSet(
        key=key,
        records=records,
        actors=pd.Series(actors, index=records.index, dtype=object),
        search=pd.Series(search, index=records.index, dtype=object),
    )


def _actors_of(resolve: Callable[[str], str], values: list, claimed: list[str]) -> tuple[str, ...]:
    """Canonical actors of one record: its actor cells (then its claim status), and who claimed it."""
    names = [name for value in values[:-1] for name in _split(value, ";")]
    names += claimed
    if values[-1] == "unclaimed" or any(n.startswith("Unidentified") for n in names):
        names.append(UNKNOWN_ACTOR)
    return tuple(dict.fromkeys(resolve(n) for n in names))


def _resolve(dictionary: ActorDictionary, name: str) -> str:
    return name if name == UNKNOWN_ACTOR else dictionary.resolve(name)


def canonical_actors(names: tuple[str, ...]) -> tuple[str, ...]:
    """Filter values as canonical actor names, so an alias in an old URL ("ISKP") still selects its actor."""
    if not names:  # most views: no need to stat the dictionary's file
        return ()
    dictionary = load_actors()
    return tuple(dict.fromkeys(_resolve(dictionary, n) for n in names))


def actor_counts(sets: list[RecordSet], state: ViewState | None = None) -> dict[str, int]:
    """Records per canonical actor (involved, attributed or suspected), over ``sets``.

    With ``state``, counted in the records its scope shows (border only unless
    context is on), as the filter will show them.
    """
    counts: dict[str, int] = {}
    for rs in sets:
        keep = _scope_mask(rs.records, state) if state is not None else np.ones(len(rs.records), dtype=bool)
        for names, kept in zip(rs.actors, keep):
            if kept:
                for name in names:
                    counts[name] = counts.get(name, 0) + 1
    return counts


def actor_options(names: Iterable[str]) -> list[str]:
    """The actor filter's choices: "Unknown / unclaimed" first, then ``names`` alphabetically."""
    return [UNKNOWN_ACTOR] + sorted(set(names) - {UNKNOWN_ACTOR}, key=str.casefold)


def nationalities(values: Iterable[object]) -> set[str]:
    """The victims' nationalities named in ``victim_nationality`` values ("Chinese|Tajik")."""
    return {n for v in values for n in _split(v, "|")}


def date_bounds(sets: list[RecordSet]) -> tuple[dt.date, dt.date]:
    starts = [rs.records["event_date"].min() for rs in sets if len(rs.records)]
    ends = [rs.records["end_date"].max() for rs in sets if len(rs.records)]
    return min(starts).date(), max(ends).date()


def _scope_mask(records: pd.DataFrame, state: ViewState | None) -> np.ndarray:
    """Border records always; context records only when the state asks for them.

    A record without a scope (every imported one) counts as border: only the
    curator marks a record as context.
    """
    if (state is not None and state.context) or "scope" not in records:
        return np.ones(len(records), dtype=bool)
    return (records["scope"].fillna("").astype(str) != CONTEXT_SCOPE).to_numpy().copy()


def mask(rs: RecordSet, state: ViewState) -> np.ndarray:
    """Which records of ``rs`` pass every filter of ``state``."""
    rec = rs.records
    keep = _scope_mask(rec, state)
    # A record spans event_date..end_date; it shows if the span meets the window.
    if state.date_from:
        keep &= (rec["end_date"] >= pd.Timestamp(state.date_from)).to_numpy()
    if state.date_to:
        keep &= (rec["event_date"] <= pd.Timestamp(state.date_to)).to_numpy()
    if state.actors:
        wanted = set(canonical_actors(state.actors))
        keep &= np.fromiter((not wanted.isdisjoint(a) for a in rs.actors), bool, len(rec))
    if state.event_types:
        keep &= rec["event_type"].isin(state.event_types).to_numpy()
    if state.nationalities:
        wanted = set(state.nationalities)
        keep &= np.fromiter(
            (not wanted.isdisjoint(_split(v, "|")) for v in rec["victim_nationality"]), bool, len(rec)
        )
    if state.sides:
        keep &= rec["country"].isin(state.sides).to_numpy()
    if state.regions:
        keep &= rec["admin1"].isin(state.regions).to_numpy()
    if state.min_fatalities:
        keep &= (rec["fatalities"].fillna(0) >= state.min_fatalities).to_numpy()
    if state.text.strip():
        needle = state.text.strip().casefold()
        keep &= np.fromiter((needle in s for s in rs.search), bool, len(rec))
    return keep


def filter_records(rs: RecordSet, state: ViewState) -> gpd.GeoDataFrame:
    return rs.records[mask(rs, state)]


def filter_key(state: ViewState) -> tuple:
    """What ``mask`` reads of ``state``, normalised: two states with one key select the same records."""
    def sort(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(values)))
    return (state.date_from, state.date_to, sort(canonical_actors(state.actors)), sort(state.event_types),
            sort(state.nationalities), sort(state.sides), sort(state.regions), state.min_fatalities,
            state.text.strip().casefold(), state.context)


@dataclass(frozen=True)
class Summary:
    shown: int
    total: int
    located: int
    fatalities: int  # sum of the numbers the sources give: a lower bound
    injuries: int
    fatalities_unknown: int  # violent records whose sources give no number of dead
    injuries_unknown: int

    def sentence(self) -> str:
        """E.g. "12 of 38 records · at least 13 killed; 3 records with no number · ..."."""
        unlocated = self.shown - self.located
        text = (
            f"{self.shown} of {self.total} records · {_total(self.fatalities, self.fatalities_unknown, 'killed')} · "
            f"{_total(self.injuries, self.injuries_unknown, 'injured')}"
        )
        if unlocated:
            text += f" · {unlocated} without a map location"
        return text


def _total(known: int, unknown: int, verb: str) -> str:
    if not unknown:
        return f"{known} {verb}"
    return f"at least {known} {verb}; {unknown} record{'s' if unknown != 1 else ''} with no number"


def summarize(shown: gpd.GeoDataFrame, total: int) -> Summary:
    """Totals of what the sources report. A count no source gives is not 0: it is
    counted apart (violent records only: a statement has no casualties to report)."""
    fatalities = pd.to_numeric(shown["fatalities"], errors="coerce")
    injuries = pd.to_numeric(shown["injuries"], errors="coerce")
    violent = shown["event_type"].isin(VIOLENT_EVENT_TYPES)
    return Summary(
        shown=len(shown),
        total=total,
        located=len(located(shown)),
        fatalities=int(fatalities.fillna(0).sum()),
        injuries=int(injuries.fillna(0).sum()),
        fatalities_unknown=int((fatalities.isna() & violent).sum()),
        injuries_unknown=int((injuries.isna() & violent).sum()),
    )


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def playback_dates(start: dt.date, end: dt.date, step: str) -> list[dt.date]:
    """The dates playback stops at: each week, or each month end, from start to end."""
    dates: list[dt.date] = []
    current = start
    while current < end:
        if step == "month":
            current = _month_end(current + dt.timedelta(days=1))
        else:
            current = current + dt.timedelta(days=7)
        current = min(current, end)
        dates.append(current)
    return dates or [end]
