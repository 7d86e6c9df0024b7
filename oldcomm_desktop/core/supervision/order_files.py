"""Orders travel as a file until the sync package carries them: the county writes its orders, a township
reads those addressed to it; the township writes its answers, the county reads them.

A file is JSON (`"kind": "oldcomm-orders"` or `"oldcomm-order-answers"`, `"version": 1`), records keep
their UUIDs, so reading the same file twice changes nothing. What each side may change follows the state
machine: a township takes from the county new orders and the county's decisions (已确认, or 退回 with its
opinion); the county takes from a township answers to targets still 待处理 / 处理中. Anything else in a file
is stale and left alone. Attachments do not travel in these files.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import workspace
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import Project
from oldcomm_desktop.core.model.supervision import OrderEvent, OrderTarget, SupervisionOrder

ORDERS, ANSWERS, VERSION = "oldcomm-orders", "oldcomm-order-answers", 1
ORDER_KEYS = (
    "id",
    "number",
    "year",
    "order_type",
    "problem",
    "requirement",
    "issued_on",
    "deadline",
    "department",
    "contact",
)
TARGET_KEYS = (
    "id",
    "township_code",
    "project_id",
    "deadline",
    "state",
    "answer",
    "answered_on",
    "first_answered_on",
    "opinion",
    "confirmed_on",
)
DATES = {"issued_on", "deadline", "answered_on", "first_answered_on", "confirmed_on"}


def _plain(obj: Any, keys: tuple[str, ...]) -> dict:
    return {k: (getattr(obj, k).isoformat() if isinstance(getattr(obj, k), date) else getattr(obj, k)) for k in keys}


def _typed(d: dict) -> dict:
    return {k: (date.fromisoformat(v) if k in DATES and v else v) for k, v in d.items()}


def _load(path: Path, kind: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OldcommError(f"无法读取督办文件 {path}：{exc}") from None
    if not isinstance(data, dict) or data.get("kind") != kind:
        want = "督办下发文件" if kind == ORDERS else "督办答复文件"
        raise OldcommError(f"{Path(path).name} 不是{want}")
    if data.get("version") != VERSION:
        raise OldcommError(f"{Path(path).name} 的格式版本 {data.get('version')} 不受支持（本程序为 {VERSION}）")
    return data


def _write(path: Path, data: dict) -> Path:
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def write_orders(session: Session, path: Path, *, township: str | None = None) -> int:
    """County: every live order (only its targets of `township`, if given) into a file; returns the orders."""
    if workspace.mode(session) != workspace.COUNTY:
        raise OldcommError("督办下发文件由县级模式的数据库导出")
    out = []
    for order in session.scalars(select(SupervisionOrder).where(SupervisionOrder.deleted_at.is_(None))):
        targets = [
            t for t in order.targets if t.deleted_at is None and (township is None or t.township_code == township)
        ]
        if targets:
            out.append({**_plain(order, ORDER_KEYS), "targets": [_plain(t, TARGET_KEYS) for t in targets]})
    _write(path, {"kind": ORDERS, "version": VERSION, "county": workspace.own_code(session), "orders": out})
    return len(out)


def read_orders(session: Session, path: Path) -> dict[str, int]:
    """Township: take the orders addressed to this township, and the county's confirmations and send-backs."""
    if workspace.mode(session) != workspace.TOWNSHIP:
        raise OldcommError("督办下发文件由乡镇（街道）的数据库导入")
    own = workspace.own_code(session)
    data = _load(path, ORDERS)
    counts = {"new": 0, "confirmed": 0, "sent_back": 0}
    for raw in data.get("orders", []):
        mine = [t for t in raw.get("targets", []) if t.get("township_code") == own]
        if not mine:
            continue
        order = session.get(SupervisionOrder, raw["id"])
        if order is None:
            order = SupervisionOrder(**_typed({k: raw[k] for k in ORDER_KEYS}))
            session.add(order)
            session.flush()
        for t in mine:
            t = _typed(t)
            target = session.get(OrderTarget, t["id"])
            if target is None:
                values = {k: t[k] for k in TARGET_KEYS}
                if values["project_id"] and session.get(Project, values["project_id"]) is None:
                    values["project_id"] = None  # a project the county keeps under its own id
                target = OrderTarget(order_id=order.id, **values)
                session.add(target)
                session.flush()
                _event(session, target, "issue", order.issued_on, None)
                counts["new"] += 1
            elif t["state"] == "confirmed" and target.state == "done":
                target.state, target.confirmed_on = "confirmed", t["confirmed_on"]
                _event(session, target, "confirm", t["confirmed_on"] or date.today(), None)
                counts["confirmed"] += 1
            elif (
                t["state"] == "in_progress"
                and target.state == "done"
                and t["opinion"]
                and t["opinion"] != target.opinion
            ):
                target.state, target.opinion = "in_progress", t["opinion"]
                _event(session, target, "send_back", date.today(), t["opinion"])
                counts["sent_back"] += 1
    session.flush()
    return counts


def write_answers(session: Session, path: Path) -> int:
    """Township: this township's answered targets into a file for the county; returns how many."""
    if workspace.mode(session) != workspace.TOWNSHIP:
        raise OldcommError("督办答复文件由乡镇（街道）的数据库导出")
    rows = [
        _plain(t, TARGET_KEYS)
        for t in session.scalars(
            select(OrderTarget).where(OrderTarget.deleted_at.is_(None), OrderTarget.answered_on.is_not(None))
        )
    ]
    _write(path, {"kind": ANSWERS, "version": VERSION, "township": workspace.own_code(session), "targets": rows})
    return len(rows)


def read_answers(session: Session, path: Path) -> int:
    """County: record the answers of targets still 待处理 / 处理中 here (arrived in a file); returns how many."""
    if workspace.mode(session) != workspace.COUNTY:
        raise OldcommError("督办答复文件由县级模式的数据库导入")
    data = _load(path, ANSWERS)
    taken = 0
    for raw in data.get("targets", []):
        t = _typed(raw)
        target = session.get(OrderTarget, t.get("id"))
        if target is None or target.deleted_at is not None or target.township_code != data.get("township"):
            continue
        if target.state in ("pending", "in_progress") and t["state"] == "done" and t["answered_on"]:
            if target.answered_on is not None and t["answered_on"] <= target.answered_on:
                continue  # the answer the county already sent back
            target.answer, target.answered_on = t["answer"], t["answered_on"]
            target.first_answered_on = target.first_answered_on or t["first_answered_on"] or t["answered_on"]
            target.answered_at_county, target.state = False, "done"
            _event(session, target, "answer", t["answered_on"], t["answer"])
            taken += 1
    session.flush()
    return taken


def _event(session: Session, target: OrderTarget, action: str, on: date, text: str | None) -> None:
    session.add(
        OrderEvent(
            target_id=target.id,
            township_code=target.township_code,
            action=action,
            on=on,
            text=text,
            state_after=target.state,
        )
    )
