"""Create, edit, retire and merge incidents, claims and sites, with verbatim provenance.

Every incident and site cites at least one source with a quote found verbatim in it
(evidence rows); a claim carries its own source and quote. Saves check the role, the
version the editor started from (optimistic locking) and ``validate``'s rules.
Who may publish is :mod:`panjmap.editorial.review`'s business: a new record is a draft,
and an editor's change to a record takes it back to draft until a reviewer publishes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from panjmap.editorial import workspace as ws
from panjmap.editorial.errors import ConflictError, EditError
from panjmap.identity import Identity, Role, require
from panjmap.store import Store
from panjmap.store import tables as t
from panjmap.store.core import now

ID_PREFIX = {"incidents": "PNJ", "claims": "CLM"}


@dataclass(frozen=True)
class Citation:
    """A source and the verbatim passage of it that supports the record."""

    source_file: str
    quote: str
    supports: str = "report"


@dataclass(frozen=True)
class Edit:
    """One save from the record form. ``record_id`` None creates a record.

    ``base``: the field values the editor started from, and ``version`` their version; a
    save over someone else's newer version is refused with what they changed.
    ``citations``: for incidents and sites, the full list of their evidence after the save.
    """

    table: str
    fields: dict[str, str]
    record_id: str | None = None
    version: int | None = None
    base: dict[str, str] = field(default_factory=dict)
    citations: tuple[Citation, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class RecordRef:
    table: str
    record_id: str
    version: int
    status: str


def _new_id(conn: Connection, table: str, fields: dict[str, str]) -> str:
    if table == "sites":
        slug = re.sub(r"[^A-Z0-9]+", "-", fields.get("name", "").upper()).strip("-")[:40] or "UNNAMED"
        candidate, n = f"SITE-{slug}", 2
        while ws.current_row(conn, table, candidate):
            candidate, n = f"SITE-{slug}-{n}", n + 1
        return candidate
    prefix = ID_PREFIX[table]
    ids = conn.execute(sa.select(ws.id_column(table))).scalars()
    numbers = [int(m.group(1)) for rid in ids if (m := re.fullmatch(prefix + r"(\d+)", rid or ""))]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _status_after_edit(who: Identity, status: str) -> str:
    # A reviewer's own correction may stay public; anyone else's goes back to review.
    return status if who.role >= Role.reviewer and status == "published" else "draft"


def _replace_evidence(conn: Connection, record_id: str, citations: tuple[Citation, ...], who: Identity, status: str) -> None:
    """Make the record's evidence exactly ``citations``: rows that stay keep their place (so a
    dump's diff shows only what changed), dropped ones go, new ones are appended."""
    wanted = [(c.source_file, c.quote, c.supports or "report") for c in dict.fromkeys(citations)]
    ev = t.evidence
    existing = conn.execute(sa.select(ev.c.id, ev.c.source_file, ev.c.quote, ev.c.supports)
                            .where(ev.c.record_id == record_id)).all()
    kept = set()
    for row in existing:
        key = (row.source_file, row.quote, row.supports)
        if key in wanted and key not in kept:
            kept.add(key)
        else:
            conn.execute(ev.delete().where(ev.c.id == row.id))
    conn.execute(ev.update().where(ev.c.record_id == record_id).values(status=status))
    position = ws.next_position(conn, "evidence")
    rows = [dict(record_id=record_id, source_file=f, quote=q, supports=sup, position=position + i, status=status,
                 version=1, updated_at=now(), updated_by=who.user)
            for i, (f, q, sup) in enumerate(k for k in wanted if k not in kept)]
    if rows:
        conn.execute(ev.insert(), rows)


def evidence_of(conn: Connection, record_id: str) -> list[dict[str, str]]:
    rows = conn.execute(sa.select(t.evidence.c.source_file, t.evidence.c.quote, t.evidence.c.supports)
                        .where(t.evidence.c.record_id == record_id).order_by(t.evidence.c.position)).mappings()
    return [dict(r) for r in rows]


