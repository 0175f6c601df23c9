"""Data: the records as a table with download, and import of ACLED, UCDP GED and GeoJSON files."""

from panjmap.ui import data_page
from panjmap.ui.page import start_page

data_page.render(start_page())
