"""Township assessment: computed indicators against the plan, hand-scored ones, ranks with ties, the scheme
in force for the year (weights changed mid-year) kept with a saved result, 通报 lists, xlsx/docx exports."""

from __future__ import annotations

import csv
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.core import divisions
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.supervision import assessment, bulletins, exports, orders

from .conftest import T1, T2, make_community

T3 = ("341122102000", "柳林镇")
A = [{"code": "start_communities", "weight": 60}, {"code": "completion", "weight": 40}]
B = [{"code": "start_communities", "weight": 20}, {"code": "completion", "weight": 80}]


@pytest.fixture
def county(cs, today):
    divisions.ensure(cs, *T3)
    make_community(cs, T1[0], "甲小区", households=100, started=date(2026, 3, 1))
    make_community(cs, T1[0], "乙小区", households=300)
    make_community(cs, T2[0], "丙小区", households=80, started=date(2026, 2, 1), completed=date(2026, 5, 1))
    make_community(cs, T3[0], "丁小区", households=60, started=date(2026, 2, 1), completed=date(2026, 5, 2))
    make_community(cs, T1[0], "明年小区", plan_year=2027)  # not in 2026's plan
    return cs


def _scores(result: dict) -> list[tuple[str, str, int]]:
    return [(r["township"], r["score"], r["rank"]) for r in result["rows"]]


def test_ranks_share_ties_and_one_is_best(county) -> None:
    assessment.save_scheme(county, "方案甲", date(2026, 1, 1), A)
    result = assessment.compute(county, 2026)
    assert _scores(result) == [("临河镇", "100.00", 1), ("柳林镇", "100.00", 1), ("城关街道", "30.00", 3)]
    t1 = result["rows"][2]["indicators"]
    assert (t1["start_communities"]["value"], t1["start_communities"]["points"]) == ("0.5000", "30.00")
    assert (t1["completion"]["value"], t1["completion"]["points"]) == ("0.0000", "0.00")


def test_weights_changed_mid_year_apply_to_the_year_and_a_saved_result_keeps_its_scheme(county) -> None:
    assessment.save_scheme(county, "方案甲", date(2026, 1, 1), A)
    kept = assessment.save(county, 2026)
    assert kept.scheme["name"] == "方案甲"
    assessment.save_scheme(county, "方案乙（7月调整权重）", date(2026, 7, 1), B)
    assert assessment.scheme_for(county, 2026)["name"] == "方案乙（7月调整权重）"
    assert assessment.scheme_for(county, 2025)["name"] == "默认考核方案"  # neither was in force in 2025
    now = assessment.compute(county, 2026)
    assert _scores(now)[-1] == ("城关街道", "10.00", 3)  # 20 × 0.5 under the new weights
    stored = assessment.saved(county, 2026)
    assert stored["scheme"]["name"] == "方案甲"
    assert [i["weight"] for i in stored["scheme"]["indicators"]] == ["60", "40"]
    assert _scores(stored)[-1] == ("城关街道", "30.00", 3)
    assessment.save(county, 2026)  # saving again replaces the year's result
    assert assessment.saved(county, 2026)["scheme"]["name"] == "方案乙（7月调整权重）"


