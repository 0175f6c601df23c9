"""The editorial workflow on both store engines: sources, provenance, review, history,
roles, edit conflicts and merges."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from panjmap.editorial import ConflictError, EditError, history, records, review, sources
from panjmap.editorial.records import Citation, Edit
from panjmap.identity import Identity, PermissionDenied, Role
from panjmap.store import open_store
from panjmap.store import records as store_records
from panjmap.store import tables as t

EDITOR = Identity("alice", Role.editor, "proxy")
OTHER_EDITOR = Identity("dana", Role.editor, "proxy")
REVIEWER = Identity("bob", Role.reviewer, "proxy")
VIEWER = Identity("carol", Role.viewer, "proxy")

# An excerpt of a real report (Exclusive.kz citing Radio Ozodi, 30 Nov 2025), quoted as a source.
RU_TEXT = (
    "На востоке Таджикистана в результате вооружённого нападения с афганской стороны убиты двое китайских дорожников\n"
    "Двое китайских дорожных рабочих были убиты вечером 30 ноября в результате вооружённого нападения в Дарвазском "
    "районе ГБАО, на востоке Таджикистана. Как сообщили Радио Озоди источники на месте, атака произошла на территории "
    "села Шодаки джамоата Вишхарв Дарвазского района ГБАО, недалеко от границы с Афганистаном.\n"
).encode("utf-8")
RU_QUOTE = "Двое китайских дорожных рабочих были убиты вечером 30 ноября"
RU_META = sources.SourceInput(
    title="На востоке Таджикистана в результате вооружённого нападения с афганской стороны убиты двое китайских дорожников",
    publisher="Exclusive.kz", language="ru", url="https://exclusive.kz/example")


def incident_fields(**changes: str) -> dict[str, str]:
    fields = {
        "event_date": "2025-11-30", "end_date": "2025-11-30", "year": "2025", "time_precision": "1",
        "disorder_type": "Political violence", "event_type": "Violence against civilians", "sub_event_type": "Attack",
        "actor1": "Unidentified Armed Group (Afghanistan)", "inter1": "Political militia",
        "actor2": "Civilians (China)", "inter2": "Civilians", "interaction": "Political militia-Civilians",
        "iso": "762", "region": "Caucasus and Central Asia", "country": "Tajikistan",
        "admin1": "Gorno-Badakhshan Autonomous Region", "admin2": "Darvoz", "location": "Qalaikhumb",
        "latitude": "38.45373", "longitude": "70.78902", "geo_precision": "2", "source": "Exclusive.kz",
        "source_scale": "National", "notes": "Two Chinese road workers killed in Shodaki, Darvoz (test record).",
        "fatalities": "2", "timestamp": "1795219200", "scope": "border", "reported_location": "Shodaki",
    }
    return fields | changes


@pytest.fixture
def store(store_url: str):
    return open_store(store_url)


def add_ru_source(store) -> str:
    return sources.add_source(store, EDITOR, RU_TEXT, "article.txt", RU_META)


def published_ids(store, table: str = "incidents") -> set[str]:
    with store.reading() as conn:
        frame = store_records.read_record_tables(conn)[table]
    return set(frame[{"incidents": "event_id_cnty", "claims": "claim_id"}[table]])


def log_count(store) -> int:
    with store.reading() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.change_log)).scalar()


def test_a_russian_source_and_an_incident_quoted_from_it_reach_the_map_when_a_reviewer_publishes(store) -> None:
    source = add_ru_source(store)
    ref = records.save(store, EDITOR, Edit("incidents", incident_fields(), citations=(Citation(source, RU_QUOTE, "date; fatalities"),)))
    assert ref.status == "draft" and ref.record_id.startswith("PNJ")
    assert ref.record_id not in published_ids(store)  # drafts stay off the public map
    claim = records.save(store, EDITOR, Edit("claims", {
        "incident_id": ref.record_id, "actor": "Unidentified Armed Group (Afghanistan)", "stance": "accused",
        "claimant": "Radio Ozodi sources", "claimant_type": "media", "source_file": source, "quote": RU_QUOTE}))
    with pytest.raises(EditError, match="another reviewer"):
        review.set_status(store, Identity("alice", Role.reviewer, "proxy"), "incidents", ref.record_id, "reviewed", ref.version)
    reviewed = review.set_status(store, REVIEWER, "incidents", ref.record_id, "reviewed", ref.version)
    review.set_status(store, REVIEWER, "incidents", ref.record_id, "published", reviewed.version)
    assert ref.record_id in published_ids(store)
    assert claim.record_id in published_ids(store, "claims")  # an incident's claims move with it
    # The published store still passes every validate rule, and the quote is kept as written.
    with store.reading() as conn:
        quotes = set(store_records.read_record_tables(conn)["evidence"]["quote"])
    assert RU_QUOTE in quotes
    steps = [c["action"] for c in history.changes(store, "incidents", ref.record_id)]
    assert steps == ["create", "status", "status"]


def test_a_quote_not_found_verbatim_is_refused_and_nothing_changes(store) -> None:
    source = add_ru_source(store)
    before = log_count(store)
    altered = RU_QUOTE.replace("Двое", "Трое")
    with pytest.raises(EditError) as refused:
        records.save(store, EDITOR, Edit("incidents", incident_fields(), citations=(Citation(source, altered),)))
    assert "quote" in refused.value.by_field()
    assert log_count(store) == before
    with store.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.incidents).where(t.incidents.c.status == "draft")).scalar() == 0


def test_validate_rules_are_reported_by_field(store) -> None:
    source = add_ru_source(store)
    with pytest.raises(EditError) as refused:
        records.save(store, EDITOR, Edit("incidents", incident_fields(event_date="30/11/2025", fatalities="-2"),
                                         citations=(Citation(source, RU_QUOTE),)))
    fields = refused.value.by_field()
    assert "event_date" in fields and "fatalities" in fields
    with pytest.raises(EditError, match="cite at least one source"):
        records.save(store, EDITOR, Edit("incidents", incident_fields()))


def test_a_viewer_cannot_write_by_any_path(store) -> None:
    source = add_ru_source(store)
    ref = records.save(store, EDITOR, Edit("incidents", incident_fields(), citations=(Citation(source, RU_QUOTE),)))
    before = log_count(store)
    attempts = [
        lambda: sources.add_source(store, VIEWER, b"another text", "x.txt", RU_META),
        lambda: records.save(store, VIEWER, Edit("incidents", incident_fields(), citations=(Citation(source, RU_QUOTE),))),
        lambda: records.save(store, VIEWER, Edit("incidents", {"fatalities": "9"}, record_id=ref.record_id,
                                                 version=ref.version, citations=(Citation(source, RU_QUOTE),))),
        lambda: records.retire(store, VIEWER, "incidents", ref.record_id, ref.version, "no"),
        lambda: records.merge(store, VIEWER, "PNJ019", ref.record_id, "no"),
        lambda: review.set_status(store, VIEWER, "incidents", ref.record_id, "reviewed", ref.version),
        lambda: history.revert(store, VIEWER, 1),
        lambda: sources.update_source(store, VIEWER, source, RU_META, 1, "no"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    with pytest.raises(PermissionDenied):  # an editor cannot publish either
        review.set_status(store, OTHER_EDITOR, "incidents", ref.record_id, "reviewed", ref.version)
    assert log_count(store) == before


def test_the_second_of_two_concurrent_saves_is_refused_with_what_changed(store) -> None:
    source = add_ru_source(store)
    ref = records.save(store, EDITOR, Edit("incidents", incident_fields(), citations=(Citation(source, RU_QUOTE),)))
    opened = incident_fields()  # both editors opened version 1 with these values
    records.save(store, EDITOR, Edit("incidents", {"fatalities": "3"}, record_id=ref.record_id, version=1,
                                     base=opened, citations=(Citation(source, RU_QUOTE),)))
    with pytest.raises(ConflictError) as conflict:
        records.save(store, OTHER_EDITOR, Edit("incidents", {"notes": "Another note"}, record_id=ref.record_id,
                                               version=1, base=opened, citations=(Citation(source, RU_QUOTE),)))
    assert conflict.value.changed == {"fatalities": ("2", "3")}
    with store.reading() as conn:
        row = conn.execute(sa.select(t.incidents).where(t.incidents.c.event_id_cnty == ref.record_id)).mappings().one()
    assert (row["fatalities"], row["version"], row["notes"]) == ("3", 2, incident_fields()["notes"])


def test_history_shows_each_change_and_a_revert_is_a_new_change(store) -> None:
    source = add_ru_source(store)
    ref = records.save(store, EDITOR, Edit("incidents", incident_fields(), citations=(Citation(source, RU_QUOTE),)))
    records.save(store, OTHER_EDITOR, Edit("incidents", {"fatalities": "20"}, record_id=ref.record_id, version=1,
                                           citations=(Citation(source, RU_QUOTE),), reason="typo?"))
    changes = history.changes(store, "incidents", ref.record_id)
    update = changes[-1]
    assert (update["who"], update["before"], update["after"], update["reason"]) == ("dana", {"fatalities": "2"}, {"fatalities": "20"}, "typo?")
    history.revert(store, REVIEWER, update["id"])
    after = history.changes(store, "incidents", ref.record_id)
    assert len(after) == len(changes) + 1
    assert after[-1]["after"] == {"fatalities": "2"} and after[-1]["reason"] == f"revert of change #{update['id']}"


def test_merging_keeps_every_claim_and_the_old_id_redirects(store) -> None:
    source = add_ru_source(store)
    a = records.save(store, EDITOR, Edit("incidents", incident_fields(), citations=(Citation(source, RU_QUOTE),)))
    b = records.save(store, EDITOR, Edit("incidents", incident_fields(notes="Same attack, second report."),
                                         citations=(Citation(source, RU_QUOTE, "place"),)))
    claim = records.save(store, EDITOR, Edit("claims", {
        "incident_id": b.record_id, "actor": "Taliban", "stance": "suspected", "claimant": "Afghanistan International",
        "claimant_type": "media", "source_file": source, "quote": RU_QUOTE}))
    records.merge(store, EDITOR, a.record_id, b.record_id, "one event, two reports")
    assert records.resolve_id(store, "incidents", b.record_id) == a.record_id
    with store.reading() as conn:
        moved = conn.execute(sa.select(t.claims.c.incident_id).where(t.claims.c.claim_id == claim.record_id)).scalar()
        supports = set(conn.execute(sa.select(t.evidence.c.supports).where(t.evidence.c.record_id == a.record_id)).scalars())
        gone = conn.execute(sa.select(t.incidents.c.status).where(t.incidents.c.event_id_cnty == b.record_id)).scalar()
    assert moved == a.record_id and supports == {"report", "place"} and gone == "retired"


def test_an_html_source_is_reduced_to_its_article_text_and_kept_as_uploaded(store) -> None:
    html = ("<html><head><title>Border clash</title></head><body><nav>Home | News | Sport</nav><article>"
            "<h1>Two border guards killed</h1><p>" + "Tajik border guards repelled an attack near the Sarchashma post. " * 3
            + "</p><p>Три боевика были уничтожены.</p></article><footer>© 2025 Example</footer></body></html>").encode("utf-8")
    name = sources.add_source(store, EDITOR, html, "page.html", sources.SourceInput(title="Border clash", language="en"))
    with store.reading() as conn:
        row = conn.execute(sa.select(t.sources).where(t.sources.c.source_file == name)).mappings().one()
    text = bytes(row["content"]).decode("utf-8")
    assert "Три боевика были уничтожены." in text and "Home | News" not in text
    assert bytes(row["original"]) == html and row["original_media_type"] == "text/html"
    assert sources.search(store, "три БОЕВИКА были уничтожены") == [name]  # the seeds now hold Russian sources too
    with pytest.raises(EditError, match="already in the library"):
        sources.add_source(store, EDITOR, html, "again.html", sources.SourceInput(title="Border clash"))
    with pytest.raises(EditError, match="YYYY-MM-DD"):
        sources.add_source(store, EDITOR, b"text", "t.txt", sources.SourceInput(title="x", published="25 Dec"))


def test_a_new_citation_leaves_the_existing_evidence_rows_in_place(store) -> None:
    source = add_ru_source(store)
    second = "атака произошла на территории села Шодаки джамоата Вишхарв Дарвазского района ГБАО"
    ref = records.save(store, EDITOR, Edit("incidents", incident_fields(), citations=(Citation(source, RU_QUOTE),)))

    def rows() -> list[tuple[int, str]]:
        with store.reading() as conn:
            return [tuple(r) for r in conn.execute(sa.select(t.evidence.c.position, t.evidence.c.quote)
                                                  .where(t.evidence.c.record_id == ref.record_id)
                                                  .order_by(t.evidence.c.position))]

    before = rows()
    records.save(store, EDITOR, Edit("incidents", {}, record_id=ref.record_id, version=ref.version,
                                     citations=(Citation(source, RU_QUOTE), Citation(source, second, "place"))))
    after = rows()
    assert after[0] == before[0] and [q for _, q in after] == [RU_QUOTE, second]


def _source_row(store, source_file: str) -> dict:
    with store.reading() as conn:
        return dict(conn.execute(sa.select(t.sources).where(t.sources.c.source_file == source_file)).mappings().one())


def test_a_source_s_details_are_corrected_with_history_and_its_text_never_changes(store) -> None:
    import dataclasses

    source = add_ru_source(store)
    before = _source_row(store, source)
    corrected = dataclasses.replace(RU_META, publisher="Exclusive.kz, citing Radio Ozodi", published="2025-11-30")
    assert sources.update_source(store, EDITOR, source, corrected, 1, "the outlet cites Radio Ozodi") == 2
    after = _source_row(store, source)
    assert (after["publisher"], after["published"], after["version"]) == ("Exclusive.kz, citing Radio Ozodi", "2025-11-30", 2)
    assert bytes(after["content"]) == bytes(before["content"]) == RU_TEXT and after["sha256"] == before["sha256"]
    [change] = [c for c in history.changes(store, "sources", source) if c["action"] == "update"]
    assert change["who"] == "alice" and change["reason"] == "the outlet cites Radio Ozodi"
    assert change["before"] == {"publisher": "Exclusive.kz", "published": ""}
    assert change["after"] == {"publisher": "Exclusive.kz, citing Radio Ozodi", "published": "2025-11-30"}

    count = log_count(store)
    with pytest.raises(ConflictError, match="nothing was saved"):  # opened at version 1, saved meanwhile
        sources.update_source(store, OTHER_EDITOR, source, RU_META, 1, "stale")
    with pytest.raises(EditError, match="YYYY-MM-DD"):
        sources.update_source(store, EDITOR, source, dataclasses.replace(corrected, published="30.11.2025"), 2, "date")
    with pytest.raises(EditError, match="why"):
        sources.update_source(store, EDITOR, source, RU_META, 2, " ")
    assert log_count(store) == count and _source_row(store, source)["version"] == 2
