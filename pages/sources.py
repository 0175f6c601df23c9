"""Sources: the seed articles with every supporting passage highlighted and linked to its record."""

from panjmap.ui import sources_page
from panjmap.ui.page import start_page

sources_page.read_passage_link()  # before start_page rewrites the URL from the view state
sources_page.render(start_page())
