"""The community's papers: 小区改造档案, 改造方案公示, 居民意愿征询表, 竣工验收记录 and 永久性责任标牌.

Each takes the session and a community id (None for a blank) and lays the form out from the core's own
reads: the header from `community_detail`, money from `funding`, the timeline from `milestones`, the "items"
listing, consent from the community and `communities.consent_result`, and the five responsible parties (质量终身责任制)
from `responsibility`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, communities, community_detail, funding, milestones, responsibility
from oldcomm_desktop.core.paper import sources
from oldcomm_desktop.core.paper.frame import (
    GRID,
    NBSP,
    WIDTH,
    FormMeta,
    cn_date,
    facts,
    grid,
    heading,
    money,
    para,
    quantity,
    section,
    signatures,
    signed_off,
    styles,
    text,
)
from oldcomm_desktop.core.projects import START_KINDS

OnDraw = Callable[[], None] | None
WAN = "万元"


def _v(value: object, unit: str = "") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        value = quantity(value)
    return f"{value}{unit}"


def _basics(session: Session, community_id: str | None) -> tuple[Any, Any, sources.Site]:
    if community_id is None:
        return None, None, sources.Site()
    c = sources.community(session, community_id)
    return c, community_detail.header(session, community_id), sources.site(session, community_id)


def _parties_table(parties: list[responsibility.Party], *, signature: bool = False) -> Table:
    """The five responsible parties (blank rows on a blank form), with a signature column when asked."""
    head = ["责任主体", "单位名称", "项目负责人", "资质或执业证号"] + (["签字"] if signature else [])
    rows: list[Sequence[object]] = [head]
    by_role = {p.role: p for p in parties}
    for role, label in responsibility.ROLES.items():
        p = by_role.get(role)
        rows.append(
            [label, p.unit_name if p else "", p.leader if p else "", p.licence_no if p else ""]
            + ([""] if signature else [])
        )
    widths = [22 * mm, 62 * mm, 24 * mm, 42 * mm] if signature else [24 * mm, 74 * mm, 28 * mm]
    widths.append(WIDTH - sum(widths))
    return grid(rows, widths, header_rows=1, shade_cols=[0], min_height=9 * mm)


def _items_rows(items: list[dict], *, with_done: bool) -> tuple[list[list[object]], Decimal]:
    rows: list[list[object]] = []
    total = Decimal(0)
    for n, it in enumerate(items, start=1):
        name = it["item_type"] + (f"（{it['description']}）" if it.get("description") else "")
        row: list[object] = [
            str(n),
            it.get("category") or "",
            name,
            it.get("unit") or "",
            quantity(it.get("planned_quantity")),
        ]
        if with_done:
            row.append(quantity(it.get("completed_quantity")))
        row.append(money(it.get("investment")))
        rows.append(row)
        total += it.get("investment") or Decimal(0)
    return rows, total


# -- 小区改造档案 -------------------------------------------------------------------------------------------
def profile(session: Session, community_id: str | None, on_draw: OnDraw = None) -> list[Flowable]:
    """The community's file: basic facts, parties, items with quantities and money, funding, timeline, photos."""
    c, h, site = _basics(session, community_id)
    meta = FormMeta("DA-01", "小区改造档案", community_id)
    out = heading(meta, text(c.name) if c else "小区名称：＿＿＿＿＿＿＿＿＿＿＿＿", on_draw)
    out.append(section("一、基本情况"))
    g = lambda name: getattr(c, name) if c else None  # noqa: E731
    out.append(
        facts(
            [
                ("小区名称", g("name") or ""),
                ("乡镇（街道）", site.township),
                ("小区地址*", g("address") or ""),
                ("项目名称*", site.project),
                ("建成年份", _v(g("year_built"), " 年")),
                ("楼栋数", _v(g("buildings"), " 栋")),
                ("户数", _v(g("households"), " 户")),
                ("建筑面积", _v(g("floor_area"), " 平方米")),
                ("改造年度", _v(g("plan_year"), " 年") + (f" {g('batch')}" if g("batch") else "")),
                ("新开工/续建", START_KINDS.get(g("start_kind") or "", "")),
                ("状态", h.status_label if h else ""),
                ("形象进度", _v(g("progress_percent"), "%")),
                ("总投资", _v(money(g("total_investment")), " 万元") if c else ""),
                ("管理模式", communities.MANAGEMENT_MODES.get(g("management_mode") or "", "")),
                ("联系人", g("contact_person") or ""),
                ("联系电话", g("contact_phone") or ""),
            ]
        )
    )
    out.append(section("二、参建单位及项目负责人（质量终身责任）"))
    out.append(_parties_table(site.parties))
    out.append(section("三、改造内容"))
    items = sources.items(session, community_id) if community_id else []
    head = ["序号", "类别", "改造内容", "单位", "计划工程量", "完成工程量", "投资（万元）"]
    rows, total = _items_rows(items, with_done=True)
    if not items:
        rows = [[""] * 7 for _ in range(6 if c is None else 1)]
    rows.append(["", "合计", "", "", "", "", money(total) if items else ""])
    widths = [10 * mm, 16 * mm, 54 * mm, 16 * mm, 22 * mm, 22 * mm]
    widths.append(WIDTH - sum(widths))
    n = len(rows)
    out.append(
        grid(
            [head, *rows],
            widths,
            header_rows=1,
            spans=[((1, n), (2, n))],
            min_height=None if items else 8 * mm,
            aligns={0: "CENTER", 3: "CENTER", 4: "RIGHT", 5: "RIGHT", 6: "RIGHT"},
        )
    )
    out.append(section("四、资金来源（万元）"))
    out.append(_money_table(session, community_id))
    out.append(section("五、实施进度"))
    out.append(_timeline_table(session, community_id))
    before, after = sources.photos(session, community_id) if community_id else ([], [])
    out.append(section("六、改造前后照片"))
    out.append(_photo_table(before, after))
    out.append(signatures(["填表人", "审核人"]))
    return out


