"""Timeline: a chronology of all records; selecting a period sets the map's time window."""

from panjmap.ui import timeline_page
from panjmap.ui.page import start_page

timeline_page.render(start_page())
