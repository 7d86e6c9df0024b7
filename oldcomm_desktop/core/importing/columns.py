"""Column headers → fields: the synonyms ledgers use, the proposed mapping, mappings remembered per layout.

A mapping is {column index: field}; what a clerk corrects is kept in the database (setting
``import_mapping:<layout key>``) so the next file with the same header is mapped the same way. A mapping
file for the command line is JSON: ``{"columns": {"<header text>": "<field or null>"}, "units":
{"floor_area": "万平方米"}, "year": 2024}`` (see README, 台账导入).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.importing.values import UNITS, known_unit, normalise

# field -> (Chinese label, synonyms, exact first). Order matters where one header could match two fields.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "seq": ("序号", ("序号", "编号", "序")),
    "township": (
        "乡镇（街道）",
        (
            "乡镇(街道)",
            "乡镇街道",
            "所属乡镇",
            "所属街道",
            "街道(乡镇)",
            "乡镇",
            "街道",
            "镇街",
            "镇(街道)",
            "街道办事处",
        ),
    ),
    "district": ("片区", ("片区", "区域", "片区名称")),
    "project": ("项目名称", ("项目名称", "所属项目", "项目")),
    "name": ("小区名称", ("小区名称", "小区(楼栋)名称", "小区名", "小区", "名称")),
    "village": ("所属社区", ("所属社区", "社区", "社区(村)", "社区名称", "所属社区名称", "所属社区(村)")),
    "address": ("地址", ("小区地址", "地址", "坐落", "位置")),
    "year_built": ("建成年份", ("建成年份", "建成年代", "建设年代", "建成时间", "建成年限", "建设年份")),
    "buildings": ("楼栋数", ("楼栋数", "栋数", "幢数", "楼栋", "楼幢数")),
    "households": ("户数", ("户数", "居民户数", "总户数", "惠及户数", "涉及户数", "惠及居民")),
    "floor_area": ("建筑面积", ("建筑面积", "总建筑面积", "房屋建筑面积")),
    "renovation_area": ("改造面积", ("改造面积", "改造建筑面积")),
    "land_area": ("占地面积", ("占地面积", "用地面积")),
    "plan_year": ("改造年度", ("改造年度", "计划年度", "改造年份", "年度", "实施年度")),
    "batch": ("批次", ("批次",)),
    "start_kind": ("新开工/续建", ("新开工/续建", "新开工或续建", "开工类型")),
    "total_investment": (
        "总投资",
        ("总投资", "估算总投资", "计划总投资", "概算总投资", "投资估算", "总投资额", "投资"),
    ),
    "status": ("状态", ("状态", "实施状态", "建设状态", "进展情况", "改造进度", "进度", "工程进度")),
    "progress_percent": ("形象进度", ("形象进度", "完成比例")),
    "planned_start": ("计划开工", ("计划开工时间", "计划开工日期", "计划开工")),
    "planned_completion": ("计划完工", ("计划完工时间", "计划完工日期", "计划完工")),
    "start_date": ("开工时间", ("实际开工时间", "实际开工日期", "开工时间", "开工日期", "实际开工")),
    "completion_date": ("完工时间", ("实际完工时间", "完工时间", "完工日期", "竣工时间", "竣工日期", "实际完工")),
    "contact_person": ("联系人", ("联系人", "负责人")),
    "contact_phone": ("联系电话", ("联系电话", "电话")),
    "notes": ("备注", ("备注", "说明")),
}
LABELS = {k: v[0] for k, v in FIELDS.items()}
# Columns that make a sheet a summary (rows are districts or projects counting communities), not a list.
SUMMARY_WORDS = ("小区数", "小区个数", "小区数量", "项目数量", "项目数", "项目个数", "涉及小区")
NUMERIC = {"buildings", "households", "floor_area", "renovation_area", "land_area", "total_investment"}


def _core(label: str) -> str:
    """A header without its unit in brackets and without spaces: '建筑面积（万平方米）' → '建筑面积'."""
    text = normalise(label)
    return re.sub(r"\([^)]*\)|（[^）]*）", "", text).strip(":：") or text


# Synonyms too general to be found inside a longer header: 社区名称, 建设单位名称 and 物业名称 are not 小区名称;
# 累计完成投资 is not 总投资; 楼栋面积 is not 楼栋数. They count only as the whole header.
WHOLE_ONLY = frozenset({"名称", "小区", "投资", "楼栋", "项目", "社区", "年度", "进度", "区域", "位置", "说明", "电话"})
# words that make a header another figure than the field it contains (完成投资, 到位资金 … are not the total)
NOT_FOR: dict[str, tuple[str, ...]] = {
    "total_investment": ("累计", "完成", "本年", "当年", "年度", "到位", "拨付", "支付", "已投", "资金来源", "补助"),
    "buildings": ("面积",),
    "households": ("面积", "投资"),
}
# a date column that says 计划 is the planned date (a two-row header: 开工时间 over 计划 | 实际)
PLANNED_DATES = {"start_date": "planned_start", "completion_date": "planned_completion"}


def match(label: str) -> str | None:
    """The field a header names, or None: exact synonym first, then the longest synonym it contains; a two-row
    header's label (资金来源（万元）/总投资) that names none as a whole names what its lower part names."""
    found = _match(label)
    if found is None and label and "/" in label:
        child = label.rsplit("/", 1)[1]
        found = _match(child) if child else None
    return found