def _money_table(session: Session, community_id: str | None) -> Table:
    st = styles()
    head = ["资金来源"] + list(funding.MEASURES.values())
    rows: list[Sequence[object]] = [head]
    if community_id:
        view = funding.money_view(session, community_id)
        for r in view.rows:
            if r.empty:
                continue
            rows.append([para(NBSP * 3 * r.depth + r.name)] + [money(r.amounts[k]) for k in funding.MEASURES])
        rows.append(["合计"] + [money(view.totals[k]) for k in funding.MEASURES])
        rows.append(
            ["累计完成投资*", para(f"{money(view.since_start)}（截至 {cn_date(view.as_of)}）", st.cell)] + [""] * 3
        )
        n = len(rows) - 1
        spans = [((1, n), (-1, n))]
    else:
        rows += [[""] * 5 for _ in range(5)] + [["合计", "", "", "", ""]]
        spans = []
    widths = [58 * mm] + [(WIDTH - 58 * mm) / 4] * 4
    right = {c: "RIGHT" for c in range(1, 5)}
    return grid(rows, widths, header_rows=1, spans=spans, min_height=None if community_id else 8 * mm, aligns=right)


def _timeline_table(session: Session, community_id: str | None) -> Table:
    rows: list[list[object]] = [["进度节点", "日期", "文号/证号", "备注"]]
    if community_id:
        for e in milestones.timeline(session, community_id):
            rows.append([e.label, cn_date(e.reached_on), e.document_no or "", e.reason or e.notes or ""])
    if len(rows) == 1:
        labels = ["方案公示", "立项/可研批复", "招标", "施工许可/质监注册", "开工", "完工", "竣工验收", "竣工验收备案"]
        rows += [[label, "", "", ""] for label in labels] if community_id is None else [["（尚无记录）", "", "", ""]]
    widths = [40 * mm, 34 * mm, 46 * mm]
    widths.append(WIDTH - sum(widths))
    return grid(rows, widths, header_rows=1)


def _image(path: Any, width: float, height: float) -> Flowable:
    """A photo scaled to fit width × height, or a note when the file cannot be read."""
    try:
        from reportlab.lib.utils import ImageReader

        reader = ImageReader(str(path))
        w, h = reader.getSize()
        scale = min(width / w, height / h)
        return Image(str(path), w * scale, h * scale)
    except Exception:  # a missing or damaged photo must not stop the print
        return para("（照片无法读取）", styles().cell_center)


