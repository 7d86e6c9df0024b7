"""The field-by-field merge rule on its own (core/sync/merge.py): the outcome must not depend on which side
merges into which, or packages applied in different orders would leave nodes apart."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from oldcomm_desktop.core.sync import merge

FIELDS = ["name", "households", "deleted_at"]


def test_two_concurrent_deletions_are_no_conflict_and_keep_the_earlier_time() -> None:
    ours = {"name": "幸福里", "households": 100, "deleted_at": "2026-05-02T10:00:00"}
    theirs = {"name": "幸福里", "households": 100, "deleted_at": "2026-05-01T09:00:00"}
    ours_c = {"*": {"T": 1}, "deleted_at": {"T": 1, "C": 1}}
    theirs_c = {"*": {"T": 1}, "deleted_at": {"T": 2}}
    got = merge.merge_record(ours, ours_c, theirs, theirs_c, FIELDS)
    assert got.conflicts == []
    assert got.values["deleted_at"] == "2026-05-01T09:00:00" and got.taken == ["deleted_at"]
    back = merge.merge_record(theirs, theirs_c, ours, ours_c, FIELDS)
    assert back.conflicts == [] and back.values == got.values
    assert merge.of(back.clocks, "deleted_at") == merge.of(got.clocks, "deleted_at") == {"T": 2, "C": 1}


def test_a_deletion_against_a_live_record_edited_meanwhile_stays_a_conflict() -> None:
    ours = {"name": "新名", "households": 100, "deleted_at": None}
    theirs = {"name": "幸福里", "households": 100, "deleted_at": "2026-05-01T09:00:00"}
    ours_c = {"*": {"T": 1}, "name": {"T": 1, "C": 1}}
    theirs_c = {"*": {"T": 1}, "deleted_at": {"T": 2}}
    got = merge.merge_record(ours, ours_c, theirs, theirs_c, FIELDS)
    assert [c.field for c in got.conflicts] == ["deleted_at"] and got.values["deleted_at"] is None


values = st.sampled_from([None, "2026-05-01T09:00:00", "2026-05-02T10:00:00"])
clocks = st.fixed_dictionaries({"T": st.integers(0, 3), "C": st.integers(0, 3)})


@given(a=values, b=values, ca=clocks, cb=clocks)
def test_a_settled_deleted_field_is_the_same_whichever_side_merges(a, b, ca, cb) -> None:
    """Where the merge settles 删除时间 without a conflict, both directions end with one value and one vector."""
    one = merge.merge_record({"deleted_at": a}, {"*": ca}, {"deleted_at": b}, {"*": cb}, ["deleted_at"])
    two = merge.merge_record({"deleted_at": b}, {"*": cb}, {"deleted_at": a}, {"*": ca}, ["deleted_at"])
    if one.conflicts or two.conflicts:
        return
    if merge.compare(ca, cb) == merge.CONCURRENT:
        assert one.values == two.values
        assert merge.of(one.clocks, "deleted_at") == merge.of(two.clocks, "deleted_at")


def test_the_same_vector_with_another_value_is_a_conflict_not_kept_silently() -> None:
    """A database restored from an old backup counts its next edit with a number its peer already holds for
    another value. Keeping ours quietly would leave the two sides apart for good."""
    ours = {"name": "和平苑", "households": 395, "deleted_at": None}
    theirs = {"name": "和平苑", "households": 400, "deleted_at": None}
    c = {"*": {"T": 2}}
    got = merge.merge_record(ours, c, theirs, c, FIELDS)
    assert [(x.field, x.ours, x.theirs) for x in got.conflicts] == [("households", 395, 400)]
    assert got.values["households"] == 395 and not got.echo
    derived = merge.merge_record(ours, c, theirs, c, FIELDS, frozenset({"households"}))  # derived: no clerk asked
    assert derived.conflicts == [] and derived.values["households"] == 400
    assert merge.merge_record(theirs, c, ours, c, FIELDS, frozenset({"households"})).values["households"] == 400
