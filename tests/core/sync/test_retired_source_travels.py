"""A funding source the county retired (停用, migration 0013) travels in its package: the township's copy is
retired too, so new money on it is refused there, while the township's line already on it keeps working."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import communities, funding, funding_catalogue
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import FundingSource

from .conftest import COUNTY, T1


def test_a_retired_source_arrives_retired(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    with t1.db.transaction("镇办事员") as s:
        c = communities.create(s, {"name": "旧账小区", "total_investment": "100"})
        funding.set_lines(s, c, {"bank_loans": {"approved": "100"}})
        cid = c.id
    with county.db.transaction("县管理员") as s:
        funding_catalogue.retire(s, "bank_loans")
    t1.import_(county.export(T1).path)
    with t1.db.transaction("镇办事员") as s:
        assert s.query(FundingSource).filter_by(code="bank_loans").one().active is False
        funding.set_lines(s, communities.get(s, cid), {"bank_loans": {"approved": "100", "arrived": "60"}})
        other = communities.create(s, {"name": "新账小区", "total_investment": "50"})
        with pytest.raises(ValidationError, match="“金融机构贷款”已停用"):
            funding.set_lines(s, other, {"bank_loans": {"approved": "50"}})


def test_a_package_from_before_0013_without_the_flag_still_imports(world, tmp_path) -> None:
    import json
    import zipfile

    from .conftest import rewrite

    county, t1 = world[COUNTY], world[T1]
    with county.db.transaction("县管理员") as s:
        funding_catalogue.rename(s, "bank_loans", "银行贷款")
        funding_catalogue.add(s, "social", "企业捐赠")  # a new row: inserted with the default
    sent = county.export(T1).path

    def drop_flag(content: dict) -> None:
        for name, body in content.items():
            if name.endswith("funding_source.jsonl"):
                lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
                for row in lines:
                    (row.get("v") or row).pop("active", None)
                content[name] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines).encode()

    old = rewrite(
        sent, tmp_path / "old.zip", county, members=drop_flag, manifest=lambda m: m.update(schema_version="0012")
    )
    with zipfile.ZipFile(old) as zf:
        assert not any(b'"active"' in zf.read(n) for n in zf.namelist() if n.endswith("funding_source.jsonl"))
    t1.import_(old)
    with t1.db.transaction("镇办事员") as s:
        source = s.query(FundingSource).filter_by(code="bank_loans").one()
        assert source.name == "银行贷款" and source.active is True
        assert s.query(FundingSource).filter_by(name="企业捐赠").one().active is True