def _photo_table(before: list[dict], after: list[dict]) -> Flowable:
    st = styles()
    cell_w, cell_h = WIDTH / 2 - 6 * mm, 55 * mm
    rows: list[Sequence[object]] = [["改造前", "改造后"]]
    count = max(len(before), len(after), 1)
    for i in range(count):
        pair: list[object] = []
        for side in (before, after):
            if i < len(side):
                f = side[i]
                pair.append(
                    [_image(f["path"], cell_w, cell_h), para(f.get("caption") or f.get("file_name"), st.cell_center)]
                )
            else:
                pair.append(para("（无照片）" if not side and i == 0 else "", st.cell_center))
        rows.append(pair)
    table = grid(rows, [WIDTH / 2, WIDTH / 2], header_rows=1, min_height=None if before or after else 40 * mm)
    table.setStyle(TableStyle([("ALIGN", (0, 1), (-1, -1), "CENTER")]))
    return table


# -- 改造方案公示 ------------------------------------------------------------------------------------------
def publicity(session: Session, community_id: str | None, on_draw: OnDraw = None) -> list[Flowable]:
    """The plan's publicity notice for residents: items, money, schedule, contact and the objection period."""
    st = styles()
    c, _h, site = _basics(session, community_id)
    name = c.name if c else "＿＿＿＿＿＿＿＿"
    meta = FormMeta("GS-01", "改造方案公示", community_id)
    out = heading(meta, f"{text(name)}老旧小区改造", on_draw)
    days = int(catalogues.get_setting(session, "publicity_days", 7) or 7)
    start = sources.milestone_date(session, c.id, "publicity") if c else None
    start = start or (date.today() if c else None)
    end = start + timedelta(days=days - 1) if start else None
    out.append(
        Paragraph(
            f"根据城镇老旧小区改造工作安排，{text(name)}已列入改造计划。为保障居民的知情权、参与权和监督权，"
            f"现将改造方案予以公示，公示期 {days} 天（{cn_date(start)}至{cn_date(end)}）。",
            st.prose,
        )
    )
    g = lambda k: getattr(c, k) if c else None  # noqa: E731
    out.append(section("一、小区概况"))
    out.append(
        facts(
            [
                ("小区地址*", g("address") or ""),
                ("建成年份", _v(g("year_built"), " 年")),
                ("楼栋数", _v(g("buildings"), " 栋")),
                ("户数", _v(g("households"), " 户")),
                ("建筑面积", _v(g("floor_area"), " 平方米")),
            ]
        )
    )
    out.append(section("二、改造内容及投资估算"))
    items = sources.items(session, c.id) if c else []
    rows, total = _items_rows(items, with_done=False)
    if not items:
        rows = [[""] * 6 for _ in range(6)]
    rows.append(["", "合计", "", "", "", money(total) if items else ""])
    widths = [10 * mm, 18 * mm, 70 * mm, 16 * mm, 26 * mm]
    widths.append(WIDTH - sum(widths))
    n = len(rows)
    head = ["序号", "类别", "改造内容", "单位", "工程量", "投资（万元）"]
    out.append(
        grid(
            [head, *rows],
            widths,
            header_rows=1,
            spans=[((1, n), (2, n))],
            min_height=None if items else 8 * mm,
            aligns={0: "CENTER", 3: "CENTER", 4: "RIGHT", 5: "RIGHT"},
        )
    )
    out.append(section("三、资金筹措"))
    money_lines = []
    if c:
        for root in funding.tree(session, c):
            if root.amounts["approved"]:
                money_lines.append(f"{root.source.name} {money(root.amounts['approved'])} 万元")
    total_text = (
        f"总投资 {money(g('total_investment'))} 万元"
        if c and g("total_investment") is not None
        else "总投资＿＿＿＿万元"
    )
    out.append(
        Paragraph(text(total_text + ("，其中：" + "；".join(money_lines) if money_lines else "") + "。"), st.body)
    )
    out.append(section("四、实施计划"))
    out.append(
        Paragraph(
            text(f"计划开工：{cn_date(g('planned_start'))}　　计划完工：{cn_date(g('planned_completion'))}"),
            st.body,
        )
    )
    out.append(section("五、意见反馈"))
    contact = f"{g('contact_person') or '＿＿＿＿'}，电话 {g('contact_phone') or '＿＿＿＿＿＿'}"
    out.append(
        Paragraph(
            text(
                f"公示期间，居民对改造方案有意见或建议的，请于{cn_date(end)}前以书面形式向社区居民委员会或"
                f"{site.township or '乡镇（街道）'}反映（联系人：{contact}）。逾期未提出异议的，视为同意本方案。"
            ),
            st.prose,
        )
    )
    out.append(Spacer(1, 10 * mm))
    right = signed_off()
    out.append(Paragraph(f"公示单位（盖章）：{text(site.township) or '＿＿＿＿＿＿＿＿'}", right))
    out.append(Paragraph(cn_date(start), right))
    return out


