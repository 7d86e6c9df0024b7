"""The dashboard's countdown to the returns' due day and the overdue returns (a line of text)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from oldcomm_desktop.core.returns import KINDS, review


def due_text(session: Session, today: date | None = None) -> str:
    today = today or date.today()
    period, due, days = review.next_due(session, today)
    if days > 0:
        head = f"本月报表 {due.month}月{due.day}日截止，还有 {days} 天"
    elif days == 0:
        head = "本月报表今天截止"
    else:
        head = f"本月报表已于 {due.month}月{due.day}日截止"
    overdue = review.overdue_returns(session, today)
    if overdue:
        names = "、".join(f"{p.month}月{KINDS[k]}" for k, p in overdue[:4]) + ("等" if len(overdue) > 4 else "")
        head += f"；逾期未报 {len(overdue)} 份：{names}"
    return head
