"""Panj Border Incident Map. Run with ``streamlit run app.py``.

This file only names the pages; each page is a thin script in pages/ and all
logic lives in the panjmap package.
"""

import streamlit as st

# No page or page_icon icons: Streamlit fetches material-icon favicons from a font CDN (offline: blocked).
st.set_page_config(page_title="Panj Border Incident Map", layout="wide")
st.navigation([
    st.Page("pages/map.py", title="Border map", default=True),
    st.Page("pages/timeline.py", title="Timeline"),
    st.Page("pages/attribution.py", title="Attribution"),
    st.Page("pages/sources.py", title="Sources"),
    st.Page("pages/data.py", title="Data and import"),
    st.Page("pages/editor.py", title="Edit records"),
]).run()