# -- 居民意愿征询表 ---------------------------------------------------------------------------------------
def consent(session: Session, community_id: str | None, on_draw: OnDraw = None) -> list[Flowable]:
    """The consent form owners sign, a row per household (owners and area both count), with the tally."""
    st = styles()
    c, _h, site = _basics(session, community_id)
    name = c.name if c else "＿＿＿＿＿＿＿＿"
    meta = FormMeta("YY-01", "居民意愿征询表", community_id)
    out = heading(meta, f"{text(name)}老旧小区改造", on_draw)
    items = sources.items(session, c.id) if c else []
    content = "、".join(dict.fromkeys(it["item_type"] for it in items)) if items else "＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿"
    s = lambda k: Decimal(str(catalogues.get_setting(session, k) or 0)) * 100  # noqa: E731
    out.append(
        Paragraph(
            text(
                f"{name}拟实施老旧小区改造，主要内容：{content}。按照《民法典》第二百七十八条，须专有部分面积占比"
                f"{s('consent_participation_area'):.0f}%以上且人数占比{s('consent_participation_owners'):.0f}%以上的业主参与表决，"
                "并经参与表决的业主按面积和人数双过半同意。请业主在“同意”或“不同意”栏内打“√”并签字。"
            ),
            st.prose,
        )
    )
    out.append(Spacer(1, 2 * mm))
    households = (c.consent_owners_total or c.households or 0) if c else 0
    count = households or 20
    rows: list[list[object]] = [
        ["序号", "楼栋-单元-房号", "业主姓名", "专有面积（m²）", "同意", "不同意", "业主签字", "联系电话"]
    ]
    rows += [[str(n), "", "", "", "", "", "", ""] for n in range(1, count + 1)]
    widths = [11 * mm, 28 * mm, 20 * mm, 27 * mm, 11 * mm, 13 * mm, 28 * mm]
    widths.append(WIDTH - sum(widths))
    out.append(grid(rows, widths, header_rows=1, min_height=8.5 * mm, aligns={0: "CENTER", 4: "CENTER", 5: "CENTER"}))
    out.append(section("统计结果"))
    g = lambda k: getattr(c, k) if c else None  # noqa: E731
    result = communities.consent_result(session, c) if c else None
    out.append(
        facts(
            [
                ("业主总户数", _v(g("consent_owners_total"), " 户")),
                ("专有部分总面积", _v(g("consent_area_total"), " m²")),
                ("参与表决户数", _v(g("consent_owners_participating"), " 户")),
                ("参与表决面积", _v(g("consent_area_participating"), " m²")),
                ("同意户数", _v(g("consent_owners_for"), " 户")),
                ("同意面积", _v(g("consent_area_for"), " m²")),
                ("不同意户数", _v(g("consent_owners_against"), " 户")),
                ("不同意面积", _v(g("consent_area_against"), " m²")),
                ("征询日期", cn_date(g("consent_date"))),
                ("征询结果", result or "□通过　□未通过"),
            ],
            label_width=30 * mm,
        )
    )
    out.append(signatures(["统计人", "社区居委会（盖章）"]))
    return out


