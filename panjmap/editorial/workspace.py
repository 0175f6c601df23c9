"""The records as an edit sees them, and the check that nothing invalid is written.

An edit runs inside one write transaction: the store's records are read, the change is
applied with SQL, the records are read again and ``validate``'s rules run on them. Any
error the change introduces aborts the transaction, so the store never holds it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from panjmap.actors import Actor, actors_from_rows
from panjmap.editorial.errors import EditError
from panjmap.store import records as store_records
from panjmap.store import tables as t
from panjmap.validate import Problem, check_all

# Records an edit must stay consistent with: everything but the retired ones.
LIVE: tuple[str, ...] = ("draft", "reviewed", "published")
ID_COLUMNS: dict[str, str] = {"incidents": "event_id_cnty", "claims": "claim_id", "sites": "site_id", "sources": "source_file"}
EDITABLE: tuple[str, ...] = ("incidents", "claims", "sites")


def id_column(table: str) -> sa.Column:
    return t.RECORD_TABLES[table].c[ID_COLUMNS[table]]


def checked_tables(conn: Connection) -> tuple[dict[str, pd.DataFrame], dict[str, bytes], list[Actor]]:
    tables = store_records.read_record_tables(conn, LIVE)
    for frame in tables.values():
        frame["_line"] = range(2, len(frame) + 2)  # position in a dump: what `validate` would report
    actors = actors_from_rows(tables.pop("actors").to_dict("records"))
    return tables, store_records.source_contents(conn, LIVE), actors


def _key(problem: Problem) -> tuple[str, str, str, str]:
    return problem.table, problem.record, problem.field, problem.message


def errors_now(conn: Connection) -> set[tuple[str, str, str, str]]:
    return {_key(p) for p in check_all(*checked_tables(conn)) if p.severity == "error"}


def refuse_new_errors(conn: Connection, before: set[tuple[str, str, str, str]], what: str) -> None:
    """Raise EditError (rolling the transaction back) if the change added any error."""
    problems = [p for p in check_all(*checked_tables(conn)) if p.severity == "error" and _key(p) not in before]
    if problems:
        raise EditError(f"{what} was not saved: " + "; ".join(f"{p.field}: {p.message}" for p in problems), problems)


def current_row(conn: Connection, table: str, record_id: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(t.RECORD_TABLES[table]).where(id_column(table) == record_id)).mappings().first()
    return dict(row) if row else None


def next_position(conn: Connection, table: str) -> int:
    top = conn.execute(sa.select(sa.func.max(t.RECORD_TABLES[table].c.position))).scalar()
    return 0 if top is None else int(top) + 1


def seed_fields(table: str) -> tuple[str, ...]:
    """The record's own fields (the seed columns), as ``db dump`` writes them."""
    return store_records._columns(table)
