"""The map legend as HTML, from the same style table the markers use."""

from __future__ import annotations

import html

from panjmap.mapview import style


def _shape_svg(shape: str, color: str, hollow: bool = False) -> str:
    fill = "none" if hollow else color
    stroke = color if hollow else "#fff"
    dash = ' stroke-dasharray="3 2"' if hollow else ""
    body = {
        "square": '<rect x="3" y="2" width="10" height="10"',
        "diamond": '<polygon points="8,1 14,7 8,13 2,7"',
        "triangle": '<polygon points="8,1 14,12 2,12"',
        "pentagon": '<polygon points="8,1 14,6 12,13 4,13 2,6"',
    }.get(shape, '<circle cx="8" cy="7" r="5.5"')
    return (f'<svg class="sw" viewBox="0 0 16 14">{body} fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{2 if hollow else 1}"{dash}/></svg>')


def _row(swatch: str, label: str) -> str:
    return f'<div class="row">{swatch}<span>{html.escape(label)}</span></div>'


def legend_html(layers: tuple[str, ...], import_layers: tuple[tuple[str, str], ...] = ()) -> str:
    """Legend rows for the visible layers; ``import_layers`` are (label, colour) pairs."""
    rows = ["<h4>Incidents: symbol = type</h4>"] if "incidents" in layers else []
    if "incidents" in layers:
        symbols = {s.label: s for s in style.EVENT_SYMBOLS.values()}  # Riots and Protests share one
        rows += [_row(_shape_svg(s.shape, s.color), s.label) for s in symbols.values()]
        rows.append(_row(_shape_svg("circle", "#555", hollow=True), "Hollow + dashed ring: approximate place"))
        rows.append(_row('<svg class="sw" viewBox="0 0 16 14"><circle cx="8" cy="7" r="3" fill="#555"/></svg>',
                         "Larger = more killed + injured"))
    for label, color in import_layers:
        rows.append(_row(f'<svg class="sw" viewBox="0 0 16 14"><circle cx="8" cy="7" r="5" fill="{html.escape(color)}"/></svg>',
                         f"Imported: {label}"))
    if "sites" in layers:
        rows.append(_row(f'<svg class="sw" viewBox="0 0 16 14"><rect x="2" y="1" width="12" height="12" fill="{style.SITE_COLOR}"/></svg>',
                         "Chinese project site"))
        rows.append(_row(f'<svg class="sw" viewBox="0 0 16 14"><line x1="0" y1="7" x2="16" y2="7" stroke="{style.ROAD_COLOR}" stroke-width="4"/></svg>',
                         "Kalai-Khumb–Vanch–Roshan road"))
        rows.append(_row('<svg class="sw" viewBox="0 0 16 14"><path d="M4 13V1h1v1h8l-2 3 2 3H5v5z" fill="#1B1B1B"/></svg>',
                         "Border post"))
    if "border" in layers:
        rows.append(_row(f'<svg class="sw" viewBox="0 0 16 14"><line x1="0" y1="7" x2="16" y2="7" stroke="{style.BORDER_COLOR}" stroke-width="3" stroke-dasharray="5 2"/></svg>',
                         "AFG–TJK border (Panj river)"))
    if "regions" in layers:
        rows.append(_row(f'<svg class="sw" viewBox="0 0 16 14"><rect x="1" y="1" width="14" height="12" fill="{style.EMPHASIS_FILL}" stroke="#7A5C1E"/></svg>',
                         "Khatlon, GBAO, Badakhshan"))
    return "".join(rows)
