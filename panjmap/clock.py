"""The generation time stamped on exports, reproducible on request.

With ``SOURCE_DATE_EPOCH`` set (the reproducible-builds convention: seconds
since 1970, UTC) every export made with it carries that time, so the page and
the command line give byte-identical files for the same view.
"""

from __future__ import annotations

import datetime as dt
import os


def generation_time() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
