"""Sources: the seed articles with every supporting passage highlighted and linked to its record."""

from panjmap.ui import sources_page
from panjmap.ui.page import start_page

sources_page.render(start_page())
