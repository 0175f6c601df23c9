"""Edit records: sources, records with verbatim quotes, review, history."""

from panjmap.ui import editor_page
from panjmap.ui.page import start_page

editor_page.render(start_page())
