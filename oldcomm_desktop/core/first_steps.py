"""A new database's first steps, in the order a clerk takes them: 新建项目 → 新建小区 → 添加节点 → 记录检查.

A fresh ledger would open on a dashboard of zeros that says nothing about where to begin; the window shows
these steps instead, each ticked once the database holds what it makes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.model import Community, Inspection, Milestone, Project


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str
    done: bool


STEPS = (
    ("project", "新建项目", "年度计划中的一个改造项目：名称、计划年度、批次", Project),
    ("community", "新建小区", "项目改造的小区：户数、面积、总投资", Community),
    ("milestone", "添加节点", "小区的进度节点（列入计划、开工、完工……），状态随之变化", Milestone),
    ("inspection", "记录检查", "一次巡查或验收检查，不合格项生成整改通知", Inspection),
)


def progress(session: Session) -> list[Step]:
    """The four steps, each done when a live record of its kind exists."""
    return [
        Step(key, title, hint, bool(session.scalar(select(exists().where(cls.deleted_at.is_(None))))))
        for key, title, hint, cls in STEPS
    ]


def finished(steps: list[Step]) -> bool:
    return all(s.done for s in steps)