def _match(label: str) -> str | None:
    if not label:
        return None
    core = _core(label)
    if any(word in core for word in SUMMARY_WORDS) or _counts(label):
        return None  # 小区数, 小区（个） count communities: not the 小区 (name) column
    found = exact(label)
    if found:
        return found
    best: tuple[int, str] | None = None
    for key, (_label, words) in FIELDS.items():
        if any(word in core for word in NOT_FOR.get(key, ())):
            continue
        for w in words:
            w = normalise(w)
            if len(w) >= 2 and w not in WHOLE_ONLY and w in core and (best is None or len(w) > best[0]):
                best = (len(w), key)
    if best is None:
        return None
    if best[1] in PLANNED_DATES and "计划" in core:
        return PLANNED_DATES[best[1]]
    return best[1]


def exact(label: str) -> str | None:
    """The field a header is one of the synonyms of, word for word (小区名称, 名称; not 老旧小区名单), or None."""
    core = _core(label)
    for key, (_label, words) in FIELDS.items():
        if core in (normalise(w) for w in words):
            return key
    return None


def _counts(label: str) -> bool:
    """A header that counts communities or projects by its unit: 小区（个）, 项目(个), 改造小区（个）."""
    text = normalise(label)
    unit = re.search(r"[(（]\s*(个|处)\s*[)）]", text)
    return unit is not None and _core(label).endswith(("小区", "项目"))


def is_summary_header(labels: Sequence[str]) -> str | None:
    """The header word that shows a summary table (小区数, 项目数量, 小区（个） …), or None."""
    for label in labels:
        if _counts(label):
            return label
        core = _core(label)
        for word in SUMMARY_WORDS:
            if word in core:
                return label
    return None


AREAS = ("floor_area", "renovation_area", "land_area")


def is_bare_area(label: str) -> bool:
    """A header that says only 面积 (面积（㎡）, 面积(万平方米)): which area it is, the header does not say."""
    return _core(label) == "面积"


def stand_in_area(label: str) -> str | None:
    """What a column imported as 建筑面积 says it holds instead (a header of only 面积, or 改造面积 on a sheet without
    a 建筑面积), for the hint each of its rows gives: the figure may not be floor area, and a clerk reading the
    summary must be able to tell. None for a 建筑面积 column."""
    if is_bare_area(label):
        return "只写了面积"
    if match(label) == "renovation_area":
        return "是改造面积，表中没有建筑面积"
    return None


def propose(labels: Sequence[str], hidden: Collection[int] = ()) -> dict[int, str]:
    """{column: field} from the header labels; each field once (the first column that names it). A column headed
    only 面积 is proposed as 建筑面积 when it is the sheet's only area column (the clerk sees the proposal and each
    row says so); beside a 建筑面积, 改造面积 or 占地面积 column, or a second 面积, it is left out."""
    mapping: dict[int, str] = {}
    order = [c for c in range(len(labels)) if c not in hidden] + [c for c in range(len(labels)) if c in hidden]
    for col in order:  # a visible column before a hidden one of the same meaning (an old figure hidden)
        field = match(labels[col])
        if field and field not in mapping.values():
            mapping[col] = field
    mapping = dict(sorted(mapping.items()))
    bare = [col for col, label in enumerate(labels) if is_bare_area(label)]
    if len(bare) == 1 and not any(f in AREAS for f in mapping.values()):
        mapping[bare[0]] = "floor_area"
    return mapping


