"""Which forms exist, and rendering them: one record, a blank, or a batch of inspections in one document.

A PDF is written to a temporary file beside the target and renamed when complete, so a failed or
cancelled print never leaves half a file under the chosen name.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy.orm import Session

from oldcomm_desktop.core import collector
from oldcomm_desktop.core.errors import NotFound, OldcommError, ValidationError


class ProgressLike(Protocol):
    """What batch printing reports to: the GUI's jobs.Progress, or anything with the same two members."""

    def report(self, done: int, total: int, text: str = "") -> None: ...

    @property
    def cancelled(self) -> bool: ...


class PrintCancelled(OldcommError):
    """The clerk cancelled a batch; nothing was written."""

    def __init__(self) -> None:
        super().__init__("打印已取消，没有生成文件")


@dataclass(frozen=True)
class FormSpec:
    code: str
    title: str
    record: str  # what --id names: 检查记录 / 整改通知 / 小区


FORMS: dict[str, FormSpec] = {
    f.code: f
    for f in (
        FormSpec("patrol", "质量安全巡查记录表", "质量安全巡查的检查记录"),
        FormSpec("notice", "整改通知单", "整改通知"),
        FormSpec("reinspection", "整改回复及复查单", "整改通知"),
        FormSpec("scorecard", "长效管理检查评分表", "长效管理检查的检查记录"),
        FormSpec("profile", "小区改造档案", "小区"),
        FormSpec("publicity", "改造方案公示", "小区"),
        FormSpec("consent", "居民意愿征询表", "小区"),
        FormSpec("acceptance", "竣工验收记录", "小区或竣工验收的检查记录"),
        FormSpec("plaque", "永久性责任标牌", "小区"),
    )
}
#: the forms a record of each kind can print (the GUI's print menus)
FORMS_FOR = {
    "patrol": ("patrol",),
    "management": ("scorecard",),
    "acceptance": ("acceptance",),
    "rectification": ("notice", "reinspection"),
    "community": ("profile", "publicity", "consent", "acceptance", "plaque"),
}


def story(session: Session, form: str, record_id: str | None = None, on_draw: Callable[[], None] | None = None) -> list:
    """The flowables of one form: filled from `record_id`, or blank when it is None."""
    from oldcomm_desktop.core.paper import community_forms, inspection_forms, sources

    if form not in FORMS:
        raise ValidationError(f"没有名为“{form}”的表单（可选：{'、'.join(FORMS)}）")
    label = FORMS[form].title
    if form in ("patrol", "scorecard"):
        kind = "patrol" if form == "patrol" else "management"
        d = sources.inspection(session, record_id, (kind,), label) if record_id else None
        # a filled patrol record prints its own results: the template is only read for a blank one
        sheet = None if d and form == "patrol" else _sheet(session, d["template_id"] if d else None, kind)
        build = inspection_forms.patrol if form == "patrol" else inspection_forms.scorecard
        return build(d, sheet, on_draw)
    if form in ("notice", "reinspection"):
        d = sources.rectification(session, record_id) if record_id else None
        build_notice = inspection_forms.notice if form == "notice" else inspection_forms.reinspection
        return build_notice(d, on_draw)
    if form == "acceptance":
        return community_forms.acceptance(session, *_acceptance_target(session, record_id), on_draw=on_draw)
    build = getattr(community_forms, form)
    if record_id:
        sources.community(session, record_id)  # a wrong id is told as such, not as a crash
    return build(session, record_id, on_draw=on_draw)


def _sheet(session: Session, template_id: str | None, kind: str) -> dict[str, Any] | None:
    from oldcomm_desktop.core import inspections

    if template_id:
        try:
            return inspections.sheet(session, template_id)
        except (NotFound, ValidationError):
            pass
    found = inspections.templates(session, kind)
    return inspections.sheet(session, found[0]["id"]) if found else None


