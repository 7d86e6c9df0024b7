"""The county's catalogue and a township's own catalogue edits.

The rule: the county is authoritative for its codes (an entry the township never touched follows the county);
entries the township added survive every county package; a township's own change of a county entry is never
silently replaced — it stays as the township's local label while the county keeps its value, and becomes a
conflict (keep ours / take theirs) when both changed it.
"""

from __future__ import annotations

from oldcomm_desktop.core import catalogue_editing, divisions
from oldcomm_desktop.core.model import Division, ItemType
from oldcomm_desktop.core.sync import conflicts, history

from .conftest import COUNTY, T1


def type_name(node, code: str) -> str | None:
    with node.db.transaction("测试员") as s:
        t = s.query(ItemType).filter_by(code=code).one_or_none()
        return None if t is None else t.name


def open_conflicts(node) -> list[dict]:
    with node.db.transaction("测试员") as s:
        return conflicts.listing(s)


def test_a_townships_catalogue_edits_are_never_silently_replaced(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    with t1.db.transaction("镇办事员") as s:  # the township's own label, and an entry of its own
        s.query(ItemType).filter_by(code="water_pipe").one().name = "供水管道（本镇叫法）"
        own = s.query(ItemType).filter_by(code="gas_pipe").one()
        s.add(
            ItemType(
                code="town_001",
                name="本镇自加：化粪池清掏",
                category_id=own.category_id,
                unit="处",
                central_eligible=False,
                sort_order=99,
                active=True,
            )
        )
    with county.db.transaction("县管理员") as s:  # a county entry the township never touched
        catalogue_editing.rename(s, "gas_pipe", "燃气管道更新（县定）")

    first = t1.import_(county.export(T1).path)
    assert type_name(t1, "gas_pipe") == "燃气管道更新（县定）"  # untouched here: follows the county
    assert type_name(t1, "town_001") == "本镇自加：化粪池清掏"  # the township's own entry survives
    assert type_name(t1, "water_pipe") == "供水管道（本镇叫法）"  # not silently replaced
    [c] = open_conflicts(t1)  # before any package the county's side is unknown: a clerk decides
    assert (c["table"], c["field"], c["ours"]) == ("item_type", "name", "供水管道（本镇叫法）")
    assert c["theirs"] != c["ours"] and first.conflicts
    with t1.db.transaction("镇办事员") as s:
        conflicts.resolve(s, c["id"], "ours")

    t1.import_(county.export(T1).path)  # the county kept its value: the local label stays, no new conflict
    assert type_name(t1, "water_pipe") == "供水管道（本镇叫法）" and open_conflicts(t1) == []
    assert type_name(t1, "town_001") == "本镇自加：化粪池清掏"

    with county.db.transaction("县管理员") as s:  # now both changed it: a conflict again
        catalogue_editing.rename(s, "water_pipe", "供水管网改造（县定）")
    report = t1.import_(county.export(T1).path)
    [c] = open_conflicts(t1)
    assert (c["ours"], c["theirs"]) == ("供水管道（本镇叫法）", "供水管网改造（县定）")
    assert type_name(t1, "water_pipe") == "供水管道（本镇叫法）"
    with t1.db.transaction("镇办事员") as s:
        history.rollback(s, report.import_id)  # a rollback takes the conflict away with the import
    assert open_conflicts(t1) == []
    t1.import_(county.export(T1).path)
    [c] = open_conflicts(t1)
    with t1.db.transaction("镇办事员") as s:
        conflicts.resolve(s, c["id"], "theirs")
    assert type_name(t1, "water_pipe") == "供水管网改造（县定）"

    with county.db.transaction("县管理员") as s:  # taken: from now on the county's changes simply arrive
        catalogue_editing.rename(s, "water_pipe", "供水管网")
    t1.import_(county.export(T1).path)
    assert type_name(t1, "water_pipe") == "供水管网" and open_conflicts(t1) == []


def test_the_villages_a_township_chose_or_added_travel_up(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    village = T1[:9] + "201"
    with t1.db.transaction("镇办事员") as s:
        divisions.ensure(s, village, "人民路社区")
    t1.new_community("幸福里小区", households=100, village_code=village)
    up = t1.export()
    assert up.catalogue == 1  # only its own villages: never the county's catalogue
    report = county.import_(up.path)
    assert report.catalogue_changed == 1
    with county.db.transaction("测试员") as s:
        assert divisions.name_of(s, village) == "人民路社区"
        assert s.query(Division).filter_by(code=village).one().level == "village"
    assert county.import_(t1.export().path).catalogue_changed == 0  # known now: nothing twice
    with county.db.transaction("测试员") as s:
        assert s.query(Division).filter_by(code=village).count() == 1
        history.rollback(s, report.import_id)
        assert s.query(Division).filter_by(code=village).count() == 0  # a rollback takes it back out