def _located(table: str, values: dict[str, Any]) -> dict[str, Any]:
    if table not in t.LOCATED_TABLES:
        return {}
    def num(text: Any) -> float | None:
        try:
            return float(text) if text not in (None, "") else None
        except ValueError:
            return None
    return {"lon": num(values.get("longitude")), "lat": num(values.get("latitude"))}


def save(store: Store, who: Identity, edit: Edit) -> RecordRef:
    """Write one record (and its citations) or nothing; raise EditError / ConflictError."""
    require(who, "edit-record")
    if edit.table not in ws.EDITABLE:
        raise EditError(f"{edit.table} cannot be edited here")
    if edit.table in ("incidents", "sites") and not edit.citations:
        raise EditError("cite at least one source with a verbatim quote")
    allowed = set(ws.seed_fields(edit.table))
    unknown = sorted(set(edit.fields) - allowed)
    if unknown:
        raise EditError(f"unknown fields: {', '.join(unknown)}")
    table = t.RECORD_TABLES[edit.table]
    with store.writing() as conn:
        before_errors = ws.errors_now(conn)
        fields = {k: (v or "").strip() if isinstance(v, str) else ("" if v is None else str(v)) for k, v in edit.fields.items()}
        if edit.record_id is None:
            record_id = fields.get(ws.ID_COLUMNS[edit.table]) or _new_id(conn, edit.table, fields)
            if ws.current_row(conn, edit.table, record_id):
                raise EditError(f"{record_id} already exists", [])
            row = {col: "" for col in allowed} | fields | {ws.ID_COLUMNS[edit.table]: record_id}
            conn.execute(table.insert().values(
                **row, **_located(edit.table, row), position=ws.next_position(conn, edit.table), version=1,
                status="draft", updated_at=now(), updated_by=who.user))
            before, after, version, status, action = None, row, 1, "draft", "create"
        else:
            record_id = edit.record_id
            current = ws.current_row(conn, edit.table, record_id)
            if current is None or current["status"] == "retired":
                raise EditError(f"{record_id} does not exist or was retired")
            if edit.version is not None and current["version"] != edit.version:
                changed = {f: (edit.base.get(f, ""), current[f] or "") for f in allowed
                           if f in edit.base and (current[f] or "") != edit.base.get(f, "")}
                raise ConflictError(
                    f"{record_id} was changed by {current['updated_by']} at {current['updated_at']} after you opened it "
                    f"(version {edit.version} -> {current['version']}); nothing was saved", changed)
            fields.pop(ws.ID_COLUMNS[edit.table], None)
            before = {f: current[f] or "" for f in fields if (current[f] or "") != fields[f]}
            after = {f: fields[f] for f in before}
            version, status, action = current["version"] + 1, _status_after_edit(who, current["status"]), "update"
            merged = {col: current[col] for col in allowed} | fields
            done = conn.execute(table.update().where(ws.id_column(edit.table) == record_id)
                                .where(table.c.version == current["version"]).values(
                **fields, **_located(edit.table, merged), version=version, status=status,
                updated_at=now(), updated_by=who.user)).rowcount
            if done != 1:  # another transaction won the race between our read and write
                raise ConflictError(f"{record_id} was changed by someone else while saving; nothing was saved", {})
        if edit.table in ("incidents", "sites"):
            old = evidence_of(conn, record_id)
            _replace_evidence(conn, record_id, edit.citations, who, status)
            new = evidence_of(conn, record_id)
            if old != new:
                if before is not None:
                    before["evidence"] = old
                after = dict(after, evidence=new)
        ws.refuse_new_errors(conn, before_errors, record_id)
        store.log(conn, action, edit.table, record_id, who=who.user, before=before, after=after,
                  reason=edit.reason or None)
        store.bump(conn, "records")
    return RecordRef(edit.table, record_id, version, status)


