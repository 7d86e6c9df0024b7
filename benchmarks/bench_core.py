"""Benchmark of the core on a big ledger: bulk inserts, summaries and the integrity check.

Run on demand (it is not a test):

    python benchmarks/bench_core.py [--communities 200000] [--out benchmarks/out]

It builds a township database (341122001000 城关街道) through `open_database` (WAL, synchronous=FULL, the
migrated schema) and `workspace.initialise`, then inserts N communities with 10 renovation items, 3 funding
lines and 4 milestones each through SQLAlchemy Core (`conn.execute(insert(Table), dicts)`, one transaction
per table chunk). In the same run the same rows go with plain `sqlite3` `executemany` into a copy of the
same initialised, still empty database, as a baseline; afterwards both files are compared row for row.
Then it times `summary.totals` (by status and by township), `summary.effect_indicators` and
`integrity.check` (median of 3) against the same status aggregation in raw SQL. The Markdown report goes
to stdout and to OUT/bench_core.md.

The data are deterministic for a seed and valid for the core's rules: households > 0, floor area, total
investment = the sum of approved funding, arrived <= approved, paid <= arrived, 4 milestones per community
in date order with `community.status` = `lifecycle.derive_status` of them, search initials from
`pinyin_search.search_text` of each (distinct) name. The milestones are survey -> plan -> start ->
completion for completed communities; communities at other stages get the 4 milestones of their stage
(see CHAINS), so the status grouping has every status in it. `integrity.check` should find nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import random
import resource
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy
import sqlalchemy.exc
from sqlalchemy import Boolean, Date, DateTime, Table, insert, select

from oldcomm_desktop.core import integrity, summary, workspace
from oldcomm_desktop.core.lifecycle import STATUSES, derive_status
from oldcomm_desktop.core.model import Community, FundingLine, FundingSource, ItemType, Milestone, RenovationItem
from oldcomm_desktop.core.model.base import Fixed2
from oldcomm_desktop.core.pinyin_search import search_text
from oldcomm_desktop.storage.database import Database, open_database

TOWNSHIP_CODE = "341122001000"
TOWNSHIP_NAME = "城关街道"
VILLAGES = 12  # residents' committees 341122001001 … 341122001012
TODAY = date(2025, 6, 30)  # fixed, so a seed always gives the same ledger; every date is on or before it
NOW = datetime(2025, 6, 30, 9, 15, 30, 123456)
CENT = Decimal("0.01")
TABLES: tuple[Table, ...] = (
    Community.__table__,
    RenovationItem.__table__,
    FundingLine.__table__,
    Milestone.__table__,
)
PER_COMMUNITY = {"community": 1, "renovation_item": 10, "funding_line": 3, "milestone": 4}

# --- names -------------------------------------------------------------------------------------------------

PLACES = (
    "人民路 解放路 建设路 中山路 文化路 和平路 胜利路 长江路 淮河路 黄山路 新华路 光明路 朝阳路 青年路 府前街 "
    "学府路 健康路 工农路 红旗路 友谊路 幸福路 团结路 振兴路 迎宾路 站前路 滨河路 园林路 花园街 公园路 育才路 "
    "金山路 银河路 东风路 五一路 城北 城南 东关 西关 南门 北门 长安街 重庆路 曾家巷 乐园路 行知路 银行街 "
    "大庆路 古城路 北大街 南大街 东大街 西大街 鼓楼街 钟楼巷 柳荫街 桥头街 车站路 沿河路 龙泉路 凤凰路 "
    "兴业路 永宁街 广场路 体育路 医院路 梨园路 桃园路 杏花路 梅园路 竹园路 石桥路 秀水街 荷花塘 南湖路 "
    "北湖路 东湖路 西湖路 纬一路 经二路 环城路"
).split()
WORKS = (
    "纺织厂 粮食局 供电局 税务局 农机厂 丝绸厂 水利局 卫生局 机械厂 商业局 邮电局 交通局 化肥厂 酒厂 棉纺厂 "
    "烟草公司 电影公司 第一中学 实验小学 人民医院 中医院 物资局 供销社 食品公司 建筑公司 自来水公司 印刷厂 "
    "糖厂 木材公司 百货公司 五金厂 磷肥厂 银行"
).split()
WORK_SUFFIXES = ("家属院", "宿舍", "宿舍区")
HOMES = (
    "幸福里 和平苑 银杏 曙光 向阳 桃园 红星 光明 春晖 南苑 东风 百花 团结 迎宾 振兴 金桥 平安 永安 兴华 新民 "
    "锦绣 怡景 翠竹 丽园 康乐 安居 福星 长乐 朝阳 文昌 书香 明珠 阳光 绿洲 东方 华侨 建国 解放 胜利 前进"
).split()
HOME_SUFFIXES = ("小区", "新村", "花园", "苑")
PHASES = ("", "一期", "二期", "三期", "四期", "东区", "西区", "南区", "北区", "A区", "B区")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "丽强敏军芳伟娟静磊洋艳勇杰娜涛明超秀英华平刚桂兰玉红建国志文"

# --- what a community at each stage has ---------------------------------------------------------------------

# Always 4 milestones, in date order; derive_status of them gives the key. survey/plan/start/completion is
# the completed community; earlier stages fill the 4 with preparation, accepted ones start at the start.
CHAINS: dict[str, tuple[str, ...]] = {
    "reserve": ("survey", "publicity", "survey", "publicity"),  # two rounds of consent and scheme publicity
    "planned": ("survey", "publicity", "plan", "approval"),
    "started": ("survey", "plan", "approval", "start"),
    "completed": ("survey", "plan", "start", "completion"),
    "accepted": ("start", "completion", "acceptance", "filing"),
    "withdrawn": ("survey", "publicity", "survey", "withdrawal"),
}
STATUS_WEIGHTS = {"reserve": 8, "planned": 15, "started": 22, "completed": 35, "accepted": 18, "withdrawn": 2}
# days from the previous milestone to this one
GAPS = {"start": (30, 120), "completion": (90, 240), "acceptance": (15, 60), "filing": (3, 14)}
DEFAULT_GAP = (15, 90)
# how far before TODAY the last milestone may lie
SLACK_DAYS = {"reserve": 700, "planned": 200, "started": 150, "completed": 500, "accepted": 1200, "withdrawn": 900}
ARRIVED_SHARE = {"reserve": 0, "planned": 20, "started": 60, "completed": 90, "accepted": 100, "withdrawn": 0}
PLAN_STATUSES = ("planned", "started", "completed", "accepted")

# quantity range and unit price range (yuan) of each item type: by code, else by unit
ITEM_BY_CODE = {
    "elevator": (1, 4, 420_000, 520_000),
    "health_station": (1, 1, 200_000, 400_000),
    "elderly_care": (1, 1, 250_000, 500_000),
    "child_care": (1, 1, 200_000, 400_000),
    "kindergarten": (1, 1, 300_000, 600_000),
    "plaza": (1, 2, 100_000, 200_000),
    "activity_room": (100, 600, 1_500, 3_000),
    "service_centre": (100, 600, 1_500, 3_000),
    "energy_retrofit": (2_000, 20_000, 80, 200),
    "parking": (10, 80, 3_000, 8_000),
}
ITEM_BY_UNIT = {
    "米": (200, 3_000, 150, 450),
    "平方米": (300, 8_000, 60, 260),
    "栋": (2, 30, 8_000, 30_000),
    "部": (1, 4, 420_000, 520_000),
    "个": (2, 60, 2_000, 9_000),
    "处": (1, 6, 10_000, 80_000),
    "盏": (20, 150, 400, 900),
    "件": (8, 40, 1_500, 5_000),
    "组": (1, 4, 20_000, 40_000),
    "座": (1, 2, 150_000, 300_000),
    "套": (1, 1, 200_000, 600_000),
}
FRACTIONAL_UNITS = ("米", "平方米")
FUNDING = (  # three leaf sources per community; shares of the total in percent, the last takes the rest
    (("central_budget",), 50),
    (("provincial", "city_county", "special_bonds"), 30),
    (("residents", "utility_units", "owner_unit"), 20),
)


class Generator:
    """Deterministic rows for communities [start, start + count): a chunk is the same whenever it is made."""

    def __init__(self, item_types: list[tuple[str, str, str]], sources: dict[str, str], seed: int) -> None:
        self.item_types = item_types  # (id, code, unit)
        self.sources = sources  # code -> id
        self.seed = seed
        names = [f"{p}{w}{s}" for p in PLACES for w in WORKS for s in WORK_SUFFIXES]
        names += [f"{p}{h}{s}" for p in PLACES for h in HOMES for s in HOME_SUFFIXES]
        self.bases = names
        self.phases = PHASES
        self.order = list(range(len(names) * len(PHASES)))
        random.Random(seed).shuffle(self.order)
        self.initials: dict[str, str] = {}
        self.pinyin_seconds = 0.0
        self.statuses = list(STATUS_WEIGHTS)
        self.weights = list(STATUS_WEIGHTS.values())

    def name(self, n: int) -> str:
        k = self.order[n % len(self.order)]
        base, phase = divmod(k, len(self.phases))
        text = self.bases[base] + self.phases[phase]
        if n >= len(self.order):  # beyond ~270,000 communities the combinations repeat
            text += f"{n // len(self.order) + 1}号片区"
        return text

    def search_initials(self, name: str) -> str:
        found = self.initials.get(name)
        if found is None:
            t0 = time.perf_counter()
            found = self.initials[name] = search_text(name)
            self.pinyin_seconds += time.perf_counter() - t0
        return found

    def chunk(self, start: int, count: int) -> dict[str, list[dict[str, Any]]]:
        rng = random.Random(self.seed * 1_000_003 + start)
        rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
        for n in range(start, start + count):
            self._community(rng, n, rows)
        return rows

    @staticmethod
    def _uuid(rng: random.Random) -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def _record(self, rng: random.Random) -> dict[str, Any]:
        return {
            "id": self._uuid(rng),
            "created_at": NOW,
            "updated_at": NOW,
            "township_code": TOWNSHIP_CODE,
            "version": 1,
            "deleted_at": None,
        }

    def _dates(self, rng: random.Random, status: str) -> list[tuple[str, date]]:
        chain = CHAINS[status]
        gaps = [rng.randint(*GAPS.get(kind, DEFAULT_GAP)) for kind in chain[1:]]
        day = TODAY - timedelta(days=rng.randint(0, SLACK_DAYS[status]) + sum(gaps))
        out = [(chain[0], day)]
        for kind, gap in zip(chain[1:], gaps, strict=True):
            day += timedelta(days=gap)
            out.append((kind, day))
        return out

    def _community(self, rng: random.Random, n: int, rows: dict[str, list[dict[str, Any]]]) -> None:
        status = rng.choices(self.statuses, self.weights)[0]
        reached = self._dates(rng, status)
        on = dict(reached)  # the last date of each kind (survey and publicity may repeat)
        first = {}
        for kind, day in reached:
            first.setdefault(kind, day)
        plan_year = None
        if status in PLAN_STATUSES:
            plan_year = (on.get("plan") or on.get("start")).year
        c = self._record(rng)
        cid = c["id"]
        name = self.name(n)
        households = rng.randint(24, 640)
        floor_area = Decimal(households * rng.randint(5_800, 9_800)).scaleb(-2)
        start, completion = on.get("start"), on.get("completion")
        planned_start = start or (on["plan"] + timedelta(days=rng.randint(60, 150)) if "plan" in on else None)
        fund_total = Decimal(0)

        # renovation items
        started_share = Decimal(rng.randint(20, 80)) / 100
        for type_id, code, unit in rng.sample(self.item_types, 10):
            qlo, qhi, plo, phi = ITEM_BY_CODE.get(code) or ITEM_BY_UNIT.get(unit, (1, 10, 5_000, 20_000))
            if unit in FRACTIONAL_UNITS:
                qty = Decimal(rng.randint(qlo * 100, qhi * 100)).scaleb(-2)
            else:
                qty = Decimal(rng.randint(qlo, qhi))
            investment = (qty * rng.randint(plo, phi)).quantize(CENT)
            fund_total += investment
            item = self._record(rng)
            done_qty, item_status, started_on, completed_on = None, "planned", None, None
            if status == "started":
                item_status, started_on = "started", start
                done_qty = (qty * started_share).quantize(CENT)
            elif status in ("completed", "accepted"):
                item_status, started_on, done_qty = "completed", start, qty
                completed_on = completion - timedelta(days=rng.randint(0, 20))
            item.update(
                community_id=cid,
                item_type_id=type_id,
                description=None,
                planned_quantity=qty,
                completed_quantity=done_qty,
                investment=investment,
                status=item_status,
                started_on=started_on,
                completed_on=completed_on,
                notes=None,
            )
            rows["renovation_item"].append(item)

        # funding: approved adds up to the total investment exactly
        left = fund_total
        arrived_share = Decimal(ARRIVED_SHARE[status]) / 100
        for i, (codes, percent) in enumerate(FUNDING):
            approved = left if i == len(FUNDING) - 1 else (fund_total * percent / 100).quantize(Decimal(1))
            left -= approved
            arrived = (approved * arrived_share).quantize(CENT) if arrived_share else None
            paid = (arrived * rng.randint(70, 100) / 100).quantize(CENT) if arrived else None
            line = self._record(rng)
            line.update(
                community_id=cid,
                project_id=None,
                source_id=self.sources[rng.choice(codes)],
                approved=approved,
                annual_plan=approved if status in PLAN_STATUSES else None,
                arrived=arrived,
                paid=paid,
                source_note=None,
            )
            rows["funding_line"].append(line)

        # milestones
        for kind, day in reached:
            m = self._record(rng)
            document_no = None
            if kind == "plan":
                document_no = f"城老改办〔{day.year}〕{rng.randint(1, 40)}号"
            elif kind == "approval":
                document_no = f"青发改投资〔{day.year}〕{rng.randint(10, 99)}号"
            m.update(
                community_id=cid,
                project_id=None,
                kind=kind,
                reached_on=day,
                reason="意愿征询未达到三分之二，居民不同意改造" if kind == "withdrawal" else None,
                document_no=document_no,
                notes=None,
            )
            rows["milestone"].append(m)

        derived = derive_status([k for k, _ in reached], plan_year is not None)
        assert derived == status, (status, derived, reached)
        passed = status != "withdrawn"
        part = households * rng.randint(75, 95) // 100 if passed else households // 2
        yes = part * rng.randint(80, 98) // 100 if passed else part // 3
        area = (floor_area * Decimal("0.9")).quantize(CENT)
        area_part = (area * part / households).quantize(CENT)
        area_yes = (area * yes / households).quantize(CENT)
        accepted = on.get("acceptance")
        progress = {"reserve": None, "withdrawn": None, "planned": 0, "completed": 100, "accepted": 100}.get(
            status, int(started_share * 100)
        )
        c.update(
            name=name,
            project_id=None,
            village_code=TOWNSHIP_CODE[:9] + f"{rng.randint(1, VILLAGES):03d}",
            address=f"{PLACES[rng.randrange(len(PLACES))]}{rng.randint(1, 300)}号",
            year_built=rng.randint(1970, 2000),
            buildings=max(1, households // rng.randint(24, 60)),
            households=households,
            floor_area=floor_area,
            plan_year=plan_year,
            batch=f"第{rng.randint(1, 3)}批" if plan_year else None,
            start_kind=("new" if plan_year == (start or TODAY).year else "continued") if plan_year else None,
            planned_start=planned_start,
            planned_completion=planned_start + timedelta(days=rng.randint(150, 270)) if planned_start else None,
            total_investment=fund_total,
            progress_percent=progress,
            management_mode=rng.choice(("professional", "self", "entrusted")),
            owners_committee="owners" if accepted else None,
            owners_committee_date=min(accepted + timedelta(days=40), TODAY) if accepted else None,
            maintenance_fund_collected=Decimal(households * 800) if accepted else None,
            maintenance_fund_topped_up=None,
            property_fee=Decimal(rng.randint(45, 90)).scaleb(-2) if accepted else None,
            consent_date=first.get("survey"),
            consent_owners_total=households,
            consent_owners_participating=part,
            consent_owners_for=yes,
            consent_owners_against=part - yes,
            consent_area_total=area,
            consent_area_participating=area_part,
            consent_area_for=area_yes,
            consent_area_against=area_part - area_yes,
            satisfaction_percent=Decimal(rng.randint(8_500, 9_900)).scaleb(-2) if accepted else None,
            in_statistics=rng.random() < 0.7,
            statistics_code=None,
            livelihood_project=rng.random() < 0.3,
            contact_person=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            contact_phone=f"1{rng.choice('3589')}{rng.randrange(1_000_000_000):09d}",
            notes=None,
            status=derived,
            search_initials=self.search_initials(name),
        )
        rows["community"].append(c)


# --- the two ways of writing ------------------------------------------------------------------------------


def _converter(column: sqlalchemy.Column) -> Callable[[Any], Any] | None:
    """What SQLAlchemy's bind processing does to a value of this column on SQLite, for the raw baseline."""
    kind = column.type
    if isinstance(kind, Fixed2):
        return lambda v: None if v is None else int((v * 100).to_integral_value())
    if isinstance(kind, DateTime):
        return lambda v: None if v is None else v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    return None