def _full(label: str) -> str:
    """A header as a key, its unit kept: 户数（户） and 户数（原） are two columns, not one 户数."""
    return re.sub(r"\s+", "", normalise(label))


def layout_key(labels: Sequence[str]) -> str:
    """Files whose headers read the same, units and brackets included, share a key (so a corrected mapping is
    remembered for them): 户数（户） | 户数（原） is not the layout of 户数（原） | 户数（户）."""
    text = "|".join(_full(x) for x in labels)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def remembered(session: Any, labels: Sequence[str]) -> dict[str, Any] | None:
    from oldcomm_desktop.core import catalogues

    found = catalogues.get_setting(session, f"import_mapping:{layout_key(labels)}")
    if found is None:  # saved before keys kept the brackets: its header texts are matched in full first
        old = hashlib.sha256("|".join(_core(x) for x in labels).encode()).hexdigest()[:16]
        found = catalogues.get_setting(session, f"import_mapping:{old}")
    return found


def by_position(saved: Mapping[str, Any], labels: Sequence[str]) -> dict[int, str] | None:
    """A remembered mapping's {column: field} when it was saved for exactly these header labels (the same
    columns in the same places), else None (then its header texts are matched)."""
    positions = saved.get("positions")
    if not isinstance(positions, Mapping) or list(saved.get("labels") or []) != list(labels):
        return None
    out: dict[int, str] = {}
    for col, f in positions.items():
        if not str(col).isdigit() or int(col) >= len(labels) or f not in FIELDS:
            return None
        out[int(col)] = str(f)
    return out


def _column_of(header: str, labels: Sequence[str]) -> int | None:
    """The column a mapping file's header names: its full text first (户数（户） is not 户数（原）), then its text
    without the bracket when only one column reads so. Two columns it could be: an error, not a guess."""
    full = [i for i, x in enumerate(labels) if x and _full(x) == _full(header)]
    if len(full) == 1:
        return full[0]
    core = full or [i for i, x in enumerate(labels) if x and _core(x) == _core(header)]
    if len(core) > 1:
        cols = "、".join(f"第 {i + 1} 列“{labels[i]}”" for i in core)
        raise OldcommError(f"对应关系文件中的表头“{header}”对应不止一列（{cols}），请写出完整的表头（含括号）")
    return core[0] if core else None


def alike(labels: Sequence[str], mapping: Mapping[int, str], hidden: Sequence[int] = ()) -> list[str]:
    """What a clerk must be told about the columns that name a field the mapping imports from another column
    (户数（户） and 户数（原）): which one is imported, which is not, and how to choose the other."""
    out = []
    for col, f in sorted(mapping.items()):
        others = [c for c, x in enumerate(labels) if c != col and c not in mapping and x and match(x) == f]
        if not others:
            continue
        named = "、".join(f"第 {c + 1} 列“{labels[c]}”" + ("（隐藏列）" if c in hidden else "") for c in others)
        out.append(
            f"{LABELS[f]}有不止一列：导入第 {col + 1} 列“{labels[col]}”，{named}不导入；"
            "要用另一列，请把列的对应关系另存为文件修改后用 --mapping 指定"
        )
    return out


def hidden_imported(labels: Sequence[str], mapping: Mapping[int, str], hidden: Collection[int]) -> list[str]:
    """A hidden column the mapping imports (the only one of its kind): imported, but the clerk is told, as a
    hidden row is, since a hidden column is often one the ledger's keeper meant to drop."""
    return [
        f"列“{labels[col] or LABELS.get(f, f)}”在表中被隐藏，已照常导入，请核对是否应当导入"
        for col, f in sorted(mapping.items())
        if col in hidden
    ]


def known_headers(session: Any, data: Mapping[str, Any] | None = None) -> frozenset[str]:
    """Header texts a mapping file or a remembered mapping names (so a header of unusual words is found)."""
    from sqlalchemy import select

    from oldcomm_desktop.core.model import Setting

    found = {normalise(str(h)) for h in ((data or {}).get("columns") or {})}
    for value in session.scalars(select(Setting.value).where(Setting.key.like("import_mapping:%"))):
        found |= {normalise(str(h)) for h in (value or {}).get("columns", {})}
    return frozenset(found)


