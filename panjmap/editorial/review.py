"""Review states: draft -> reviewed -> published (and back to draft for rework).

The default map, exports, permalinks and CLI show published records. A record is
reviewed and published by someone other than its last author; in local mode (one person
at this machine, no proxy identity) that person may publish their own work.
An incident's claims and every record's evidence move with it.
"""

from __future__ import annotations

import sqlalchemy as sa

from panjmap.editorial import workspace as ws
from panjmap.editorial.errors import ConflictError, EditError
from panjmap.editorial.records import RecordRef
from panjmap.identity import Identity, require
from panjmap.store import Store
from panjmap.store import tables as t
from panjmap.store.core import now

# (from, to) -> the action it needs
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "reviewed"): "review",
    ("reviewed", "published"): "publish",
    ("draft", "published"): "publish",
    ("reviewed", "draft"): "review",
    ("published", "draft"): "publish",
}


def set_status(store: Store, who: Identity, table: str, record_id: str, status: str, version: int,
               reason: str = "") -> RecordRef:
    with store.writing() as conn:
        current = ws.current_row(conn, table, record_id)
        if current is None:
            raise EditError(f"{record_id} does not exist")
        action = TRANSITIONS.get((current["status"], status))
        if action is None:
            raise EditError(f"{record_id} is {current['status']}; it cannot become {status} directly")
        require(who, action)
        if current["version"] != version:
            raise ConflictError(f"{record_id} changed since you opened it (version {version} -> "
                                f"{current['version']}); look at the change before you {action} it", {})
        if status != "draft" and current["updated_by"] == who.user and who.how != "local":
            raise EditError(f"{record_id} was last changed by you: another reviewer must {action} it")
        before_errors = ws.errors_now(conn)
        tbl = t.RECORD_TABLES[table]
        conn.execute(tbl.update().where(ws.id_column(table) == record_id).values(status=status, version=version + 1))
        conn.execute(t.evidence.update().where(t.evidence.c.record_id == record_id).values(status=status))
        if table == "incidents":
            conn.execute(t.claims.update().where(t.claims.c.incident_id == record_id)
                         .where(t.claims.c.status.in_(ws.LIVE)).values(status=status))
        ws.refuse_new_errors(conn, before_errors, f"{record_id} ({status})")
        store.log(conn, "status", table, record_id, who=who.user, before={"status": current["status"]},
                  after={"status": status}, reason=reason or None)
        store.bump(conn, "records")
    return RecordRef(table, record_id, version + 1, status)


def queue(store: Store, statuses: tuple[str, ...] = ("draft", "reviewed")) -> list[dict[str, str]]:
    """Records waiting for review, oldest change first."""
    rows: list[dict[str, str]] = []
    with store.reading() as conn:
        for table in ws.EDITABLE:
            tbl = t.RECORD_TABLES[table]
            id_col = ws.id_column(table)
            label = tbl.c.location if table == "incidents" else (tbl.c.name if table == "sites" else tbl.c.actor)
            for r in conn.execute(sa.select(id_col.label("id"), label.label("label"), tbl.c.status, tbl.c.version,
                                            tbl.c.updated_by, tbl.c.updated_at).where(tbl.c.status.in_(statuses))):
                rows.append(dict(r._mapping, table=table))
    return sorted(rows, key=lambda r: r["updated_at"] or now())
