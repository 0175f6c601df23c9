"""The persistent store shared by every session: SQLite by default, PostgreSQL/PostGIS for a team.

    from panjmap.store import open_store
    store = open_store()                 # configured URL; migrated and seeded on first use
    with store.reading() as conn: ...    # one snapshot
    with store.writing() as conn: ...    # all-or-nothing
    store.revisions()                    # {"records": n, "imports": m}: bumped by every write

Modules: ``engine`` (which database), ``tables`` (the schema), ``records``
(seed load, read, dump), ``imports`` (imported datasets), ``backup``, ``gpkg``.
"""

from panjmap.store.core import Store, StoreError, StoreUnavailable, dispose_all, open_store

__all__ = ["Store", "StoreError", "StoreUnavailable", "open_store", "dispose_all"]
