"""The actor dictionary: one canonical name per actor, with its aliases, kind and inter code.

Sources and datasets name one actor many ways ("ISKP", "IS-K", "Islamic State
Khorasan Province (ISKP)", "ИГИЛ-Хорасан"). Everything that groups or filters
by actor (the query, the filters, the Attribution page, the exports, the
importers) goes through ``canonical``, so one actor is one filter value. A name
the dictionary does not know stays as written and is an actor of its own.
Lookup ignores case, spacing, dash and quote variants, in any script.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from panjmap.paths import SEEDS_DIR

if TYPE_CHECKING:
    import pandas as pd

ACTORS_FILE = "actors.csv"
ACTOR_COLUMNS: tuple[str, ...] = ("actor", "aliases", "kind", "inter")
KINDS: tuple[str, ...] = ("state", "rebel", "militia", "civilians", "criminal", "international", "unknown")

_DASHES = re.compile("[\u2010-\u2015\u2212]")


def normalize(name: str) -> str:
    """The lookup key of a name: NFKC, casefolded, one kind of dash, single spaces."""
    text = unicodedata.normalize("NFKC", str(name))
    text = _DASHES.sub("-", text).replace("\u2019", "'")
    text = re.sub(r"\s*-\s*", "-", text)
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Actor:
    name: str
    aliases: tuple[str, ...]
    kind: str
    inter: str


class ActorDictionary:
    """Canonical actors and the names that resolve to them."""

    def __init__(self, actors: list[Actor]) -> None:
        self.actors: dict[str, Actor] = {a.name: a for a in actors}
        self._index: dict[str, str] = {}
        self.conflicts: list[str] = []  # names that would resolve to two actors
        for actor in actors:
            for name in (actor.name, *actor.aliases):
                key = normalize(name)
                if self._index.get(key, actor.name) != actor.name:
                    self.conflicts.append(f"{name!r} names both {self._index[key]!r} and {actor.name!r}")
                self._index.setdefault(key, actor.name)

    def canonical(self, name: str) -> str | None:
        """The canonical name for ``name`` (itself an alias or canonical name), or None if unknown."""
        return self._index.get(normalize(name)) if name and str(name).strip() else None

    def resolve(self, name: str) -> str:
        """The canonical name, or ``name`` as written (trimmed) when the dictionary does not know it."""
        return self.canonical(name) or str(name).strip()

    def aliases_of(self, name: str) -> tuple[str, ...]:
        actor = self.actors.get(name)
        return actor.aliases if actor else ()

    def short_name(self, name: str) -> str | None:
        """An alias that is written inside the canonical name's parentheses ("ISKP" for
        "Islamic State Khorasan Province (ISKP)"), so a label can show both."""
        match = re.search(r"\(([^()]+)\)\s*$", name)
        if match and self.canonical(match.group(1)) == name:
            return match.group(1)
        return None


def actors_from_rows(rows: Iterable[Mapping[str, str]]) -> list[Actor]:
    """Actors from rows with the columns of actors.csv (the file, or the store's table)."""
    return [
        Actor(
            name=row["actor"].strip(),
            aliases=tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()),
            kind=(row.get("kind") or "").strip(),
            inter=(row.get("inter") or "").strip(),
        )
        for row in rows
    ]


def read_actors(path: Path) -> list[Actor]:
    with path.open(encoding="utf-8", newline="") as handle:
        return actors_from_rows(csv.DictReader(handle))


def load_actors(seeds_dir: Path = SEEDS_DIR) -> ActorDictionary:
    """The dictionary in ``seeds/actors.csv``; cached until the file changes."""
    path = Path(seeds_dir) / ACTORS_FILE
    return _load_cached(path.resolve(), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_cached(path: Path, _mtime: int) -> ActorDictionary:
    return ActorDictionary(read_actors(path))


def resolve_column(values: pd.Series, dictionary: ActorDictionary | None = None, lists: bool = False) -> pd.Series:
    """An actor column with known names replaced by their canonical name; one lookup per distinct cell.

    A cell the dictionary does not know stays exactly as written. With ``lists`` (ACLED's
    associated-actor columns) a cell is a ``;``-separated list: it is rewritten only when
    one of its names is known, so free text that merely holds a ";" is left alone.
    """
    dictionary = dictionary or load_actors()
    cells = values.fillna("").astype(str)

    def resolved(cell: str) -> str:
        whole = dictionary.canonical(cell)
        if whole or not lists:
            return whole or cell
        names = [part.strip() for part in cell.split(";") if part.strip()]
        if len(names) < 2 or not any(dictionary.canonical(n) for n in names):
            return cell
        return "; ".join(dict.fromkeys(dictionary.resolve(n) for n in names))

    mapping = {cell: resolved(cell) for cell in cells.unique()}
    return cells.map(mapping)