def remember(session: Any, labels: Sequence[str], mapping: Mapping[int, str], units: Mapping[str, str]) -> None:
    from oldcomm_desktop.core import catalogues

    value = {
        "columns": {labels[c]: f for c, f in mapping.items()},
        "units": dict(units),
        # by position too: two columns whose headers read alike (户数（户）, 户数（原）) keep their own field
        "labels": list(labels),
        "positions": {str(c): f for c, f in sorted(mapping.items())},
    }
    key = f"import_mapping:{layout_key(labels)}"
    if catalogues.get_setting(session, key) != value:
        catalogues.set_setting(session, key, value)


def from_json(data: Mapping[str, Any], labels: Sequence[str]) -> tuple[dict[int, str], dict[str, str], int | None]:
    """A mapping file's content → (mapping, units, year). Headers it names that the sheet lacks are errors."""
    columns = data.get("columns") or {}
    if not isinstance(columns, Mapping):
        raise OldcommError("对应关系文件格式不对：columns 应为 {表头: 字段}")
    mapping: dict[int, str] = {}
    for header, field in columns.items():
        col = _column_of(str(header), labels)
        if col is None:
            raise OldcommError(f"对应关系文件中的表头“{header}”在工作表中找不到")
        if field is None:
            continue
        if field not in FIELDS:
            known = "、".join(f"{k}（{v[0]}）" for k, v in FIELDS.items())
            raise OldcommError(f"对应关系文件中的字段“{field}”不存在（可用：{known}）")
        mapping[col] = field
    for col, field in propose(labels).items():  # columns the file does not mention keep the proposal
        if col not in mapping and field not in mapping.values() and labels[col] not in columns:
            mapping[col] = field
    given = data.get("units") or {}
    if not isinstance(given, Mapping):
        raise OldcommError("对应关系文件格式不对：units 应为 {字段: 单位}")
    units = {str(k): str(v) for k, v in given.items()}
    for key, unit in units.items():
        if not known_unit(unit):
            known = "、".join(u for u in UNITS if UNITS[u][0] in ("area", "money"))
            what = f"“{key}”（{LABELS[key]}）" if key in LABELS else f"“{key}”"
            raise OldcommError(f"对应关系文件中{what}的单位“{unit}”无法换算（可用：{known}）")
    year = data.get("year")
    if year in (None, ""):
        return mapping, units, None
    problem = year_problem(year)
    if problem:
        raise OldcommError(f"对应关系文件中的年份“{year}”{problem}")
    return mapping, units, int(year)


def year_problem(year: object) -> str | None:
    """Why a year the clerk gives for the ledger (a mapping file's "year", `--year`) is not one, or None."""
    if isinstance(year, bool) or not isinstance(year, (int, str)) or not str(year).strip().isdigit():
        return "应为四位数字，如 2024"
    if not 1949 <= int(year) <= 2100:
        return "不在 1949–2100 之间"
    return None


def load_file(path: Path) -> dict[str, Any]:
    try:
        text = Path(path).read_bytes()
    except IsADirectoryError:
        raise OldcommError(f"对应关系文件 {path} 是一个文件夹") from None
    except FileNotFoundError:
        raise OldcommError(f"找不到对应关系文件 {path}") from None
    except OSError as exc:
        raise OldcommError(f"对应关系文件 {path} 无法读取：{exc.strerror or exc}") from None
    try:
        decoded = text.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OldcommError(f"对应关系文件 {path} 不是 UTF-8 编码（记事本请“另存为”并选 UTF-8）") from None
    try:
        data = json.loads(decoded)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f"第 {line} 行附近" if line else ""
        raise OldcommError(
            f"对应关系文件 {path} 不是有效的 JSON{where}（检查引号是否为英文双引号、逗号是否多了或少了）"
        ) from None
    if not isinstance(data, dict):
        raise OldcommError("对应关系文件格式不对：应为一个 JSON 对象")
    return data


def to_json(labels: Sequence[str], mapping: Mapping[int, str], units: Mapping[str, str], year: int | None) -> dict:
    return {
        "columns": {labels[c]: mapping.get(c) for c in range(len(labels)) if labels[c]},
        "units": dict(units),
        **({"year": year} if year else {}),
    }