# -- 竣工验收记录 -------------------------------------------------------------------------------------------
def acceptance(
    session: Session, community_id: str | None, inspection_id: str | None, on_draw: OnDraw = None
) -> list[Flowable]:
    """The completion-acceptance record: the works, the five parties signing, the checks and the verdict."""
    from oldcomm_desktop.core import inspections

    st = styles()
    c, _h, site = _basics(session, community_id)
    check = inspections.detail(session, inspection_id) if inspection_id else None
    meta = FormMeta("YS-01", "竣工验收记录", inspection_id or community_id)
    out = heading(meta, on_draw=on_draw)
    items = sources.items(session, c.id) if c else []
    day = (check["inspected_on"] if check else None) or (
        sources.milestone_date(session, c.id, "acceptance") if c else None
    )
    g = lambda k: getattr(c, k) if c else None  # noqa: E731
    out.append(
        facts(
            [
                ("工程名称*", site.project or (c.name if c else "")),
                ("小区名称", g("name") or ""),
                ("乡镇（街道）", site.township),
                ("工程地点*", g("address") or ""),
                ("改造内容*", "、".join(dict.fromkeys(it["item_type"] for it in items)) if items else ""),
                ("户数", _v(g("households"), " 户")),
                ("建筑面积", _v(g("floor_area"), " 平方米")),
                ("开工日期", cn_date(sources.milestone_date(session, c.id, "start") if c else None)),
                ("完工日期", cn_date(sources.milestone_date(session, c.id, "completion") if c else None)),
                ("验收日期", cn_date(day)),
                ("总投资", _v(money(g("total_investment")), " 万元") if c else ""),
            ]
        )
    )
    out.append(section("一、参建单位（质量终身责任）"))
    out.append(_parties_table(site.parties, signature=True))
    out.append(section("二、验收检查"))
    rows: list[list[object]] = [["序号", "类别", "验收内容", "结论", "说明"]]
    lines = check["results"] if check else []
    if not lines:
        sheet = inspections.templates(session, "acceptance")
        items_ = inspections.sheet(session, sheet[0]["id"])["items"] if sheet else []
        lines = [{"area": i["area"], "text": i["text"], "result_label": "", "note": ""} for i in items_]
    for n, line in enumerate(lines, start=1):
        verdict = line.get("result_label") or "□合格 □不合格"
        rows.append([str(n), line.get("area") or "", line["text"], verdict, line.get("note") or ""])
    widths = [10 * mm, 18 * mm, 62 * mm, 30 * mm]
    widths.append(WIDTH - sum(widths))
    out.append(grid(rows, widths, header_rows=1, min_height=9 * mm, aligns={0: "CENTER"}))
    out.append(section("三、验收结论"))
    conclusion = (
        (check["findings"] or check["notes"] or "经验收，工程质量符合设计和规范要求，同意通过竣工验收。")
        if check
        else ""
    )
    box = grid([["验收意见"], [para(conclusion)]], [WIDTH], header_rows=1, min_height=24 * mm)
    out.append(box)
    out.append(
        Paragraph(text("居民代表意见：□同意　□不同意　　　　居民代表（签字）：＿＿＿＿＿＿＿＿＿＿＿＿＿＿"), st.body)
    )
    out.append(signatures(["建设单位项目负责人", "质量安全监督站"]))
    return out


# -- 永久性责任标牌 -------------------------------------------------------------------------------------------
def plaque(session: Session, community_id: str | None, on_draw: OnDraw = None) -> list[Flowable]:
    """The text of the permanent responsibility plaque fixed on site: the works and the five parties."""
    st = styles()
    c, _h, site = _basics(session, community_id)
    meta = FormMeta("PS-01", "永久性责任标牌", community_id)
    out = heading(meta, "（标牌文字稿）", on_draw)
    blank = "＿＿＿＿＿＿＿＿＿＿＿＿"
    g = lambda k: getattr(c, k) if c else None  # noqa: E731
    lines = [
        ("工程名称", site.project or (c.name if c else "")),
        ("工程地点", g("address") or (c.name if c else "")),
        (
            "建设规模",
            "，".join(
                x for x in (_v(g("buildings"), " 栋"), _v(g("households"), " 户"), _v(g("floor_area"), " 平方米")) if x
            ),
        ),
        ("开工日期", cn_date(sources.milestone_date(session, c.id, "start") if c else None)),
        ("竣工日期", cn_date(sources.milestone_date(session, c.id, "acceptance") if c else None)),
    ]
    body: list[list[object]] = [[Paragraph(text(f"{k}：{v or blank}"), st.plaque)] for k, v in lines]
    for p in site.parties or [responsibility.Party(r, label) for r, label in responsibility.ROLES.items()]:
        licence = f"（{p.licence_no}）" if p.licence_no else ""
        body.append(
            [
                Paragraph(
                    text(f"{p.role_label}：{p.unit_name or blank}")
                    + "<br/>"
                    + text(f"项目负责人：{p.leader or '＿＿＿＿＿＿'}{licence}"),
                    st.plaque,
                )
            ]
        )
    phone = g("contact_phone")
    body.append([Paragraph(text(f"本工程实行质量终身责任制，欢迎社会监督。监督电话：{phone or blank}"), st.plaque)])
    table = Table(body, colWidths=[WIDTH - 10 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.font),
                ("BOX", (0, 0), (-1, -1), 2, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 8 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2.2 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2 * mm),
                ("LINEBELOW", (0, len(lines) - 1), (-1, len(lines) - 1), 0.8, GRID),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, GRID),
            ]
        )
    )
    out.append(KeepTogether([Spacer(1, 4 * mm), table]))
    return out
