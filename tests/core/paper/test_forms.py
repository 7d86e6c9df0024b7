"""Every form, filled and blank, read back by poppler: the title and the record's values come out of
`pdftotext`, the only fonts are our Chinese face embedded as a subset, and the QR code's record id is on
the page. Wrong ids and wrong kinds get a Chinese message, not a traceback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from oldcomm_desktop.core.errors import NotFound, OldcommError, ValidationError
from oldcomm_desktop.core.paper import documents, fonts
from tests.core.paper.conftest import Ledger, pdf_fonts, pdf_pages, pdf_text, squeeze

# form -> (which id of the ledger, values its text must show)
EXPECTED = {
    "patrol": (
        "patrol_id",
        [
            "质量安全巡查记录表",
            "幸福里小区<东区>&西區",
            "县住建局周工、乡镇王敏",
            "消防措施及动火管理",
            "2025年6月10日",
            "整改〔2025〕001号",
            "动火作业未办理审批手续",
            "2025年6月17日",
            "青禾县城建工程有限公司",
            "青禾建设监理咨询有限公司",
        ],
    ),
    "notice": (
        "rectification_id",
        [
            "整改通知单",
            "整改〔2025〕001号",
            "青禾县城建工程有限公司：",
            "动火作业未办理审批手续",
            "立即停止动火作业，补办审批并配齐灭火器",
            "2025年6月20日前",
            "城关街道",
        ],
    ),
    "reinspection": (
        "rectification_id",
        [
            "整改回复及复查单",
            "已停止动火作业，补办审批手续，配置灭火器6具",
            "2025年6月15日",
            "未整改",
            "已整改",
            "2025年6月16日",
            "现场复查合格",
            "同意销号",
        ],
    ),
    "scorecard": (
        "management_id",
        ["长效管理检查评分表", "环境卫生及保洁", "垃圾清运不及时", "97", "优秀", "2026年5月12日", "县住建局考评组"],
    ),
    "profile": (
        "community_id",
        [
            "小区改造档案",
            "幸福里小区<东区>&西區",
            "城北路242号",
            "24,567.89平方米",
            "供水管网改造",
            "12,000",
            "680.00",
            "中央预算内投资",
            "400.00",
            "李建国",
            "皖1342010201234567",
            "开工",
            "2025年3月5日",
            "改造前现状",
            "改造后外立面",
            "照片无法读取",
        ],
    ),
    "publicity": (
        "community_id",
        [
            "改造方案公示",
            "2025年1月20日至2025年1月26日",
            "停车位",
            "255.00",
            "总投资680.00万元",
            "2025年3月1日",
            "2025年11月30日",
            "刘军",
            "13912345678",
            "城关街道",
        ],
    ),
    "consent": (
        "community_id",
        ["居民意愿征询表", "业主签字", "同意", "不同意", "28户", "1,980m²", "通过", "2025年1月10日"],
    ),
    "acceptance": (
        "acceptance_id",
        [
            "竣工验收记录",
            "工程质量符合设计及规范要求，资料齐全，同意验收。",
            "2025年12月2日",
            "安徽青禾勘察院有限公司",
            "王勘察",
            "B234001234",
            "竣工资料齐全",
            "合格",
            "2025年11月20日",
        ],
    ),
    "plaque": (
        "community_id",
        [
            "永久性责任标牌",
            "城关街道2025年老旧小区改造项目(二批)",
            "建设单位：青禾县住房和城乡建设局",
            "项目负责人：张建设（皖1342010201234567）",
            "监理单位：青禾建设监理咨询有限公司",
            "13912345678",
            "质量终身责任制",
        ],
    ),
}


def _render(ledger: Ledger, form: str, record_id: str | None, out: Path) -> Path:
    with ledger.db.transaction() as s:
        documents.render(s, form, record_id, out)
    return out


def _assert_fonts_embedded(path: Path) -> None:
    rows = pdf_fonts(path)
    assert rows, "no font in the PDF"
    for row in rows:
        assert (row["emb"], row["sub"], row["uni"]) == ("yes", "yes", "yes"), row
        assert "Helvetica" not in row["name"]


@pytest.mark.parametrize("form", list(EXPECTED))
def test_filled_form_shows_title_and_values_in_an_embedded_font(ledger: Ledger, tmp_path: Path, form: str) -> None:
    key, values = EXPECTED[form]
    record_id = getattr(ledger, key)
    out = _render(ledger, form, record_id, tmp_path / f"{form}.pdf")
    text = squeeze(pdf_text(out))
    missing = [v for v in values if squeeze(v) not in text]
    assert not missing, f"{form}: {missing} not in {text[:400]}"
    assert squeeze(f"记录编号 {record_id}") in text  # beside the QR code, for a reader without a scanner
    assert "第1页共" in text
    _assert_fonts_embedded(out)


@pytest.mark.parametrize("form", list(EXPECTED))
def test_blank_form_has_title_signature_lines_and_no_record(ledger: Ledger, tmp_path: Path, form: str) -> None:
    out = _render(ledger, form, None, tmp_path / f"{form}-blank.pdf")
    text = squeeze(pdf_text(out))
    assert squeeze(documents.FORMS[form].title) in text
    assert "记录编号" not in text and "幸福里" not in text
    if form not in ("plaque", "publicity"):  # a notice and a plaque carry a seal, not signatures
        assert squeeze("（签字）") in text and "年月日" in text
    _assert_fonts_embedded(out)


def test_blank_patrol_lists_the_template_checklist_by_area(ledger: Ledger, tmp_path: Path) -> None:
    text = squeeze(pdf_text(_render(ledger, "patrol", None, tmp_path / "p.pdf")))
    for words in ("脚手架搭设、验收及防护", "管道试压", "居民安全通道", "文明施工", "合格", "不合格", "不适用"):
        assert words in text


def test_each_form_fits_the_paper_it_should(ledger: Ledger, tmp_path: Path) -> None:
    """One page for the site forms; the consent form has a row per household (36 here: two pages)."""
    one_page = ("patrol", "notice", "reinspection", "scorecard", "publicity", "plaque")
    for form in one_page:
        key = EXPECTED[form][0]
        assert pdf_pages(_render(ledger, form, getattr(ledger, key), tmp_path / f"{form}.pdf")) == 1, form
        assert pdf_pages(_render(ledger, form, None, tmp_path / f"{form}-b.pdf")) == 1, form
    consent = _render(ledger, "consent", ledger.community_id, tmp_path / "consent.pdf")
    text = pdf_text(consent)
    assert squeeze("36") in squeeze(text) and "37" not in [line.strip() for line in text.splitlines()]


def test_acceptance_prints_from_the_community_too(ledger: Ledger, tmp_path: Path) -> None:
    text = squeeze(pdf_text(_render(ledger, "acceptance", ledger.community_id, tmp_path / "a.pdf")))
    assert "同意验收" in text and "2025年12月2日" in text  # its latest acceptance check


def test_wrong_id_or_kind_is_a_chinese_message(ledger: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    with ledger.db.transaction() as s:
        with pytest.raises(OldcommError, match="质量安全巡查，不能打印为长效管理检查评分表"):
            documents.render(s, "scorecard", ledger.patrol_id, out)
        with pytest.raises(NotFound, match="找不到编号为 nonsense 的整改通知"):
            documents.render(s, "notice", "nonsense", out)
        with pytest.raises(NotFound, match="的小区"):
            documents.render(s, "profile", ledger.patrol_id, out)
        with pytest.raises(OldcommError, match="不是竣工验收"):
            documents.render(s, "acceptance", ledger.patrol_id, out)
        with pytest.raises(ValidationError, match="没有名为"):
            documents.render(s, "memo", None, out)
        with pytest.raises(ValidationError, match=r"\.pdf"):
            documents.render(s, "patrol", None, tmp_path / "x.txt")
    assert not out.exists()
    assert not list(tmp_path.glob(".printing-*"))  # no temporary file left behind


def test_font_is_the_bundled_truetype_when_no_simsun(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "system_song", lambda: None)
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    (path, song), *_ = fonts.candidates()
    assert path.name == "wqy-microhei.ttc" and not song
    assert (path.parent / "LICENSE-wqy-microhei.txt").is_file()


def test_a_system_simsun_is_preferred(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    windows = tmp_path / "Windows"
    (windows / "Fonts").mkdir(parents=True)
    (windows / "Fonts" / "simsun.ttc").write_bytes(b"")
    monkeypatch.setenv("WINDIR", str(windows))
    assert fonts.system_song() == windows / "Fonts" / "simsun.ttc"
    assert fonts.candidates()[0] == (windows / "Fonts" / "simsun.ttc", True)


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (Debian zbar-tools) not installed")
def test_the_qr_code_reads_back_as_the_record_id(ledger: Ledger, tmp_path: Path) -> None:
    out = _render(ledger, "patrol", ledger.patrol_id, tmp_path / "p.pdf")
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")], check=True
    )
    page = next(tmp_path.glob("page*.png"))
    read = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True)
    assert read.stdout.strip() == ledger.patrol_id
