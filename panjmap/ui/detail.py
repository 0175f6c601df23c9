"""The detail panel beside the map: every field of one record, in words.

Data text goes through ``md`` (escaped Markdown) or ``st.dataframe`` (never
interpreted as HTML), so nothing from a record can inject markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from panjmap.data import Dataset
from panjmap.layers import CURATED_KEY, MapLayer
from panjmap.memo import once_per
from panjmap.actors import ActorDictionary, load_actors
from panjmap.record_text import casualties_text, place_title, stand_in_note
from panjmap.records import describe_precision, find_record
from panjmap.schema import CONTEXT_SCOPE, INCIDENT_COLUMNS, STANCES
from panjmap.sources import citation, passage_link
from panjmap.ui.text import md

FIELDS_KEY = "panj_every_field"
_BLOCKS = "\n\n"  # Markdown blocks in one element: a blank line ends a quote and its source line


def _field_table(record: pd.Series) -> pd.DataFrame:
    rows = []
    for col in INCIDENT_COLUMNS:
        value = record.get(col)
        if isinstance(value, pd.Timestamp):
            value = value.date().isoformat()
        missing = value is None or (not isinstance(value, str) and pd.isna(value))
        # An empty count is "not reported" (never read as 0); other empty fields stay empty.
        text = ("not reported" if col in ("fatalities", "injuries") else "") if missing else str(value)
        rows.append({"field": col, "value": text})
    return pd.DataFrame(rows)


def actor_words(name: str) -> str:
    """An actor as the record names it, with its canonical name when that differs."""
    canonical = load_actors().resolve(name)
    return name if canonical == name.strip() else f"{name} (= {canonical})"


def render_detail(selected: str, dataset: Dataset, imports: list[MapLayer]) -> str | None:
    """Show the record ``selected`` ("layer/id"); return a new selection if the user changes it."""
    found = find_record(selected, dataset, imports)
    if found is None:
        st.info("Click an incident on the map to read its details, claims and sources here.")
        return None
    layer, record = found
    st.subheader(f"{md(record['event_id_cnty'])}: {md(place_title(record))}")
    if st.button("Close details", key="close_detail"):
        return ""
    time_words, geo_words = describe_precision(record)
    stand_in = stand_in_note(record)
    st.markdown(
        f"**{md(record['event_type'])}** · {md(record['sub_event_type'])}  \n"
        f"**When:** {md(time_words)}  \n"
        f"**Where:** {md(', '.join(v for v in (record['location'], record['admin2'], record['admin1'], record['country']) if v))}  \n"
        f"**Location precision:** {md(geo_words)}  \n"
        + (f"**Stand-in place:** {md(stand_in)}  \n" if stand_in else "")
        + f"**Casualties:** {md(casualties_text(record))}"
        + (f" · victims: {md(record['victim_nationality'].replace('|', ', '))}" if record["victim_nationality"] else "")
    )
    if record.get("scope") == CONTEXT_SCOPE:
        st.caption("Wider context: not a border incident (not counted in the border totals).")
    st.markdown(f"**Actors:** {md(actor_words(record['actor1']))}"
                + (f" vs {md(actor_words(record['actor2']))}" if record["actor2"] else ""))
    st.markdown(f"**Summary:** {md(record['notes'])}")
    if layer.key == CURATED_KEY:
        _curated_sections(record, dataset)
    else:
        st.caption(f"Imported dataset: {md(layer.label)}. Original columns kept below.")
        original = json.loads(record["original"]) if record.get("original") else {}
        st.dataframe(pd.DataFrame({"column": list(original), "value": [str(v) for v in original.values()]}),
                     hide_index=True, width="stretch")
    every_field = st.expander("Every field", key=FIELDS_KEY, on_change="rerun")
    if every_field.open:  # made only while open: a table is converted to Arrow and sent on every rerun
        fields = curated_text(dataset, record).fields if layer.key == CURATED_KEY else _field_table(record)
        every_field.dataframe(fields, hide_index=True, width="stretch")
    return None


@dataclass(frozen=True)
class CuratedText:
    """The Markdown of a curated record's own sections ("" where a section has nothing) and its fields."""

    unclaimed: bool
    site: str
    claims: str  # "": no attribution reported
    quotes: str
    related: str
    fields: pd.DataFrame  # shared: never changed in place


_STANCES_CAPTION = "Stances: " + "; ".join(f"{k}: {v}" for k, v in STANCES.items()) + "."


def _curated_sections(record: pd.Series, dataset: Dataset) -> None:
    text = curated_text(dataset, record)
    if text.unclaimed:
        st.warning("No group has claimed responsibility (as reported by the sources below).")
    if text.site:
        st.markdown(text.site)
    st.markdown("**Who attributes it to whom**")
    if not text.claims:
        st.caption("No attribution reported in the sources.")
    else:
        st.caption(_STANCES_CAPTION)
        st.markdown(text.claims)
    st.markdown("**Sources, in their own words**")
    if text.quotes:
        st.markdown(text.quotes)
    if text.related:
        st.markdown(text.related)


def _texts_of(dataset: Dataset) -> dict[str, tuple[ActorDictionary, CuratedText]]:
    return {}


def curated_text(dataset: Dataset, record: pd.Series) -> CuratedText:
    """The sections of ``record`` (a curated record of ``dataset``), made once per loaded dataset,
    actor dictionary and record: every session that selects the record reruns with them."""
    texts = once_per(dataset, _texts_of)
    actors = load_actors()
    made_with, text = texts.get(record["event_id_cnty"], (None, None))
    if made_with is not actors or text is None:
        text = _make_curated_text(dataset, record)
        texts[record["event_id_cnty"]] = (actors, text)
    return text


def _make_curated_text(dataset: Dataset, record: pd.Series) -> CuratedText:
    site = ""
    if record["site_id"]:
        row = dataset.sites[dataset.sites["site_id"] == record["site_id"]].iloc[0]
        site = f"**Project site:** {md(row['name'])} ({md(row['site_type'])}; operator: {md(row['operator'] or 'not reported')})"
    # One element for all claims (and one for all quotes): each element is a message the
    # server hashes and queues per rerun; the blocks read the same as separate ones.
    claims = _BLOCKS.join(
        f"**{md(claim['claimant'])}** · *{md(claim['stance'])}* → **{md(actor_words(claim['actor']))}**  \n"
        f"> {md(claim['quote'])}\n\nsource: {_cite(dataset, claim['source_file'], claim['quote'])}"
        + (f" · note: {md(claim['notes'])}" if claim["notes"] else "")
        for claim in dataset.claims_for(record["event_id_cnty"]).to_dict("records")
    )
    quotes = _BLOCKS.join(f"> {md(row['quote'])}\n\nsource: {_cite(dataset, row['source_file'], row['quote'])} · "
                          f"supports: {md(row['supports'])}"
                          for row in dataset.evidence_for(record["event_id_cnty"]).to_dict("records"))
    related = ("**Related or conflicting reports:** " + ", ".join(md(r) for r in record["related_ids"].split("|"))
               if record["related_ids"] else "")
    return CuratedText(record["claim_status"] == "unclaimed", site, claims, quotes, related, _field_table(record))


def _cite(dataset: Dataset, source_file: str, quote: str) -> str:
    """The citation as Markdown: outlet, date and title, linked to the passage in the Sources reader."""
    return f"[{md(citation(dataset, source_file))}]({passage_link(source_file, quote)})"
