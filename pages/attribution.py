"""Attribution: incidents x actors matrix of claims, and actor profiles."""

from panjmap.ui import attribution_page
from panjmap.ui.page import start_page

attribution_page.render(start_page())
