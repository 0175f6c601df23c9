"""The editorial workflow on the store: sources, record edits with verbatim provenance,
review states, history and merges. Every write here checks the user's role
(:mod:`panjmap.identity`), runs ``validate``'s rules on the store as it would be after
the change, and commits all-or-nothing; pages only call these functions.

    sources.add_source(store, who, ...)         -> source_file
    records.save(store, who, Edit(...))         -> RecordRef (id, version)
    records.retire / records.merge
    review.set_status(store, who, table, id, status, version)
    history.changes(store, table, id) / history.revert(store, who, change_id)
"""

from panjmap.editorial.errors import ConflictError, EditError

__all__ = ["EditError", "ConflictError"]
