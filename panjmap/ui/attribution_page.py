"""Attribution page: who blames whom, at a glance; every cell opens its sources."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from panjmap import attribution
from panjmap.layers import curated_layer
from panjmap.record_text import place_title
from panjmap.sources import citation, passage_link
from panjmap.ui.page import PageContext
from panjmap.ui.text import md


def render(ctx: PageContext) -> None:
    st.title("Attribution: who blames whom")
    dataset = ctx.dataset
    shown_ids = set(curated_layer(dataset).filtered(ctx.view)["event_id_cnty"])
    unclaimed = dataset.incidents[(dataset.incidents["claim_status"] == "unclaimed")]
    if len(unclaimed):
        names = ", ".join(f"{row.event_id_cnty} ({pd.Timestamp(row.event_date).date()}, {place_title(row)})"
                          for _, row in unclaimed.iterrows())
        st.error(f"**No group has claimed responsibility** for {len(unclaimed)} attacks: {md(names)}.", icon=":material/block:")
        quotes = dataset.evidence[dataset.evidence["record_id"].isin(unclaimed["event_id_cnty"])
                                  & dataset.evidence["supports"].str.contains("claim", case=False)]
        for row in quotes.drop_duplicates("quote").itertuples():
            st.markdown(f"> {md(row.quote)}  \n> — [{md(citation(dataset, row.source_file))}]"
                        f"({passage_link(row.source_file, row.quote)})")

    cells = attribution.matrix(dataset)
    cells = cells[cells["incident"].isin(shown_ids)]
    st.subheader("Incidents × attributed actors")
    st.caption("Each cell: what a source said about that actor and that incident. Colour and symbol = stance "
               "(strongest shown when sources differ). Click a cell for the sources and their exact words. "
               "Only incidents in the current filters are listed.")
    st.table(attribution.stance_legend(), hide_index=True, width="content")
    st.caption("**failed-to-prevent** is not an accusation: the claimant holds the actor responsible for not "
               "stopping the attack (e.g. for not securing the border), without saying it carried it out. "
               "**accused** means the claimant says the actor did it.")
    if cells.empty:
        st.info("No attributions among the incidents in the current filters.")
    else:
        event = st.altair_chart(attribution.matrix_chart(cells), width="stretch",
                                on_select="rerun", selection_mode=["cell"], key="attribution_matrix")
        picked = ((event or {}).get("selection") or {}).get("cell") or []
        if picked:
            incident, actor = picked[0].get("incident"), picked[0].get("actor")
            st.markdown(f"**{md(incident)} · {md(actor)}**")
            if actor == attribution.NO_CLAIM_COLUMN:
                evidence = dataset.evidence_for(incident)
                st.table(pd.DataFrame({"source": [citation(dataset, f) for f in evidence["source_file"]],
                                       "quote": evidence["quote"], "supports": evidence["supports"]}), hide_index=True)
            else:
                # st.table, not st.dataframe: quotes wrap instead of being cut at the cell's edge.
                st.table(attribution.cell_claims(dataset, incident, actor), hide_index=True)

    st.subheader("Who has blamed whom")
    st.dataframe(attribution.blame_table(dataset), hide_index=True, width="stretch")

    st.subheader("Actor profiles")
    actor = st.selectbox("Actor", attribution.actor_names(dataset), index=None, placeholder="Choose an actor")
    if actor:
        claims, records = attribution.actor_profile(dataset, actor)
        st.markdown(f"**Claims naming {md(actor)}** ({len(claims)})")
        st.table(claims, hide_index=True)
        st.markdown(f"**Records involving or mentioning {md(actor)}** ({len(records)})")
        st.dataframe(records, hide_index=True, width="stretch")
