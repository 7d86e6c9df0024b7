"""The inspection forms: 质量安全巡查记录表, 整改通知单, 整改回复及复查单, 长效管理检查评分表.

Each builder takes the record's plain data (from `sources`) or None for a blank form to fill in on site,
and returns the form's flowables starting with its FormStart marker. The checklist of a blank form comes
from the default template, so the sheet on the clipboard asks what the program will record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from oldcomm_desktop.core.paper.frame import (
    NBSP,
    WIDTH,
    FormMeta,
    cn_date,
    facts,
    grid,
    heading,
    para,
    quantity,
    section,
    signatures,
    signed_off,
    styles,
    text,
)

OnDraw = Callable[[], None] | None
RESULT_COLUMNS = ("pass", "fail", "na")
TICK = "√"


def _site_facts(site: Any, when: date | None, inspectors: str | None) -> list[tuple[str, object]]:
    s = site
    return [
        ("项目名称*", s.project if s else ""),
        ("小区名称", s.community if s else ""),
        ("乡镇（街道）", s.township if s else ""),
        ("小区地址*", s.address if s else ""),
        ("建设单位", s.unit("builder") if s else ""),
        ("施工单位", s.unit("contractor") if s else ""),
        ("监理单位", s.unit("supervisor") if s else ""),
        ("检查日期", cn_date(when)),
        ("检查人员*", inspectors or ""),
    ]


def _box(title: str, body: str, height: float) -> Flowable:
    """A titled ruled box for free text (发现问题, 整改回复 …), at least `height` tall."""
    return grid([[title], [para(body)]], [WIDTH], header_rows=1, min_height=height)


# -- 质量安全巡查记录表 -----------------------------------------------------------------------------------
def patrol(d: dict[str, Any] | None, sheet: dict[str, Any] | None, on_draw: OnDraw = None) -> list[Flowable]:
    """A patrol record: site, checklist by area (合格 / 不合格 / 不适用), findings, rectification, signatures."""
    meta = FormMeta("XC-01", "质量安全巡查记录表", d["id"] if d else None)
    out = heading(meta, on_draw=on_draw)
    out.append(
        facts(_site_facts(d["site"] if d else None, d["inspected_on"] if d else None, d["inspectors"] if d else None))
    )
    out.append(section("一、检查内容"))
    lines = (
        d["results"]
        if d
        else [
            {"area": i["area"], "text": i["text"], "result": None, "note": ""} for i in (sheet or {}).get("items", [])
        ]
    )
    rows: list[list[object]] = [["序号", "类别", "检查内容", "合格", "不合格", "不适用", "说明"]]
    last_area = None
    for n, line in enumerate(lines, start=1):
        area = line.get("area") or ""
        rows.append(
            [
                str(n),
                area if area != last_area else "",
                line["text"],
                *(TICK if line.get("result") == code else "" for code in RESULT_COLUMNS),
                line.get("note") or "",
            ]
        )
        last_area = area
    widths = [10 * mm, 18 * mm, 66 * mm, 12 * mm, 13 * mm, 13 * mm]
    widths.append(WIDTH - sum(widths))
    centred = {0: "CENTER", 3: "CENTER", 4: "CENTER", 5: "CENTER"}
    # number, area and item come from the template: the same on every record printed with it
    out.append(
        grid(rows, widths, header_rows=1, min_height=None if d else 6 * mm, aligns=centred, fixed_cols=(0, 1, 2))
    )
    out.append(section("二、发现问题"))
    out.append(_box("问题描述（附照片）", d["findings"] or "无" if d else "", 12 * mm if d else 16 * mm))
    out.append(section("三、整改要求"))
    rects = d["rectifications"] if d else []
    if rects:
        rows = [["通知单编号", "存在问题", "整改要求", "整改期限"]]
        for r in rects:
            rows.append([r["notice_no"] or "", r["problem"], r["requirement"] or "", cn_date(r["deadline"])])
        out.append(grid(rows, [34 * mm, 55 * mm, 50 * mm, WIDTH - 139 * mm], header_rows=1))
    elif d:
        out.append(para("本次检查未下达整改。", styles().body))
    else:
        out.append(
            facts(
                [
                    ("是否整改*", "□ 需要整改（另发整改通知单）　　□ 不需要整改"),
                    ("整改要求*", Spacer(1, 9 * mm)),
                    ("整改期限*", cn_date(None)),
                ]
            )
        )
    out.append(signatures(["检查人", "施工项目经理", "总监理工程师"]))
    return out


# -- 整改通知单 --------------------------------------------------------------------------------------------
def notice(d: dict[str, Any] | None, on_draw: OnDraw = None) -> list[Flowable]:
    """A rectification notice addressed to the contractor: problems, requirements, deadline, issuer."""
    st = styles()
    number = d["notice_no"] if d else None
    meta = FormMeta("ZG-01", "整改通知单", d["id"] if d else None, number)
    out = heading(meta, text(number) if number else f"整改〔{NBSP * 8}〕{NBSP * 8}号", on_draw)
    site = d["site"] if d else None
    to = (d["addressed_to"] or (site.unit("contractor") if site else "")) if d else ""
    out.append(Paragraph(f"{text(to) or '＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿'}：", st.body))
    out.append(Spacer(1, 2 * mm))
    if d:
        assert site is not None  # a filled form always has its site
        where = "".join(x for x in (site.project, f"（{site.community}）" if site.community else "") if x)
        intro = (
            f"{cn_date(d['inspected_on'])}，{text(d['inspectors'] or '检查组')}对你单位承建的{text(where)}"
            f"进行{text(d['kind_label'])}，发现存在下列问题，现通知你单位限期整改。"
        )
    else:
        intro = (
            "＿＿＿＿年＿＿月＿＿日，经对你单位承建的＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿进行检查，"
            "发现存在下列问题，现通知你单位限期整改。"
        )
    out.append(Paragraph(intro, st.prose))
    out.append(Spacer(1, 3 * mm))
    deadline = d["current_deadline"] if d else None
    out.append(
        facts(
            [
                ("存在问题*", d["problem"] if d else Spacer(1, 40 * mm)),
                ("整改要求*", (d["requirement"] or "按设计和规范要求整改到位") if d else Spacer(1, 30 * mm)),
                ("整改期限*", f"{cn_date(deadline)}前" if d else f"{cn_date(None)}前"),
            ],
            columns=1,
        )
    )
    out.append(Spacer(1, 3 * mm))
    out.append(
        Paragraph(
            "请你单位接到本通知后立即组织整改，于整改期限前整改完毕，填写《整改回复及复查单》并附整改前后照片，"
            "报监理单位审核后回复。逾期未整改或整改不到位的，将按有关规定处理；不符合标准的工程须返工。",
            st.prose,
        )
    )
    out.append(Spacer(1, 8 * mm))
    issuer = site.township if site and site.township else "＿＿＿＿＿＿＿＿＿＿"
    out.append(Paragraph(f"签发单位（盖章）：{text(issuer)}", signed_off()))
    out.append(Paragraph(cn_date(d["inspected_on"] if d else None), signed_off()))
    out.append(signatures(["签发人", "签收人（施工单位）"]))
    return out


# -- 整改回复及复查单 -------------------------------------------------------------------------------------
def reinspection(d: dict[str, Any] | None, on_draw: OnDraw = None) -> list[Flowable]:
    """The contractor's reply and every re-inspection (已整改 / 未整改 with a new deadline)."""
    st = styles()
    number = d["notice_no"] if d else None
    meta = FormMeta("ZG-02", "整改回复及复查单", d["id"] if d else None, number)
    out = heading(meta, on_draw=on_draw)
    site = d["site"] if d else None
    out.append(
        facts(
            [
                ("通知单编号", number or ""),
                ("整改单位", (d["addressed_to"] or d["site"].unit("contractor")) if d else ""),
                ("项目名称*", site.project if site else ""),
                ("小区名称", site.community if site else ""),
                ("检查日期", cn_date(d["inspected_on"] if d else None)),
                ("整改期限", cn_date(d["deadline"] if d else None)),
                ("存在问题*", d["problem"] if d else Spacer(1, 16 * mm)),
                ("整改要求*", (d["requirement"] or "") if d else Spacer(1, 12 * mm)),
            ]
        )
    )
    out.append(section("一、整改回复（施工单位填写）"))
    out.append(_box("整改情况", (d["reply"] or "（尚未回复）") if d else "", 22 * mm if d else 36 * mm))
    out.append(
        facts(
            [
                ("回复日期", cn_date(d["replied_on"] if d else None)),
                ("施工单位负责人", site.leader("contractor") if site else ""),
            ]
        )
    )
    out.append(section("二、复查情况"))
    rows: list[list[object]] = [["复查日期", "复查结果", "复查说明", "新整改期限", "复查人"]]
    for r in d["reinspections"] if d else []:
        rows.append(
            [
                cn_date(r["inspected_on"]),
                "已整改" if r["passed"] else "未整改",
                r["note"] or "",
                cn_date(r["new_deadline"], "") if not r["passed"] else "—",
                r["inspector"] or "",
            ]
        )
    blank_rows = 3 if not d else (0 if d["reinspections"] else 2)
    rows += [["", "□已整改 □未整改", "", "", ""]] * blank_rows
    widths = [30 * mm, 30 * mm, 56 * mm, 30 * mm]
    out.append(
        grid(
            rows,
            widths + [WIDTH - sum(widths)],
            header_rows=1,
            min_height=None if d and d["reinspections"] else 12 * mm,
        )
    )
    if d:
        verdict = (
            f"已整改到位，同意销号（{cn_date(d['closed_on'])}）"
            if d["closed"]
            else f"尚未销号，整改期限 {cn_date(d['current_deadline'])}"
        )
    else:
        verdict = "□ 已整改到位，同意销号　　□ 未整改到位，限期至＿＿＿＿年＿＿月＿＿日前整改，逾期返工"
    out.append(Spacer(1, 2 * mm))
    out.append(Paragraph(f"复查结论：{text(verdict)}", st.body))
    out.append(signatures(["施工单位项目负责人", "监理单位", "复查人"]))
    return out