def test_default_scheme_indicators_and_hand_scores(county, today) -> None:
    o = orders.issue(
        county,
        {"problem": "p", "requirement": "r", "issued_on": "2026-05-01", "deadline": "2026-05-10"},
        [{"township_code": T1[0]}, {"township_code": T2[0]}],
        today=today,
    )
    t1, t2 = sorted(o.targets, key=lambda t: t.township_code)
    orders.answer(county, t1.id, "按期办理", "2026-05-09", today=today)
    orders.answer(county, t2.id, "逾期办理", "2026-05-20", today=today)
    assessment.set_manual(county, 2026, T1[0], "mechanism", "4.5", "例会记录齐全")
    with pytest.raises(ValidationError, match="应在 0 到 5 之间"):
        assessment.set_manual(county, 2026, T1[0], "mechanism", 6)
    with pytest.raises(ValidationError, match="不是 2026 年方案中的手工评分指标"):
        assessment.set_manual(county, 2026, T1[0], "completion", 3)
    rows = {r["township"]: r for r in assessment.compute(county, 2026)["rows"]}
    ind = rows["城关街道"]["indicators"]
    assert (ind["start_households"]["value"], ind["start_households"]["points"]) == ("0.2500", "2.50")
    assert ind["orders_on_time"]["points"] == "10.00"
    assert rows["临河镇"]["indicators"]["orders_on_time"]["points"] == "0.00"
    assert ind["rectifications_on_time"]["value"] is None and ind["rectifications_on_time"]["points"] == "10.00"
    assert ind["mechanism"]["points"] == "4.50"
    assert sum(Decimal(i["points"]) for i in ind.values()) == Decimal(rows["城关街道"]["score"])
    as_json = assessment.as_json(assessment.compute(county, 2026))
    assert {"township_code", "township", "indicators", "score", "rank"} <= set(as_json[0])


def test_bad_schemes_are_refused(cs) -> None:
    with pytest.raises(ValidationError, match="不是可计算的指标"):
        assessment.save_scheme(cs, "x", date(2026, 1, 1), [{"code": "beauty", "weight": 10}])
    with pytest.raises(ValidationError, match="分值应为正数"):
        assessment.save_scheme(cs, "x", date(2026, 1, 1), [{"code": "completion", "weight": 0}])
    with pytest.raises(ValidationError, match="重复"):
        assessment.save_scheme(cs, "x", date(2026, 1, 1), [{"code": "completion", "weight": 5}] * 2)


def test_township_mode_cannot_assess(session) -> None:
    with pytest.raises(OldcommError, match="县级模式"):
        assessment.compute(session, 2026)


def _lo_csv(path: Path, tmp_path: Path) -> list[list[str]]:
    out = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo_profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (out / (path.stem + ".csv")).open(encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_exports_open_in_libreoffice_and_word_readers(county, tmp_path) -> None:
    assessment.save_scheme(county, "方案甲", date(2026, 1, 1), A)
    result = assessment.compute(county, 2026)
    xlsx = exports.write_assessment(result, tmp_path / "考核.xlsx")
    rows = _lo_csv(xlsx, tmp_path)
    assert rows[0][0] == "2026年度乡镇（街道）老旧小区改造工作绩效考核结果"
    header = rows[2]
    assert header[:3] == ["排名", "乡镇（街道）", "区划代码"] and header[-2:] == ["总分", "等次"]
    assert [r[1] for r in rows[3:6]] == ["临河镇", "柳林镇", "城关街道"]
    assert rows[5][3:5] == ["50.00%", "30.00"]
    b = bulletins.from_assessment(county, result, issued_on=date(2027, 1, 10))
    assert [e.subject for e in b.praise] == ["临河镇", "柳林镇"]
    assert [(e.subject, e.deadline) for e in b.criticism] == [("城关街道", date(2027, 1, 25))]
    bx = _lo_csv(exports.write_bulletin(b, tmp_path / "通报.xlsx"), tmp_path)
    flat = [c for r in bx for c in r]
    assert "一、通报表扬" in flat and "二、通报批评（限期整改）" in flat and "2027-01-25" in flat
    from docx import Document

    doc = Document(str(exports.write_bulletin(b, tmp_path / "通报.docx")))
    assert [t.rows[1].cells[1].text for t in doc.tables] == ["临河镇", "城关街道"]
    assert doc.tables[1].rows[1].cells[-1].text == "2027-01-25"
    doc = Document(str(exports.write_assessment(result, tmp_path / "考核.docx")))
    assert doc.tables[0].rows[3].cells[1].text == "城关街道"
    with pytest.raises(OldcommError, match="请用 .xlsx 或 .docx"):
        exports.write_assessment(result, tmp_path / "考核.pdf")
