"""Deciding a field's conflict weighs only that record's local edits (`changes.scan(only=...)`): a whole scan
re-encoded every record written within the scan's margin, which right after an import is everything it wrote,
on every click (QA round 3, bug 5). Edits elsewhere still travel with the next package."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core.model import Community, SyncConflict
from oldcomm_desktop.core.sync import conflicts, tables

from .conftest import COUNTY, T1, Node, exchange


def test_a_decision_encodes_its_own_record_and_edits_elsewhere_still_travel(
    world: dict[str, Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    county, t1 = world[COUNTY], world[T1]
    ids = [t1.new_community(f"小区{i:03d}", households=100) for i in range(60)]
    exchange(county, t1, rounds=1)
    county.update_community(ids[0], households=120)
    t1.update_community(ids[0], households=130)
    county.import_(t1.export().path)
    county.update_community(ids[1], households=77)  # a local edit not scanned yet, made before the decision
    encoded = []
    real = tables.RowCodec.encode
    monkeypatch.setattr(tables.RowCodec, "encode", lambda self, row: encoded.append(row) or real(self, row))
    with county.db.transaction("审核员") as s:
        conflict = s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open"))
        conflicts.resolve(s, conflict, "theirs")
    assert len(encoded) == 1  # the decided record only, not the 60 written within the margin
    monkeypatch.undo()
    exchange(county, t1)
    with t1.db.transaction() as s:
        assert s.get(Community, ids[0]).households == 130 and s.get(Community, ids[1]).households == 77
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