# -- 长效管理检查评分表 ---------------------------------------------------------------------------------
def scorecard(d: dict[str, Any] | None, sheet: dict[str, Any] | None, on_draw: OnDraw = None) -> list[Flowable]:
    """A scored long-term management check: items with weights and scores, the total and the grade."""
    st = styles()
    meta = FormMeta("CX-01", "长效管理检查评分表", d["id"] if d else None)
    out = heading(meta, on_draw=on_draw)
    site = d["site"] if d else None
    out.append(
        facts(
            [
                ("小区名称", site.community if site else ""),
                ("乡镇（街道）", site.township if site else ""),
                ("小区地址*", site.address if site else ""),
                ("检查日期", cn_date(d["inspected_on"] if d else None)),
                ("检查人员", (d["inspectors"] or "") if d else ""),
            ]
        )
    )
    out.append(Spacer(1, 3 * mm))
    lines = d["results"] if d else [dict(i, score=None, note="") for i in (sheet or {}).get("items", [])]
    rows: list[list[object]] = [["序号", "检查项目", "检查内容及标准", "分值", "得分", "扣分原因"]]
    for n, line in enumerate(lines, start=1):
        rows.append(
            [
                str(n),
                line.get("area") or "",
                line["text"],
                str(line.get("max_score") or ""),
                quantity(line.get("score")),
                line.get("note") or "",
            ]
        )
    full = sum(int(line.get("max_score") or 0) for line in lines)
    total = d["total_score"] if d else None
    rows.append(["", "合计", "", str(full or ""), quantity(total), ""])
    widths = [10 * mm, 26 * mm, 62 * mm, 14 * mm, 16 * mm]
    widths.append(WIDTH - sum(widths))
    n = len(rows) - 1
    centred = {0: "CENTER", 3: "CENTER", 4: "CENTER"}
    out.append(
        grid(
            rows,
            widths,
            header_rows=1,
            spans=[((1, n), (2, n))],
            min_height=None if d else 10 * mm,
            aligns=centred,
            fixed_cols=(0, 1, 2, 3),
        )
    )
    bands = (sheet or {}).get("grade_bands") or []
    band_text = "，".join(
        f"{name} ≥ {low} 分" if low else f"{name} < {bands[i - 1][1]} 分" for i, (name, low) in enumerate(bands)
    )
    out.append(Spacer(1, 3 * mm))
    grade = d["grade"] if d else None
    out.append(Paragraph(f"评定等级：{text(grade) if grade else '＿＿＿＿＿＿'}", st.body))
    if band_text:
        out.append(Paragraph(text(f"（评分标准：{band_text}）"), st.small))
    out.append(
        _box("主要问题及整改意见", (d["findings"] or d["notes"] or "无") if d else "", 16 * mm if d else 28 * mm)
    )
    out.append(signatures(["检查人", "小区管理单位负责人"]))
    return out
