"""Panj Border Incident Map: data, geodata, query, map and export logic.

The Streamlit pages only read widgets and call into this package.
"""

__version__ = "0.1.0"
