"""One self-contained folium map for a view state: what exports and snapshots render.

The app shows the same base map and the same incident layers; here they are
joined in one document with a layer control, since there is no sidebar.
"""

from __future__ import annotations

import folium

from panjmap.data import Dataset
from panjmap.layers import MapLayer, visible_layers
from panjmap.mapview.base import build_base_map
from panjmap.mapview.elements import LayerControl
from panjmap.mapview.incidents import selection_group
from panjmap.state import ViewState


def build_full_map(state: ViewState, dataset: Dataset, extra: tuple[MapLayer, ...] = ()) -> folium.Map:
    layers = visible_layers(state, dataset, extra)
    m = build_base_map(state, dataset.sites, import_labels=tuple((l.label, l.color) for l in layers if l.color))
    for layer in layers:
        layer.feature_group(state).add_to(m)
    if state.selected:  # its ring and popup (the label), its group opened
        selection_group(state.selected).add_to(m)
    LayerControl().add_to(m)  # not folium's: layer names are user text (see elements.js_json)
    if state.bbox:
        west, south, east, north = state.bbox
        m.fit_bounds([[south, west], [north, east]])
    return m
