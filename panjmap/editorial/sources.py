"""The Sources library: articles added by pasting text or uploading a .txt or .html file.

The text that quotes are checked against is stored byte for byte (for HTML, the article
text trafilatura extracts, UTF-8); an uploaded file is also kept unchanged with its hash.
Russian, Persian, Chinese texts are stored, searched and quoted as written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import sqlalchemy as sa

from panjmap.editorial import workspace as ws
from panjmap.editorial.errors import ConflictError, EditError
from panjmap.identity import Identity, require
from panjmap.store import Store
from panjmap.store import tables as t
from panjmap.store.core import now

MAX_SOURCE_BYTES = 5 * 2**20  # an article, not a dataset
HTML_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class SourceInput:
    title: str
    publisher: str = ""
    author: str = ""
    language: str = ""
    published: str = ""  # YYYY-MM-DD, or "" for unknown
    url: str = ""
    notes: str = ""


def article_text(data: bytes, filename: str) -> tuple[bytes, str]:
    """(the text quotes are checked against, media type of the original)."""
    if len(data) > MAX_SOURCE_BYTES:
        raise EditError(f"{filename}: {len(data):,} bytes; a source may be at most {MAX_SOURCE_BYTES:,} bytes")
    is_html = filename.lower().endswith(HTML_SUFFIXES) or re.match(rb"\s*(<!doctype html|<html)", data[:200], re.I)
    if is_html:
        import trafilatura

        text = trafilatura.extract(data, include_comments=False, include_tables=True, favor_recall=True)
        if not text or not text.strip():
            raise EditError(f"{filename}: no article text found in this HTML page")
        return text.strip().encode("utf-8") + b"\n", "text/html"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditError(f"{filename}: not UTF-8 text (byte {exc.start}); save it as UTF-8 and upload it again") from None
    if b"\x00" in data:
        raise EditError(f"{filename}: holds NUL bytes; it is not a text file")
    if not data.strip():
        raise EditError(f"{filename}: the text is empty")
    return data, "text/plain"


def _check(meta: SourceInput) -> None:
    if not meta.title.strip():
        raise EditError("give the source a title (the headline, or 'unknown')")
    if meta.published:
        try:
            dt.date.fromisoformat(meta.published)
        except ValueError:
            raise EditError(f"publication date {meta.published!r}: use YYYY-MM-DD, or leave it empty for unknown") from None
    if meta.url and not re.match(r"https?://\S+$", meta.url):
        raise EditError(f"URL {meta.url!r}: must start with http:// or https:// and hold no spaces")
    if meta.language and not re.fullmatch(r"[a-z]{2,3}", meta.language):
        raise EditError(f"language {meta.language!r}: use an ISO 639 code such as en, ru, fa, zh")


def add_source(store: Store, who: Identity, data: bytes, filename: str, meta: SourceInput) -> str:
    """Store an article; -> its source_file name (``NNN_<hash>.txt``, as the seeds are named)."""
    require(who, "add-source")
    _check(meta)
    content, media_type = article_text(data, filename)
    digest = hashlib.sha256(content).hexdigest()
    with store.writing() as conn:
        same = conn.execute(sa.select(t.sources.c.source_file).where(t.sources.c.content_sha256 == digest)).scalar()
        if same:
            raise EditError(f"this text is already in the library as {same}")
        numbers = [int(m.group(1)) for name in conn.execute(sa.select(t.sources.c.source_file)).scalars()
                   if (m := re.match(r"(\d+)_", name))]
        source_file = f"{max(numbers, default=-1) + 1:03d}_{digest[:16]}.txt"
        row = {col: "" for col in ws.seed_fields("sources")} | _meta_fields(meta) | {
            "source_file": source_file, "sha256": digest}
        conn.execute(t.sources.insert().values(
            **row, position=ws.next_position(conn, "sources"), version=1, status="published",
            updated_at=now(), updated_by=who.user, content=content, content_sha256=digest,
            original=data, original_sha256=hashlib.sha256(data).hexdigest(), original_media_type=media_type))
        store.log(conn, "create", "sources", source_file, who=who.user, after=row, reason=f"added from {filename}")
        store.bump(conn, "records")
    return source_file


def _meta_fields(meta: SourceInput) -> dict[str, str]:
    return {"title": meta.title.strip(), "publisher": meta.publisher.strip(), "author": meta.author.strip(),
            "language": meta.language, "published": meta.published, "url": meta.url.strip(), "notes": meta.notes.strip()}


def update_source(store: Store, who: Identity, source_file: str, meta: SourceInput, version: int,
                  reason: str) -> int:
    """Correct a source's details (title, outlet, author, language, date, URL, notes); its text,
    which every quote is checked against, never changes. -> the new version."""
    require(who, "edit-source")
    _check(meta)
    if not reason.strip():
        raise EditError("say why the details change (it goes into the history)")
    fields = _meta_fields(meta)
    with store.writing() as conn:
        current = ws.current_row(conn, "sources", source_file)
        if current is None or current["status"] == "retired":
            raise EditError(f"{source_file} is not in the library")
        if current["version"] != version:
            raise ConflictError(f"{source_file} was changed by {current['updated_by']} after you opened it "
                                f"(version {version} -> {current['version']}); nothing was saved", {})
        before = {f: current[f] for f in fields if current[f] != fields[f]}
        if not before:
            raise EditError("nothing changed")
        conn.execute(t.sources.update().where(t.sources.c.source_file == source_file).values(
            **fields, version=version + 1, updated_at=now(), updated_by=who.user))
        store.log(conn, "update", "sources", source_file, who=who.user, before=before,
                  after={f: fields[f] for f in before}, reason=reason.strip())
        store.bump(conn, "records")
    return version + 1


def search(store: Store, needle: str) -> list[str]:
    """Source files whose text holds ``needle`` as written (any script), case-insensitively."""
    folded = needle.casefold()
    with store.reading() as conn:
        rows = conn.execute(sa.select(t.sources.c.source_file, t.sources.c.content)
                            .where(t.sources.c.status != "retired")).all()
    return [name for name, content in rows if folded in bytes(content).decode("utf-8", "replace").casefold()]