class RawWriter:
    """Plain sqlite3 executemany into a copy of the empty database, with the app's pragmas."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL", "busy_timeout=5000"):
            self.con.execute(f"PRAGMA {pragma}")
        self.plans = {}
        for table in TABLES:
            cols = list(table.columns)
            sql = f"INSERT INTO {table.name} ({', '.join(c.name for c in cols)}) VALUES ({', '.join('?' * len(cols))})"
            self.plans[table.name] = (sql, [(c.name, _converter(c)) for c in cols])

    def tuples(self, table: str, rows: list[dict[str, Any]]) -> list[tuple]:
        cols = self.plans[table][1]
        return [tuple(r[k] if f is None else f(r[k]) for k, f in cols) for r in rows]

    def write(self, table: str, values: list[tuple]) -> None:
        with self.con:  # one transaction, committed at the end of the block
            self.con.executemany(self.plans[table][0], values)

    def close(self) -> None:
        self.con.close()


def _catalogue(db: Database) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    with db.session("测试员") as s:
        item_types = [tuple(r) for r in s.execute(select(ItemType.id, ItemType.code, ItemType.unit))]
        sources = dict(s.execute(select(FundingSource.code, FundingSource.id)).all())
    return sorted(item_types, key=lambda t: t[1]), sources


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build(args: argparse.Namespace, core_path: Path, raw_path: Path) -> tuple[Database, dict[str, Any]]:
    for p in (core_path, raw_path):
        _remove_db(p)
    t0 = time.perf_counter()
    db = open_database(core_path)
    with db.transaction("基准测试") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP_CODE, name=TOWNSHIP_NAME, operator="基准测试")
    setup_s = time.perf_counter() - t0
    # the baseline starts from a copy of the same initialised, empty database
    with db.engine.connect() as conn:
        src = conn.connection.dbapi_connection
        dst = sqlite3.connect(raw_path)
        src.backup(dst)
        dst.close()
    raw = RawWriter(raw_path)

    gen = Generator(*_catalogue(db), seed=args.seed)
    core_s = dict.fromkeys(PER_COMMUNITY, 0.0)
    raw_s = dict.fromkeys(PER_COMMUNITY, 0.0)
    rows_n = dict.fromkeys(PER_COMMUNITY, 0)
    gen_s = convert_s = 0.0
    started = time.perf_counter()
    for start in range(0, args.communities, args.chunk):
        count = min(args.chunk, args.communities - start)
        t = time.perf_counter()
        chunk = gen.chunk(start, count)
        gen_s += time.perf_counter() - t
        for table in TABLES:
            rows = chunk[table.name]
            rows_n[table.name] += len(rows)
            t = time.perf_counter()
            with db.engine.begin() as conn:
                conn.execute(insert(table), rows)
            core_s[table.name] += time.perf_counter() - t
            t = time.perf_counter()
            values = raw.tuples(table.name, rows)
            convert_s += time.perf_counter() - t
            t = time.perf_counter()
            raw.write(table.name, values)
            raw_s[table.name] += time.perf_counter() - t
        del chunk
        done = start + count
        print(
            f"  {done:>9,} communities  core {sum(core_s.values()):7.1f} s  sqlite3 {sum(raw_s.values()):7.1f} s"
            f"  generate {gen_s:6.1f} s (pinyin {gen.pinyin_seconds:.1f} s)  {time.perf_counter() - started:6.0f} s",
            file=sys.stderr,
            flush=True,
        )
    raw.close()
    info = {
        "setup_s": setup_s,
        "core_s": core_s,
        "raw_s": raw_s,
        "rows": rows_n,
        "generate_s": gen_s,
        "pinyin_s": gen.pinyin_seconds,
        "pinyin_names": len(gen.initials),
        "convert_s": convert_s,
    }
    return db, info


def compare(core_path: Path, raw_path: Path) -> dict[str, int]:
    """Rows that differ between the two files, per table (0 everywhere: the baseline wrote the same data)."""
    con = sqlite3.connect(core_path)
    con.execute("ATTACH DATABASE ? AS raw", (str(raw_path),))
    out = {}
    for table in TABLES:
        n = table.name
        a = con.execute(f"SELECT count(*) FROM (SELECT * FROM main.{n} EXCEPT SELECT * FROM raw.{n})").fetchone()[0]
        b = con.execute(f"SELECT count(*) FROM (SELECT * FROM raw.{n} EXCEPT SELECT * FROM main.{n})").fetchone()[0]
        out[n] = a + b
    con.close()
    return out


# --- queries --------------------------------------------------------------------------------------------------

RAW_STATUS_SQL = """
SELECT c.status, count(c.id), sum(c.households), sum(c.floor_area), sum(c.total_investment), sum(d.done)
FROM community AS c
LEFT OUTER JOIN (
    SELECT community_id AS cid, sum(amount) AS done FROM investment_entry
    WHERE deleted_at IS NULL AND community_id IS NOT NULL GROUP BY community_id
) AS d ON d.cid = c.id
WHERE c.deleted_at IS NULL
GROUP BY c.status
"""


class Interrupted(Exception):
    """A run went past --budget; SQLite was told to stop (a progress handler), so no result."""


def _is_interrupt(exc: BaseException) -> bool:
    return "interrupted" in str(exc)


def _with_budget(con: sqlite3.Connection, budget: float, fn: Callable[[], Any]) -> Any:
    """Run `fn` with SQLite interrupting any statement still running `budget` seconds from now."""
    deadline = time.perf_counter() + budget
    con.set_progress_handler(lambda: time.perf_counter() > deadline, 100_000)
    try:
        return fn()
    except (sqlite3.OperationalError, sqlalchemy.exc.OperationalError) as exc:
        if _is_interrupt(exc):
            raise Interrupted from None
        raise
    finally:
        con.set_progress_handler(None, 0)


def _median_of(runs: int, fn: Callable[[], Any]) -> tuple[Any, list[float], bool]:
    """Up to `runs` timings; after an interrupted run there are no more (it would only be interrupted again)."""
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        try:
            result = fn()
        except Interrupted:
            times.append(time.perf_counter() - t)
            return None, times, True
        times.append(time.perf_counter() - t)
    return result, times, False


def queries(db: Database, core_path: Path, args: argparse.Namespace) -> list[tuple[str, str, list[float]]]:
    def in_session(fn: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with db.session("测试员") as s:
                con = s.connection().connection.dbapi_connection
                return _with_budget(con, args.budget, lambda: fn(s))

        return run

    def findings(found: list) -> str:
        return f"{len(found)} findings"

    ops: list[tuple[str, Callable[[], Any], Callable[[Any], str]]] = [
        (
            "`summary.totals(session)` (by status)",
            in_session(lambda s: summary.totals(s)),
            lambda r: (
                f"{sum(1 for t in r.groups.values() if t.communities)} statuses, {r.total.communities:,} communities"
            ),
        ),
        (
            '`summary.totals(session, by="township")`',
            in_session(lambda s: summary.totals(s, by="township")),
            lambda r: f"{len(r.groups)} township, {r.total.communities:,} communities",
        ),
        (
            "`summary.effect_indicators(session)`",
            in_session(lambda s: summary.effect_indicators(s)),
            lambda r: f"{len(r)} indicators, {sum(1 for f in r if f.planned)} with planned work",
        ),
        ("`integrity.check(session)`", in_session(integrity.check), findings),
        (
            "  of which `engine_check` (PRAGMA integrity_check, foreign_key_check)",
            in_session(integrity.engine_check),
            findings,
        ),
    ]
    for rule in integrity.RULES:
        ops.append((f"  of which `{rule.__name__}`", in_session(lambda s, rule=rule: list(rule(s))), findings))

    raw = sqlite3.connect(f"file:{core_path}?mode=ro", uri=True)
    ops.append(
        (
            "raw sqlite3: the same status aggregation (SQL of `totals`)",
            lambda: _with_budget(raw, args.budget, lambda: raw.execute(RAW_STATUS_SQL).fetchall()),
            lambda r: f"{len(r)} statuses, {sum(x[1] for x in r):,} communities",
        )
    )
    results = []
    checked: dict[str, Any] = {}
    for label, fn, describe in ops:
        result, times, interrupted = _median_of(args.runs, fn)
        described = f"**interrupted after {args.budget:g} s** (--budget)" if interrupted else describe(result)
        results.append((label, described, times, interrupted))
        shown = f"> {args.budget:g}" if interrupted else f"{statistics.median(times):.3f}"
        print(f"  {shown:>8} s  {label}", file=sys.stderr, flush=True)
        checked[label] = result
        if args.profile and not interrupted:
            _profile(fn, label, args.out)
    raw_rows = checked[ops[-1][0]]
    by_status = checked[ops[0][0]]
    if raw_rows is not None and by_status is not None:
        _check_same(by_status, raw_rows)
    raw.close()
    return results


def _check_same(totals: summary.Summary, raw_rows: list[tuple]) -> None:
    """`totals` must say what the raw SQL says (floor area and money come back in hundredths)."""
    for status, n, hh, area, inv, _done in raw_rows:
        t = totals.groups[status]
        got = (t.communities, t.households, t.floor_area_m2, t.investment_yuan)
        want = (n, hh, Decimal(area).scaleb(-2), Decimal(inv).scaleb(-2))
        assert got == want, (status, got, want)
    assert set(totals.groups) <= set(STATUSES)


def _profile(fn: Callable[[], Any], label: str, out: Path) -> None:
    prof = cProfile.Profile()
    prof.runcall(fn)
    slug = "".join(ch if ch.isalnum() else "_" for ch in label).strip("_")[:60]
    prof.dump_stats(out / f"profile_{slug}.prof")
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(25)
    (out / f"profile_{slug}.txt").write_text(text.getvalue(), encoding="utf-8")


# --- report -----------------------------------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        ram = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        ram = "?"
    return [
        ("CPUs", f"{os.cpu_count()} ({usable} usable) — {cpu}"),
        ("RAM", ram),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("SQLAlchemy", sqlalchemy.__version__),
        ("SQLite (Python's sqlite3)", sqlite3.sqlite_version),
        ("pypinyin", metadata.version("pypinyin")),
    ]


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds else "–"


def report(args: argparse.Namespace, info: dict[str, Any], diffs: dict[str, int], results: list, sizes: dict) -> str:
    n = args.communities
    lines = [
        f"# bench_core: {n:,} communities",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M}; seed {args.seed}; chunks of {args.chunk:,} communities "
        f"(one transaction per table per chunk); township mode, {TOWNSHIP_CODE} {TOWNSHIP_NAME}.",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in machine()],
        "",
        "## Bulk insert (WAL, synchronous=FULL, foreign keys on, all indexes of the migrated schema)",
        "",
        "| table | rows | SQLAlchemy Core s | Core rows/s | sqlite3 executemany s | sqlite3 rows/s | Core ÷ sqlite3 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    core_s, raw_s, rows = info["core_s"], info["raw_s"], info["rows"]
    for name in PER_COMMUNITY:
        lines.append(
            f"| {name} | {rows[name]:,} | {core_s[name]:.2f} | {_rate(rows[name], core_s[name])} | "
            f"{raw_s[name]:.2f} | {_rate(rows[name], raw_s[name])} | {core_s[name] / raw_s[name]:.2f}× |"
        )
    total_rows, tc, tr = sum(rows.values()), sum(core_s.values()), sum(raw_s.values())
    lines.append(
        f"| **all four** | **{total_rows:,}** | **{tc:.2f}** | **{_rate(total_rows, tc)}** | **{tr:.2f}** | "
        f"**{_rate(total_rows, tr)}** | **{tc / tr:.2f}×** |"
    )
    same = "identical" if not any(diffs.values()) else f"DIFFERENT: {diffs}"
    lines += [
        "",
        f"- Core: `conn.execute(insert(Table), dicts)` with `Decimal`/`date`/`datetime` values (Fixed2 binds to fen). "
        f"sqlite3: `executemany` of ready tuples; turning the same dicts into those tuples (Decimal → fen, dates "
        f"→ ISO text) took a further {info['convert_s']:.2f} s, not counted above.",
        f"- The two files after the run: {same} (row-by-row EXCEPT on all four tables). "
        f"Sizes: {sizes['core']:.0f} MB (Core) and {sizes['raw']:.0f} MB (sqlite3).",
        f"- Not timed: open + migrate + `workspace.initialise` {info['setup_s']:.2f} s; generating the rows "
        f"{info['generate_s']:.1f} s, of which `pinyin_search.search_text` {info['pinyin_s']:.1f} s for "
        f"{info['pinyin_names']:,} distinct names "
        f"({info['pinyin_s'] / max(1, info['pinyin_names']) * 1e6:.0f} µs a name, uncached: each name is new).",
        "",
        f"## Queries on the {n:,}-community database (median of {args.runs})",
        "",
        "| operation | result | median s | runs s |",
        "|---|---|---:|---|",
    ]
    for label, described, times, interrupted in results:
        runs = " / ".join(f"{t:.3f}" for t in times)
        median = f"**> {args.budget:g}**" if interrupted else f"{statistics.median(times):.3f}"
        lines.append(f"| {label} | {described} | {median} | {runs} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += [
        "",
        "`totals` by status agrees with the raw SQL (checked). An interrupted operation ran into --budget "
        f"({args.budget:g} s a run) and was not repeated. Peak RSS of the whole run: {peak:.0f} MB.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=200_000, help="communities to create (default 200000)")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "out", help="report and scratch databases"
    )
    parser.add_argument("--chunk", type=int, default=10_000, help="communities per transaction chunk")
    parser.add_argument("--runs", type=int, default=3, help="runs per query (the median is reported)")
    parser.add_argument(
        "--budget", type=float, default=300, help="seconds one run of a query may take before SQLite is interrupted"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-db", action="store_true", help="keep the two database files afterwards")
    parser.add_argument("--profile", action="store_true", help="also cProfile one run of each query into OUT")
    args = parser.parse_args(argv)
    if args.communities < 1 or args.chunk < 1 or args.runs < 1 or args.budget <= 0:
        parser.error("--communities, --chunk, --runs and --budget must be positive")
    args.out.mkdir(parents=True, exist_ok=True)
    core_path, raw_path = args.out / "bench_core.sqlite3", args.out / "bench_core_raw.sqlite3"

    print(f"building {args.communities:,} communities in {core_path} and {raw_path}", file=sys.stderr)
    gc.collect()
    db, info = build(args, core_path, raw_path)
    try:
        print("comparing the two files", file=sys.stderr)
        diffs = compare(core_path, raw_path)
        sizes = {
            key: sum(Path(str(p) + s).stat().st_size for s in ("", "-wal") if Path(str(p) + s).exists()) / 2**20
            for key, p in (("core", core_path), ("raw", raw_path))
        }
        print("timing queries", file=sys.stderr)
        results = queries(db, core_path, args)
    finally:
        db.close()
    text = report(args, info, diffs, results, sizes)
    (args.out / "bench_core.md").write_text(text, encoding="utf-8")
    print(text)
    if not args.keep_db:
        _remove_db(core_path)
        _remove_db(raw_path)
    return 1 if any(diffs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