def retire(store: Store, who: Identity, table: str, record_id: str, version: int, reason: str) -> RecordRef:
    """Take a record off the map and out of exports; it stays in the store with its history."""
    require(who, "retire-record")
    if not reason.strip():
        raise EditError("say why the record is retired")
    tbl = t.RECORD_TABLES[table]
    with store.writing() as conn:
        before_errors = ws.errors_now(conn)
        current = ws.current_row(conn, table, record_id)
        if current is None or current["status"] == "retired":
            raise EditError(f"{record_id} does not exist or is already retired")
        if current["version"] != version:
            raise ConflictError(f"{record_id} changed since you opened it; nothing was retired", {})
        conn.execute(tbl.update().where(ws.id_column(table) == record_id).values(
            status="retired", version=version + 1, updated_at=now(), updated_by=who.user))
        ws.refuse_new_errors(conn, before_errors, f"retiring {record_id}")
        store.log(conn, "retire", table, record_id, who=who.user, before={"status": current["status"]},
                  after={"status": "retired"}, reason=reason)
        store.bump(conn, "records")
    return RecordRef(table, record_id, version + 1, "retired")


def merge(store: Store, who: Identity, keep_id: str, gone_id: str, reason: str) -> RecordRef:
    """Two incident records are one event: ``gone_id``'s claims, evidence and links move to
    ``keep_id``; ``gone_id`` is retired and redirects to ``keep_id``."""
    require(who, "merge-records")
    if keep_id == gone_id:
        raise EditError("choose two different records")
    with store.writing() as conn:
        before_errors = ws.errors_now(conn)
        keep, gone = ws.current_row(conn, "incidents", keep_id), ws.current_row(conn, "incidents", gone_id)
        if not keep or not gone or "retired" in (keep["status"], gone["status"]):
            raise EditError("both records must exist and not be retired")
        moved_claims = conn.execute(t.claims.update().where(t.claims.c.incident_id == gone_id)
                                    .values(incident_id=keep_id)).rowcount
        kept = {tuple(e.values()) for e in evidence_of(conn, keep_id)}
        for e in evidence_of(conn, gone_id):
            if tuple(e.values()) in kept:  # the same passage supporting the same thing: keep one row
                conn.execute(t.evidence.delete().where(t.evidence.c.record_id == gone_id)
                             .where(t.evidence.c.source_file == e["source_file"]).where(t.evidence.c.quote == e["quote"])
                             .where(t.evidence.c.supports == e["supports"]))
        conn.execute(t.evidence.update().where(t.evidence.c.record_id == gone_id).values(record_id=keep_id))
        related = sorted(set(filter(None, (keep["related_ids"] or "").split("|") + (gone["related_ids"] or "").split("|")))
                         - {keep_id, gone_id})
        for row in conn.execute(sa.select(t.incidents.c.event_id_cnty, t.incidents.c.related_ids)
                                .where(t.incidents.c.related_ids.like(f"%{gone_id}%"))).all():
            ids = [keep_id if r == gone_id else r for r in (row.related_ids or "").split("|") if r]
            ids = [r for r in dict.fromkeys(ids) if r != row.event_id_cnty]
            conn.execute(t.incidents.update().where(t.incidents.c.event_id_cnty == row.event_id_cnty)
                         .values(related_ids="|".join(ids)))
        conn.execute(t.incidents.update().where(t.incidents.c.event_id_cnty == keep_id).values(
            related_ids="|".join(related), version=keep["version"] + 1, updated_at=now(), updated_by=who.user,
            status=_status_after_edit(who, keep["status"])))
        conn.execute(t.incidents.update().where(t.incidents.c.event_id_cnty == gone_id).values(
            status="retired", merged_into=keep_id, version=gone["version"] + 1, updated_at=now(), updated_by=who.user))
        ws.refuse_new_errors(conn, before_errors, f"merging {gone_id} into {keep_id}")
        store.log(conn, "merge", "incidents", gone_id, who=who.user, before={"status": gone["status"]},
                  after={"merged_into": keep_id, "claims_moved": moved_claims}, reason=reason)
        store.bump(conn, "records")
    return RecordRef("incidents", keep_id, keep["version"] + 1, keep["status"])


def resolve_id(store: Store, table: str, record_id: str) -> str:
    """The id a link should open: follows merges (an old id redirects to the record kept)."""
    seen = set()
    with store.reading() as conn:
        while record_id not in seen:
            seen.add(record_id)
            row = ws.current_row(conn, table, record_id)
            if not row or not row.get("merged_into"):
                return record_id
            record_id = row["merged_into"]
    return record_id
