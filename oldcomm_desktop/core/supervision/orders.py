"""County orders (工作提示 / 督办) and the townships' answers: 待处理 → 处理中 → 已处理 → 已确认.

The county issues an order to one or more townships (each optionally about a project); each target is
answered on its own. The county confirms an answer (已确认) or sends it back with an opinion (back to
处理中, the round kept in the target's history). A transition the state does not allow is refused with a
Chinese message saying why. In county mode an answer that arrived on paper (or in a package) may be
recorded at the county; it is marked so. A target still 待处理 or 处理中 past the deadline is overdue and
counts with the overdue rectifications.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import attachments, catalogues, divisions, inspections, records, workspace
from oldcomm_desktop.core.errors import FieldProblem, NotFound, OldcommError, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes, problem, spec_of
from oldcomm_desktop.core.model import Project
from oldcomm_desktop.core.model.supervision import OrderEvent, OrderTarget, SupervisionOrder
from oldcomm_desktop.core.townships import township_rule

TYPES = {"order": "项目督办", "hint": "工作提示"}
STATES = {"pending": "待处理", "in_progress": "处理中", "done": "已处理", "confirmed": "已确认"}
OPEN_STATES = ("pending", "in_progress")
ACTIONS = {"issue": "下达", "start": "开始处理", "answer": "答复", "confirm": "确认", "send_back": "退回"}

FIELDS = spec_of(
    Field("order_type", "类型", "choice", required=True, choices=TYPES),
    Field("number", "编号", max_length=60),
    Field("problem", "存在问题", required=True),
    Field("requirement", "办理要求", required=True),
    Field("issued_on", "下达日期", "date", required=True),
    Field("deadline", "办理期限", "date", required=True),
    Field("department", "督办部门", max_length=100),
    Field("contact", "联系人及电话", max_length=100),
)
TARGET_FIELDS = spec_of(
    Field("township_code", "乡镇（街道）", required=True, max_length=12),
    Field("project_id", "项目", max_length=36),
)
ANSWER_FIELDS = spec_of(
    Field("answer", "办理情况", required=True),
    Field("answered_on", "办理日期", "date", required=True),
)
NOTE_FIELDS = spec_of(
    Field("text", "说明"),
    Field("on", "日期", "date", required=True),
)
OPINION_FIELDS = spec_of(
    Field("text", "退回意见", required=True),
    Field("on", "退回日期", "date", required=True),
)
EVENT_FIELDS = spec_of(  # one step of a target's history, as the bulk write path takes it
    Field("action", "办理环节", "choice", required=True, choices=ACTIONS),
    Field("on", "日期", "date", required=True),
    Field("text", "说明"),
)
NOT_ISSUED = "该督办对象还没有下达记录（第一条办理记录须为“下达”）"
ISSUED_ONCE = "“下达”只能是督办对象的第一条办理记录"

ALLOWED = {"start": {"pending"}, "answer": {"pending", "in_progress"}, "confirm": {"done"}, "send_back": {"done"}}
REFUSALS = {
    ("start", "in_progress"): "该督办已在处理中",
    ("start", "done"): "该督办已答复，正等待县住建局确认",
    ("start", "confirmed"): "该督办已确认办结，不能再改",
    ("answer", "done"): "该督办已答复，正等待县住建局确认；如需修改，请县住建局先退回",
    ("answer", "confirmed"): "该督办已确认办结，不能再答复",
    ("confirm", "pending"): "该督办还没有人答复，不能确认",
    ("confirm", "in_progress"): "该督办还在处理中（尚未答复或已退回），不能确认",
    ("confirm", "confirmed"): "该督办已经确认过了",
    ("send_back", "pending"): "该督办还没有人答复，无从退回",
    ("send_back", "in_progress"): "该督办还在处理中（尚未重新答复），不能退回",
    ("send_back", "confirmed"): "该督办已确认办结，不能再退回",
}


def county_only_message(mode: str | None, what: str) -> str | None:
    """Why an act of the county is refused in a township's database (None in county mode); shared with the
    bulk write path."""
    if mode != workspace.COUNTY:
        return f"{what}由县住建局办理（须在县级模式的数据库中操作）"
    return None


def _county_only(session: Session, what: str) -> None:
    refused = county_only_message(workspace.mode(session), what)
    if refused:
        raise OldcommError(refused)


def next_number(session: Session, order_type: str, year: int) -> str:
    """The year's next number for the type: one past the highest in use (a number typed by hand included)."""
    prefix = f"{TYPES[order_type]}〔{year}〕"
    used = session.scalars(select(SupervisionOrder.number).where(SupervisionOrder.number.like(f"{prefix}%")))
    tails = (no[len(prefix) :] for no in used)
    numbers = [int(t[:-1]) for t in tails if t.endswith("号") and t[:-1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}号"


NO_TARGET = "至少选择一个督办对象（乡镇）"


def number_taken(session: Session, number: str) -> bool:
    return session.scalar(select(SupervisionOrder.id).where(SupervisionOrder.number == number)) is not None


def order_problems(values: Mapping[str, Any], today: date, number_taken: bool) -> list[FieldProblem]:
    """An order's own rules: its deadline is not before it was issued, it is not issued in the future, its
    number is not in use. One definition, run by `issue` and by the bulk write path."""
    problems: list[FieldProblem] = []
    if values["deadline"] < values["issued_on"]:
        problems.append(
            problem(FIELDS, "deadline", f"办理期限 {values['deadline']} 早于下达日期 {values['issued_on']}")
        )
    if values["issued_on"] > today:
        problems.append(problem(FIELDS, "issued_on", f"{values['issued_on']} 晚于今天"))
    if number_taken:
        problems.append(problem(FIELDS, "number", f"编号“{values['number']}”已被使用"))
    return problems


def target_problems(
    n: int, t: Mapping[str, Any], township: list[FieldProblem], project: Any | None, duplicate: bool
) -> list[FieldProblem]:
    """The n-th target of an order: its township's problems (`township_rule`), its project exists and is the
    township's, no target twice. One definition, run by `issue` and by the bulk write path."""
    problems = [FieldProblem(p.field, p.label, f"第 {n} 个督办对象：{p.message}") for p in township]
    if t.get("project_id"):
        if project is None or project.deleted_at is not None:
            problems.append(problem(TARGET_FIELDS, "project_id", f"第 {n} 个督办对象：项目不存在或已删除"))
        elif project.township_code != t["township_code"]:
            problems.append(
                problem(TARGET_FIELDS, "project_id", f"第 {n} 个督办对象：项目“{project.name}”不属于该乡镇")
            )
    if duplicate:
        problems.append(problem(TARGET_FIELDS, "township_code", f"第 {n} 个督办对象重复"))
    return problems


def issue(
    session: Session,
    data: Mapping[str, Any],
    targets: Sequence[Mapping[str, Any]],
    *,
    files: Sequence[Path] = (),
    today: date | None = None,
) -> SupervisionOrder:
    """Issue an order to its targets (each a township, optionally a project of it), all or nothing."""
    _county_only(session, "下达督办")
    today = today or inspections.today()
    data = {"order_type": "order", "issued_on": today, **data}
    values = parse_changes(FIELDS, data, new=True)
    taken = bool(values.get("number")) and number_taken(session, values["number"])
    problems = order_problems(values, today, taken)
    if not targets:
        problems.append(problem(TARGET_FIELDS, "township_code", NO_TARGET))
    parsed_targets = []
    seen = set()
    for n, raw in enumerate(targets, start=1):
        try:
            t = parse_changes(TARGET_FIELDS, raw, new=True)
        except ValidationError as exc:
            problems += [FieldProblem(p.field, p.label, f"第 {n} 个督办对象：{p.message}") for p in exc.problems]
            continue
        key = (t["township_code"], t.get("project_id"))
        project = session.get(Project, t["project_id"]) if t.get("project_id") else None
        township = township_rule(session, TARGET_FIELDS, t["township_code"])
        problems += target_problems(n, t, township, project, key in seen)
        seen.add(key)
        parsed_targets.append(t)
    if problems:
        raise ValidationError(problems)
    if not values.get("number"):
        values["number"] = next_number(session, values["order_type"], values["issued_on"].year)
    order = SupervisionOrder(**values, year=values["issued_on"].year)
    session.add(order)
    session.flush()
    for t in parsed_targets:
        target = OrderTarget(order_id=order.id, deadline=order.deadline, state="pending", **t)
        session.add(target)
        session.flush()
        _event(session, target, "issue", values["issued_on"], None)
    for path in files:
        attachments.add(session, order, Path(path), caption="督办附件")
    session.flush()
    return order


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


def _check(target: Any, action: str) -> None:
    if target.state not in ALLOWED[action]:
        raise ValidationError(
            REFUSALS.get((action, target.state), f"当前状态“{STATES[target.state]}”不能{ACTIONS[action]}")
        )


def own_township_message(mode: str | None, own: str | None, township_code: str | None) -> str | None:
    """Why a township's database may not act on another township's target (shared with the bulk path)."""
    if mode == workspace.TOWNSHIP and township_code != own:
        return "这条督办不是给本乡镇（街道）的"
    return None


def step_message(mode: str | None, own: str | None, action: str, township_code: str | None) -> str | None:
    """Why this installation may not take a step of a target (the county's acts, issuing included, in a
    township's database; another township's target): the bulk path's plain and merged steps ask here."""
    if action == "issue":
        return county_only_message(mode, "下达督办")
    if action in COUNTY_STEPS:
        return county_only_message(mode, COUNTY_STEPS[action])
    return own_township_message(mode, own, township_code)


def _own_township(session: Session, target: OrderTarget) -> None:
    refused = own_township_message(workspace.mode(session), workspace.own_code(session), target.township_code)
    if refused:
        raise OldcommError(refused)


STEP_FIELDS = {"start": NOTE_FIELDS, "answer": ANSWER_FIELDS, "confirm": NOTE_FIELDS, "send_back": OPINION_FIELDS}
COUNTY_STEPS = {"confirm": "确认办结", "send_back": "退回"}  # the county's acts, with how they are named


def transition(
    target: Any, action: str, text: str | None, on: Any, issued_on: date, today: date, at_county: bool
) -> tuple[date, str | None, dict[str, Any]]:
    """One step of a target's life: (its date, its text, the target's columns it changes), or ValidationError
    with the reason in Chinese. The state it may move from, the step's own fields (an answer and an opinion
    must be written), its date (a start or an answer not before the order was issued nor after today, a
    confirmation not before the answer). The one definition of the state machine: `start`, `answer`,
    `confirm` and `send_back` run it on the stored target, the bulk write path on a target's events in order.
    """
    _check(target, action)
    if action == "answer":
        v = parse_changes(ANSWER_FIELDS, {"answer": text, "answered_on": on})
        on, text = v["answered_on"], v["answer"]
    else:
        v = parse_changes(STEP_FIELDS[action], {"text": text, "on": on} if action != "confirm" else {"on": on})
        on, text = v["on"], v.get("text")
    if action in ("start", "answer"):
        label = "日期" if action == "start" else ANSWER_FIELDS["answered_on"].label
        if on < issued_on:
            raise ValidationError(FieldProblem("on", label, f"{on} 早于下达日期 {issued_on}"))
        if on > today:
            raise ValidationError(FieldProblem("on", label, f"{on} 晚于今天"))
    if action == "start":
        return on, text, {"state": "in_progress"}
    if action == "answer":
        first = target.first_answered_on or on
        changes = {"answer": text, "answered_on": on, "first_answered_on": first, "answered_at_county": at_county}
        return on, text, {**changes, "state": "done"}
    if action == "confirm":
        if target.answered_on and on < target.answered_on:
            raise ValidationError(FieldProblem("on", "确认日期", f"{on} 早于办理日期 {target.answered_on}"))
        return on, text, {"state": "confirmed", "confirmed_on": on}
    return on, text, {"state": "in_progress", "opinion": text}


def _step(session: Session, target_id: str, action: str, text: str | None, on: Any, today: date | None) -> OrderTarget:
    """A step through the single edit: who may act, the shared state machine, the target and its history."""
    if action in COUNTY_STEPS:
        _county_only(session, COUNTY_STEPS[action])
    today = today or inspections.today()
    target = records.get_writable(session, OrderTarget, target_id, f"{ACTIONS[action]}督办")
    if action not in COUNTY_STEPS:
        _own_township(session, target)
    _check(target, action)
    order = records.get(session, SupervisionOrder, target.order_id) if action in ("start", "answer") else None
    at_county = workspace.mode(session) == workspace.COUNTY  # read before changing: one UPDATE, one version
    on, text, changes = transition(
        target, action, text, on or today, order.issued_on if order else date.min, today, at_county
    )
    for key, value in changes.items():
        setattr(target, key, value)
    _event(session, target, action, on, text)
    session.flush()
    return target


def start(
    session: Session, target_id: str, text: str | None = None, on: Any = None, *, today: date | None = None
) -> OrderTarget:
    """待处理 → 处理中 (the township has taken it up)."""
    return _step(session, target_id, "start", text, on, today)


def answer(
    session: Session,
    target_id: str,
    text: str,
    on: Any = None,
    *,
    files: Sequence[Path] = (),
    today: date | None = None,
) -> OrderTarget:
    """The township's answer (待处理/处理中 → 已处理); at the county it is recorded as arrived on paper."""
    target = _step(session, target_id, "answer", text, on, today)
    for path in files:
        attachments.add(session, target, Path(path), caption="办理情况附件")
    session.flush()
    return target


def confirm(session: Session, target_id: str, on: Any = None, *, today: date | None = None) -> OrderTarget:
    """已处理 → 已确认 (county only)."""
    return _step(session, target_id, "confirm", None, on, today)


def send_back(
    session: Session, target_id: str, opinion: str, on: Any = None, *, today: date | None = None
) -> OrderTarget:
    """已处理 → 处理中 with the county's opinion (county only); the round stays in the history."""
    return _step(session, target_id, "send_back", opinion, on, today)


def attach(session: Session, target_id: str, files: Sequence[Path], *, to_order: bool = False) -> None:
    """Attach files to a target's answer (photos, scans of the paper reply) or, for the county, to the order."""
    target = records.get_writable(session, OrderTarget, target_id, "添加附件")
    owner: OrderTarget | SupervisionOrder = target
    if to_order:
        _county_only(session, "为督办添加附件")
        owner, caption = records.get(session, SupervisionOrder, target.order_id), "督办附件"
    else:
        _own_township(session, target)
        owner, caption = target, "办理情况附件"
    for path in files:
        attachments.add(session, owner, Path(path), caption=caption)
    session.flush()


def find_target(session: Session, ident: str) -> OrderTarget:
    """A target by its id; or an order (id or number) that has exactly one target."""
    target = session.get(OrderTarget, ident)
    if target is not None and target.deleted_at is None:
        return target
    order = session.scalar(
        select(SupervisionOrder).where(
            SupervisionOrder.deleted_at.is_(None), (SupervisionOrder.id == ident) | (SupervisionOrder.number == ident)
        )
    )
    if order is None:
        raise NotFound(f"找不到督办“{ident}”")
    live = [t for t in order.targets if t.deleted_at is None]
    if len(live) != 1:
        raise ValidationError(
            f"督办 {order.number} 有 {len(live)} 个办理对象，请用办理对象的编号（order list 中的 id）"
        )
    return live[0]


def is_overdue(state: str, deadline: date, today: date) -> bool:
    return state in OPEN_STATES and deadline < today


def overdue_count(session: Session, today: date | None = None, township: str | None = None) -> int:
    q = select(func.count(OrderTarget.id)).where(
        OrderTarget.deleted_at.is_(None),
        OrderTarget.state.in_(OPEN_STATES),
        OrderTarget.deadline < (today or inspections.today()),
    )
    if township:
        q = q.where(OrderTarget.township_code == township)
    return session.scalar(q) or 0


def rows(
    session: Session, *, township: str | None = None, state: str | None = None, today: date | None = None
) -> list[dict]:
    """One row per target (order × township/project), newest order first; state "overdue" filters those."""
    today = today or inspections.today()
    q = (
        select(OrderTarget, SupervisionOrder, Project.name)
        .join(SupervisionOrder, SupervisionOrder.id == OrderTarget.order_id)
        .outerjoin(Project, Project.id == OrderTarget.project_id)
        .where(OrderTarget.deleted_at.is_(None), SupervisionOrder.deleted_at.is_(None))
        .order_by(SupervisionOrder.issued_on.desc(), SupervisionOrder.number.desc(), OrderTarget.township_code)
    )
    if township:
        q = q.where(OrderTarget.township_code == township)
    if state == "overdue":
        q = q.where(OrderTarget.state.in_(OPEN_STATES), OrderTarget.deadline < today)
    elif state:
        q = q.where(OrderTarget.state == state)
    names = {d.code: d.name for d in divisions.townships(session)}
    return [
        {
            "id": t.id,
            "order_id": o.id,
            "number": o.number,
            "type": o.order_type,
            "type_label": TYPES.get(o.order_type, o.order_type),
            "township_code": t.township_code,
            "township": names.get(t.township_code or "", t.township_code),
            "project_id": t.project_id,
            "project": pname,
            "problem": o.problem,
            "requirement": o.requirement,
            "issued_on": o.issued_on,
            "deadline": t.deadline,
            "department": o.department,
            "contact": o.contact,
            "state": t.state,
            "state_label": STATES[t.state],
            "overdue": is_overdue(t.state, t.deadline, today),
            "answer": t.answer,
            "answered_on": t.answered_on,
            "answered_at_county": t.answered_at_county,
            "opinion": t.opinion,
            "confirmed_on": t.confirmed_on,
        }
        for t, o, pname in session.execute(q)
    ]


def detail(session: Session, target_id: str) -> dict:
    """One target with its order, history (each round) and attachments."""
    target = records.get(session, OrderTarget, target_id)
    row = next(r for r in rows(session, township=target.township_code) if r["id"] == target.id)
    order = records.get(session, SupervisionOrder, target.order_id)
    row["history"] = [
        {
            "action": e.action,
            "action_label": ACTIONS.get(e.action, e.action),
            "on": e.on,
            "text": e.text,
            "state_after": STATES.get(e.state_after, e.state_after),
        }
        for e in target.events
        if e.deleted_at is None
    ]
    row["order_files"] = attachments.files(session, SupervisionOrder.__tablename__, [order.id])
    row["answer_files"] = attachments.files(session, OrderTarget.__tablename__, [target.id])
    return row


def departments(session: Session) -> str:
    """The issuing department a new order defaults to."""
    return str(catalogues.get_setting(session, "supervision_department", "县住建局"))
