"""Each record's history from the change log, and reverting a change as a new change."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from panjmap.editorial import records, workspace as ws
from panjmap.editorial.errors import EditError
from panjmap.identity import Identity, require
from panjmap.store import Store
from panjmap.store import tables as t


def changes(store: Store, table: str, record_id: str) -> list[dict[str, Any]]:
    """Every logged change of one record, oldest first, with before/after decoded."""
    log = t.change_log
    with store.reading() as conn:
        rows = conn.execute(sa.select(log).where(log.c.table_name == table).where(log.c.record_id == record_id)
                            .order_by(log.c.id)).mappings().all()
    return [dict(r, before=json.loads(r["before"]) if r["before"] else None,
                 after=json.loads(r["after"]) if r["after"] else None) for r in rows]


def revert(store: Store, who: Identity, change_id: int, reason: str = "") -> records.RecordRef:
    """Undo one change by saving its 'before' values as a new change (validated like any edit)."""
    require(who, "revert")
    with store.reading() as conn:
        change = conn.execute(sa.select(t.change_log).where(t.change_log.c.id == change_id)).mappings().first()
        if change is None:
            raise EditError(f"no change #{change_id}")
        current = ws.current_row(conn, change["table_name"], change["record_id"] or "")
    if current is None or change["table_name"] not in ws.EDITABLE:
        raise EditError(f"change #{change_id} is not a record edit that can be reverted")
    why = reason or f"revert of change #{change_id}"
    if change["action"] == "create":
        return records.retire(store, who, change["table_name"], change["record_id"], current["version"], why)
    if change["action"] != "update" or not change["before"]:
        raise EditError(f"change #{change_id} ({change['action']}) cannot be reverted here")
    before = json.loads(change["before"])
    evidence = before.pop("evidence", None)
    citations = tuple(records.Citation(e["source_file"], e["quote"], e["supports"]) for e in evidence) if evidence else ()
    if not citations and change["table_name"] in ("incidents", "sites"):
        with store.reading() as conn:
            citations = tuple(records.Citation(**e) for e in records.evidence_of(conn, change["record_id"]))
    return records.save(store, who, records.Edit(
        table=change["table_name"], record_id=change["record_id"], fields=before, version=current["version"],
        citations=citations, reason=why))
