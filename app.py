"""Panj Border Incident Map: the border map (home page).

Run with ``streamlit run app.py``. All logic lives in the panjmap package.
"""

import streamlit as st

from panjmap.ui.map_panel import render_map_area
from panjmap.ui.page import start_page

ctx = start_page("Border map")
st.title("Panj border incidents, 2022–2026")
render_map_area(ctx.dataset, ctx.imports, ctx.options)