def _acceptance_target(session: Session, record_id: str | None) -> tuple[str | None, str | None]:
    """(community id, acceptance inspection id) from either id; the latest acceptance check of a community."""
    from sqlalchemy import select

    from oldcomm_desktop.core.model import Community, Inspection

    if record_id is None:
        return None, None
    insp = session.get(Inspection, record_id)
    if insp is not None and insp.deleted_at is None:
        if insp.kind != "acceptance":
            raise OldcommError(f"编号 {record_id} 不是竣工验收的检查记录，不能打印为竣工验收记录")
        if not insp.community_id:
            raise OldcommError("这次竣工验收没有记在小区上，请用小区编号打印")
        return insp.community_id, insp.id
    c = session.get(Community, record_id)
    if c is None or c.deleted_at is not None:
        raise NotFound(f"找不到编号为 {record_id} 的小区或竣工验收记录（可能已删除）")
    latest = session.scalar(
        select(Inspection.id)
        .where(Inspection.community_id == c.id, Inspection.kind == "acceptance", Inspection.deleted_at.is_(None))
        .order_by(Inspection.inspected_on.desc())
        .limit(1)
    )
    return c.id, latest


def render(session: Session, form: str, record_id: str | None, target: str | Path | IO[bytes]) -> None:
    """One form (filled, or blank when `record_id` is None) as a PDF at `target` (a path or a binary file)."""
    with collector.paused():
        flowables = story(session, form, record_id)
        _write(target, flowables, FORMS[form].title)


def _write(target: str | Path | IO[bytes], flowables: list, title: str) -> None:
    from oldcomm_desktop.core.paper.frame import build

    if not isinstance(target, (str, Path)):
        build(target, flowables, title)
        return
    path = Path(target)
    if path.suffix.lower() != ".pdf":
        raise ValidationError(f"输出文件应以 .pdf 结尾：{path}")
    if not path.parent.is_dir():
        raise ValidationError(f"文件夹 {path.parent} 不存在")
    fd, tmp = tempfile.mkstemp(prefix=".printing-", suffix=".pdf", dir=path.parent)
    os.close(fd)
    try:
        build(tmp, flowables, title)
        os.replace(tmp, path)
    except PermissionError:
        raise OldcommError(f"无法写入 {path}（文件可能正在别的程序中打开）") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class BatchResult:
    inspections: int
    forms: int
    pages: int


def print_inspections(
    session: Session,
    target: str | Path | IO[bytes],
    *,
    period: str | None = None,
    township: str | None = None,
    progress: ProgressLike | None = None,
) -> BatchResult:
    """Every live inspection of a month and/or township in one PDF: a patrol record or score sheet each
    (an acceptance check prints its 竣工验收记录), each form numbered 第 x 页 共 y 页 on its own.

    `progress.report(done, total)` runs as records are read and again as forms are laid out; when
    `progress.cancelled` turns true the batch stops with PrintCancelled and writes nothing.
    """
    from oldcomm_desktop.core.paper import sources

    if period is not None and not PERIOD.match(period):
        raise ValidationError(f"期间“{period}”应写成 2026-05 这样的年-月")
    if township:
        from oldcomm_desktop.core import divisions

        divisions.parse_code(township, label="乡镇代码")
    found = sources.inspections_of(session, period=period, township=township)
    if not found:
        where = "、".join(x for x in (f"{period} 期间" if period else "", f"乡镇 {township}" if township else "") if x)
        raise ValidationError(f"{where or '数据库中'}没有检查记录，没有可打印的内容")
    total = len(found)
    form_of = {"patrol": "patrol", "management": "scorecard", "acceptance": "acceptance"}
    drawn = 0

    def check(done: int, text: str) -> None:
        if progress is None:
            return
        if progress.cancelled:
            raise PrintCancelled()
        progress.report(done, 2 * total, text)

    def on_draw() -> None:
        nonlocal drawn
        drawn += 1
        check(total + drawn, f"正在排版第 {drawn} / {total} 份")

    flowables: list = []
    from reportlab.platypus import PageBreak

    pages = _PageCount()
    with collector.paused():
        for n, (inspection_id, kind) in enumerate(found, start=1):
            check(n - 1, f"正在读取第 {n} / {total} 条检查记录")
            if flowables:
                flowables.append(PageBreak())
            flowables += story(session, form_of.get(kind, "patrol"), inspection_id, on_draw=on_draw)
        _write_counted(target, flowables, pages)
    check(2 * total, "完成")
    return BatchResult(total, total, pages.value)


class _PageCount:
    value = 0


def _write_counted(target: str | Path | IO[bytes], flowables: list, count: _PageCount) -> None:
    from reportlab.platypus.flowables import Flowable

    class _Last(Flowable):  # a zero-size flowable at the end notes the final page number
        def wrap(self, *_a: object) -> tuple[float, float]:
            return 0, 0

        def draw(self) -> None:
            count.value = self.canv.getPageNumber()

    _write(target, [*flowables, _Last()], "检查记录")
