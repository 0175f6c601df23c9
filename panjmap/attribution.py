"""Who blames whom: the incidents x actors matrix of claims, and actor profiles.

Stances keep their own colours and symbols everywhere (matrix, tables), and an
incident a source calls unclaimed gets its own column, so "nobody claimed it"
is a visible fact, not an empty cell.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from panjmap.actors import load_actors
from panjmap.data import Dataset
from panjmap.record_text import place_title
from panjmap.schema import STANCES
from panjmap.sources import citation

NO_CLAIM_COLUMN = "No claim of responsibility"
STANCE_COLORS = {
    "claimed": "#000000",
    "accused": "#C0392B",
    "suspected": "#E67E22",
    "denied": "#2E86C1",
    "blamed-other": "#8E44AD",
    "failed-to-prevent": "#117A65",
    "unclaimed": "#7F8C8D",
}
STANCE_SYMBOLS = {"claimed": "●", "accused": "▲", "suspected": "?", "denied": "✕", "blamed-other": "↪",
                  "failed-to-prevent": "⊘", "unclaimed": "∅"}
# When one source pair says several things, the strongest stance names the cell.
STANCE_ORDER = ["claimed", "accused", "blamed-other", "suspected", "failed-to-prevent", "denied", "unclaimed"]


def canonical_claims(dataset: Dataset) -> pd.DataFrame:
    """The claims with ``actor`` as its canonical name and ``actor_as_written`` as the claim words it."""
    claims = pd.DataFrame(dataset.claims.drop(columns="geometry", errors="ignore"))
    dictionary = load_actors()
    claims["actor_as_written"] = claims["actor"]
    claims["actor"] = [dictionary.resolve(name) for name in claims["actor"]]
    claims["source"] = [citation(dataset, f) for f in claims["source_file"]]
    return claims


def incident_labels(dataset: Dataset) -> dict[str, str]:
    inc = dataset.incidents
    return {
        rid: f"{rid} · {pd.Timestamp(row['event_date']).date()} · "
             f"{place_title(row) if row['location'] or row['reported_location'] else row['sub_event_type']}"
        for rid, (_, row) in zip(inc["event_id_cnty"], inc.iterrows())
    }


def matrix(dataset: Dataset) -> pd.DataFrame:
    """One row per (incident, canonical actor) cell: stance shown, all stances, number of claims."""
    claims = canonical_claims(dataset)
    rows = []
    for (incident, actor), group in claims.groupby(["incident_id", "actor"], sort=False):
        stances = sorted(set(group["stance"]), key=STANCE_ORDER.index)
        rows.append({"incident": incident, "actor": actor, "stance": stances[0],
                     "stances": ", ".join(stances), "claims": len(group),
                     "claimants": "; ".join(sorted(set(group["claimant"])))})
    unclaimed = dataset.incidents[dataset.incidents["claim_status"] == "unclaimed"]["event_id_cnty"]
    for incident in unclaimed:
        rows.append({"incident": incident, "actor": NO_CLAIM_COLUMN, "stance": "unclaimed",
                     "stances": "unclaimed", "claims": 0, "claimants": "sources report no claim"})
    frame = pd.DataFrame(rows, columns=["incident", "actor", "stance", "stances", "claims", "claimants"])
    labels = incident_labels(dataset)
    frame["incident_label"] = frame["incident"].map(labels)
    frame["symbol"] = frame["stance"].map(STANCE_SYMBOLS)
    return frame


def matrix_chart(cells: pd.DataFrame) -> alt.Chart:
    incidents = sorted(set(cells["incident_label"]))
    actors = [NO_CLAIM_COLUMN] + sorted(set(cells["actor"]) - {NO_CLAIM_COLUMN}, key=str.casefold)
    pick = alt.selection_point(name="cell", fields=["incident", "actor"])
    stance_scale = alt.Scale(domain=list(STANCE_COLORS), range=list(STANCE_COLORS.values()))
    base = alt.Chart(cells).encode(
        x=alt.X("actor:N", sort=actors, title="Attributed actor", axis=alt.Axis(labelAngle=-40, labelLimit=200, orient="top", labelOverlap=False)),
        y=alt.Y("incident_label:N", sort=incidents, title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=[alt.Tooltip("incident_label:N", title="incident"), "actor:N", "stances:N", "claims:Q", "claimants:N"],
    )
    squares = base.mark_square(size=420).encode(
        color=alt.Color("stance:N", scale=stance_scale, title="Stance", legend=alt.Legend(orient="bottom")),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
    ).add_params(pick)
    glyphs = base.mark_text(color="white", fontSize=12, fontWeight="bold").encode(text="symbol:N")
    return alt.layer(squares, glyphs).properties(width="container", height=alt.Step(28))


def cell_claims(dataset: Dataset, incident: str, actor: str) -> pd.DataFrame:
    claims = canonical_claims(dataset)
    picked = claims[(claims["incident_id"] == incident) & (claims["actor"] == actor)]
    return pd.DataFrame(picked[["claimant", "stance", "actor_as_written", "source", "quote", "notes"]])


def blame_table(dataset: Dataset) -> pd.DataFrame:
    """Claimant -> canonical actor, with stances and the incidents concerned: who has blamed whom."""
    claims = canonical_claims(dataset)
    grouped = claims.groupby(["claimant", "actor"], sort=False).agg(
        stances=("stance", lambda s: ", ".join(sorted(set(s), key=STANCE_ORDER.index))),
        incidents=("incident_id", lambda s: ", ".join(sorted(set(s)))),
        claims=("claim_id", "size"),
    ).reset_index()
    return grouped.sort_values(["claimant", "actor"]).reset_index(drop=True)


def actor_names(dataset: Dataset) -> list[str]:
    """Every actor named in the records or claims, by canonical name, once."""
    dictionary = load_actors()
    names = set(canonical_claims(dataset)["actor"])
    for col in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"):
        names |= {dictionary.resolve(n) for v in dataset.incidents[col] for n in str(v).split(";") if n.strip()}
    return sorted(names, key=str.casefold)


def actor_profile(dataset: Dataset, actor: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(claims naming the actor under any of its names, incidents where it is an actor or
    any of its names appears in the record's notes)."""
    dictionary = load_actors()
    actor = dictionary.resolve(actor)
    claims = canonical_claims(dataset)
    claims = claims[claims["actor"] == actor][["incident_id", "claimant", "stance", "actor_as_written", "source", "quote"]]
    inc = dataset.incidents
    names = [n.casefold() for n in (actor, *dictionary.aliases_of(actor)) if len(n) > 3]

    def is_actor(row: pd.Series) -> bool:
        return any(dictionary.resolve(n) == actor for col in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")
                   for n in str(row[col]).split(";") if n.strip())

    roles = ["actor" if is_actor(row) else "mentioned in notes" if any(n in str(row["notes"]).casefold() for n in names)
             else "" for _, row in inc.iterrows()]
    involved = inc[[bool(r) for r in roles]]
    records = pd.DataFrame({
        "id": involved["event_id_cnty"], "date": involved["event_date"].dt.date, "type": involved["sub_event_type"],
        "place": [place_title(row) for _, row in involved.iterrows()], "scope": involved["scope"],
        "role": [r for r in roles if r],
    })
    return pd.DataFrame(claims), records


def stance_legend() -> pd.DataFrame:
    return pd.DataFrame([{"symbol": STANCE_SYMBOLS[s], "stance": s, "meaning": STANCES.get(s, "a source states nobody claimed it")}
                         for s in STANCE_ORDER])
