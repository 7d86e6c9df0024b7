"""Which township owns a record: the shared rule every service applies to `township_code`."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions, workspace
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, problem
from oldcomm_desktop.core.model import SyncShadow


def township_rule(session: Session, spec: Mapping[str, Field], code: str | None) -> list[FieldProblem]:
    """A record belongs to a real township; in township mode, to this database's own township."""
    if not code:
        return [problem(spec, "township_code", "必须填写")]
    try:
        parsed = divisions.parse_code(code, label=spec["township_code"].label, field="township_code")
        code = parsed.code
    except ValidationError as exc:
        return exc.problems
    if parsed.level != "township":
        return [problem(spec, "township_code", f"“{code}”不是乡镇（街道）代码")]
    own = catalogues.get_setting(session, "own_division_code")
    if catalogues.get_setting(session, "mode") == "township" and own and code != own:
        return [problem(spec, "township_code", f"本数据库属于 {own}，不能录入 {code} 的数据")]
    if own and catalogues.get_setting(session, "mode") == "county" and code[:6] != own[:6]:
        return [problem(spec, "township_code", f"“{code}”不属于本县（{own[:6]}）")]
    return []


def with_default_township(session: Session, data: Mapping[str, object]) -> dict[str, object]:
    """In township mode a clerk never types their own code: records default to this database's township."""
    result = dict(data)
    if not result.get("township_code") and catalogues.get_setting(session, "mode") == "township":
        result["township_code"] = catalogues.get_setting(session, "own_division_code")
    return result


def choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the townships a clerk may pick here — the ones `township_rule` accepts: every township
    of the own county in county mode, only the database's own in township mode; in code order."""
    known = [(d.code, d.name) for d in divisions.townships(session)]
    own = workspace.own_code(session)
    if not own:
        return known
    if workspace.mode(session) != workspace.TOWNSHIP:
        return [(c, n) for c, n in known if c[:6] == own[:6]]
    return [(c, n) for c, n in known if c == own] or [(own, divisions.name_of(session, own))]


def refuse_move_after_sync(session: Session, spec: Mapping[str, Field], record: object, changes: Mapping) -> None:
    """A record that has travelled in a sync package stays with its township.

    Its township's packages carry it as theirs: once the county moved it to another township, every later
    package of the first one was refused (the record is no longer theirs here), and that township never learned
    of the move. A move before the record has travelled (no sync shadow yet) is an ordinary correction.
    """
    new = changes.get("township_code")
    old = getattr(record, "township_code", None)
    if not new or not old or str(new) == old:
        return
    table = getattr(record, "__tablename__", "")
    shadow = select(SyncShadow.record_id).where(
        SyncShadow.table_name == table, SyncShadow.record_id == getattr(record, "id", None)
    )
    if session.scalar(shadow) is None:
        return
    owner = divisions.name_of(session, old) or old
    kind = "小区" if table == "community" else "项目"
    raise ValidationError(
        problem(
            spec,
            "township_code",
            f"这个{kind}已与{owner}同步，改到别的乡镇（街道）后{owner}的数据包都会被拒收，所以不能改；"
            f"确需划转时，请由{owner}删除它，再由新的乡镇（街道）录入",
        )
    )
