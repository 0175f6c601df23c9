"""Lookups derived once per loaded object (panjmap/memo.py) and the ones built on it."""

from __future__ import annotations

import pandas as pd

from panjmap import memo
from panjmap.data import load_dataset
from panjmap.records import find_record
from panjmap.sources import citation


def test_built_once_per_object_and_bounded() -> None:
    calls: list[object] = []

    def build(frame: pd.DataFrame) -> int:
        calls.append(frame)
        return len(frame)

    first, equal = pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1, 2]})
    assert memo.once_per(first, build) == 2 and memo.once_per(first, build) == 2
    assert len(calls) == 1
    assert memo.once_per(equal, build) == 2  # an equal but other object (a reload) is built anew
    assert len(calls) == 2
    others = [pd.DataFrame({"a": range(n)}) for n in range(memo.KEEP)]
    for frame in others:
        memo.once_per(frame, build)
    memo.once_per(first, build)  # pushed out by KEEP newer objects
    assert len(calls) == 3 + memo.KEEP


def test_indexed_lookups_equal_a_filter() -> None:
    dataset = load_dataset()
    for record_id in [*dataset.incidents["event_id_cnty"], "no such record"]:
        for got, frame, column in ((dataset.evidence_for(record_id), dataset.evidence, "record_id"),
                                   (dataset.claims_for(record_id), dataset.claims, "incident_id")):
            expected = frame[frame[column] == record_id]
            assert type(got) is type(expected) and got.equals(expected) and list(got.index) == list(expected.index)
        found = find_record(f"incidents/{record_id}", dataset, [])
        rows = dataset.incidents[dataset.incidents["event_id_cnty"] == record_id]
        assert (found is None) if rows.empty else found[1].equals(rows.iloc[0])
    for row in dataset.sources.itertuples():
        assert row.title.strip()[:20] in citation(dataset, row.source_file)
    assert citation(dataset, "not-a-source.txt") == "not-a-source.txt"


def test_lookup_results_are_frames_of_their_own() -> None:
    dataset = load_dataset()
    record_id = dataset.evidence["record_id"].iloc[0]
    got = dataset.evidence_for(record_id)
    got["quote"] = "changed by a caller"
    assert (dataset.evidence_for(record_id)["quote"] != "changed by a caller").all()
