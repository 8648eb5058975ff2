"""Turn a plan into the rows of the enterprise's tables and readings export.

Rows use the English keys of `intake.schema`; the package writer puts the Chinese
headers on them. Every count in the plan becomes exactly that many rows with the
flags intake counts, and filler rows that intake must not count (complaints caused
by the household, invalid complaints, short or planned outages) surround them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from samples.plan import Plan

YES, NO = "是", "否"
COMPLAINT_CATEGORIES = (
    "室温不达标",
    "暖气不热",
    "管道漏水",
    "收费问题",
    "维修不及时",
    "服务态度",
    "停热未通知",
)
OWN_CAUSE_CATEGORIES = ("户内阀门未开启", "自行改动暖气片", "户内管道堵塞")
UNPLANNED_CAUSES = (
    "一次网管道爆裂抢修",
    "换热站循环泵故障",
    "外部电网停电",
    "二次网管道漏水",
)
PLANNED_CAUSES = ("管网碰口施工", "换热站计划检修")
INCIDENT_TEXTS = (
    ("一般", "换热站检修人员被热水烫伤，送医治疗后康复"),
    ("一般", "检查井井盖缺失，一名行人摔伤"),
    ("较大", "锅炉房配电柜起火，扑救中两名员工受伤"),
)
MAJOR_INCIDENT = "热源厂一次网主管道爆裂，抢修超过 24 小时，造成大面积停热和一人重伤"
DRILL_TOPICS = (
    "换热站停电应急演练",
    "管网爆管抢修演练",
    "极寒天气保供演练",
    "消防应急演练",
)
TRAINING_TOPICS = (
    "安全生产培训",
    "司炉工持证培训",
    "客服服务规范培训",
    "特种设备操作培训",
)


@dataclass(frozen=True)
class SeasonWindow:
    """One county's heating season and its indoor-temperature threshold."""

    start: date
    end: date
    threshold: Decimal

    def day(self, rng: random.Random) -> date:
        """Draw a day of the season."""
        return self.start + timedelta(
            days=rng.randrange((self.end - self.start).days + 1)
        )


def household_code(index: int) -> str:
    """Return household `index` as 小区-楼-单元-室, e.g. 03-12-2-0501."""
    community, rest = divmod(index, 600)
    building, rest = divmod(rest, 36)
    unit, rest = divmod(rest, 12)
    floor, door = divmod(rest, 2)
    return f"{community + 1:02d}-{building + 1}-{unit + 1}-{floor + 1}{door + 1:02d}"


def _flags(count: int, chosen: int, rng: random.Random) -> list[bool]:
    """Return `count` flags of which exactly `chosen` are true, in random order."""
    flags = [True] * chosen + [False] * (count - chosen)
    rng.shuffle(flags)
    return flags


def complaint_rows(
    plan: Plan, window: SeasonWindow, rng: random.Random, ticket_of: TicketBook
) -> list[dict[str, str]]:
    """Return the complaint ledger; valid hotline complaints get ticket numbers."""
    rows: list[dict[str, str]] = []
    valid = plan.valid
    on_time = _flags(valid, plan.on_time, rng)
    unclosed = _flags(valid, plan.unclosed, rng)
    repeats = _flags(valid, plan.repeats, rng)
    closed_indexes = [i for i in range(valid) if not unclosed[i]]
    rng.shuffle(closed_indexes)
    called = set(closed_indexes[: plan.callbacks])
    satisfied = set(rng.sample(sorted(called), plan.satisfied))

    for index in range(valid):
        received = window.day(rng)
        closed = "" if unclosed[index] else str(_closed_on(received, window, rng))
        callback = ""
        if index in called:
            callback = YES if index in satisfied else NO
        rows.append(
            {
                "received_on": str(received),
                "household": household_code(rng.randrange(plan.households)),
                "category": rng.choice(COMPLAINT_CATEGORIES),
                "valid": YES,
                "caused_by_household": NO,
                "responded_on_time": YES if on_time[index] else NO,
                "closed_on": closed,
                "callback_satisfied": callback,
                "repeat": YES if repeats[index] else NO,
                "hotline_ticket": "",
            }
        )

    for _ in range(plan.own_cause):
        received = window.day(rng)
        rows.append(
            _filler(
                received, rng.choice(OWN_CAUSE_CATEGORIES), YES, YES, plan, rng, window
            )
        )
    for _ in range(plan.invalid):
        received = window.day(rng)
        rows.append(
            _filler(
                received, rng.choice(COMPLAINT_CATEGORIES), NO, NO, plan, rng, window
            )
        )

    rows.sort(key=lambda row: (row["received_on"], row["household"]))
    for row in rows:
        # About a quarter of complaints reach the enterprise through the 12345 hotline.
        if rng.random() < 0.25:
            row["hotline_ticket"] = ticket_of.issue(
                date.fromisoformat(row["received_on"])
            )
    for number, row in enumerate(rows, start=1):
        row["id"] = f"TS{window.start.year}-{number:04d}"
    return rows


def _closed_on(received: date, window: SeasonWindow, rng: random.Random) -> date:
    return min(
        received + timedelta(days=rng.randint(0, 5)), window.end + timedelta(days=5)
    )


def _filler(
    received: date,
    category: str,
    valid: str,
    own_cause: str,
    plan: Plan,
    rng: random.Random,
    window: SeasonWindow,
) -> dict[str, str]:
    return {
        "received_on": str(received),
        "household": household_code(rng.randrange(plan.households)),
        "category": category,
        "valid": valid,
        "caused_by_household": own_cause,
        "responded_on_time": YES,
        "closed_on": str(_closed_on(received, window, rng)),
        "callback_satisfied": "",
        "repeat": NO,
        "hotline_ticket": "",
    }


class TicketBook:
    """Issues the county's 12345 hotline ticket numbers, unique and dated."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def issue(self, day: date) -> str:
        """Return a new ticket number of `day`, such as 12345-20251104-0137."""
        while True:
            ticket = f"12345-{day:%Y%m%d}-{self._rng.randint(1, 9999):04d}"
            if ticket not in self._used:
                self._used.add(ticket)
                return ticket


POWER_CUT_START = datetime.combine(date(2026, 1, 14), time(18))


def outage_rows(
    plan: Plan, window: SeasonWindow, rng: random.Random, *, power_cut: bool = False
) -> list[dict[str, str]]:
    """Return unplanned outages of 8-24 h and over 24 h, plus short and planned ones.

    `power_cut` adds the 5-hour outage of 14 January 2026 that a rejected objection
    in the scenario is about.
    """
    spans: list[tuple[float, bool]] = []
    spans += [(rng.uniform(9, 20), False) for _ in range(plan.outages_8h)]
    spans += [(rng.uniform(26, 60), False) for _ in range(plan.outages_24h)]
    spans += [(rng.uniform(1, 6.5), False) for _ in range(rng.randint(0, 3))]
    spans += [(rng.uniform(6, 30), True) for _ in range(rng.randint(0, 2))]
    rows = []
    for hours, planned in spans:
        started = datetime.combine(
            window.day(rng), time(rng.randint(0, 23), rng.choice((0, 30)))
        )
        ended = started + timedelta(minutes=round(hours * 60 / 10) * 10)
        cause = rng.choice(PLANNED_CAUSES if planned else UNPLANNED_CAUSES)
        rows.append(
            {
                "started_at": started.strftime("%Y-%m-%d %H:%M"),
                "ended_at": ended.strftime("%Y-%m-%d %H:%M"),
                "households_affected": str(
                    rng.randint(20, max(21, plan.households // 4))
                ),
                "planned": YES if planned else NO,
                "cause": cause,
            }
        )
    if power_cut:
        rows.append(
            {
                "started_at": POWER_CUT_START.strftime("%Y-%m-%d %H:%M"),
                "ended_at": (POWER_CUT_START + timedelta(hours=5)).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "households_affected": str(min(plan.households, 1460)),
                "planned": NO,
                "cause": "外部电网停电",
            }
        )
    rows.sort(key=lambda row: row["started_at"])
    for number, row in enumerate(rows, start=1):
        row["id"] = f"TR-{number:03d}"
    return rows


def incident_rows(
    plan: Plan, window: SeasonWindow, rng: random.Random
) -> list[dict[str, str]]:
    """Return the safety incidents: minor ones, then any major accident."""
    rows = []
    for _ in range(plan.incidents):
        level, text = rng.choice(INCIDENT_TEXTS)
        rows.append(
            {"occurred_on": str(window.day(rng)), "level": level, "description": text}
        )
    for _ in range(plan.major_accidents):
        rows.append(
            {
                "occurred_on": str(window.day(rng)),
                "level": "重大",
                "description": MAJOR_INCIDENT,
            }
        )
    rows.sort(key=lambda row: row["occurred_on"])
    for number, row in enumerate(rows, start=1):
        row["id"] = f"SG-{number:03d}"
    return rows


def event_rows(
    count: int,
    topics: tuple[str, ...],
    prefix: str,
    window: SeasonWindow,
    rng: random.Random,
) -> list[dict[str, str]]:
    """Return drills or trainings: date, topic and participants."""
    rows = [
        {
            "held_on": str(window.day(rng)),
            "topic": rng.choice(topics),
            "participants": str(rng.randint(12, 60)),
        }
        for _ in range(count)
    ]
    rows.sort(key=lambda row: row["held_on"])
    for number, row in enumerate(rows, start=1):
        row["id"] = f"{prefix}-{number:02d}"
    return rows


def spot_check_rows(
    plan: Plan, window: SeasonWindow, rng: random.Random
) -> list[dict[str, str]]:
    """Return the enterprise's own room-temperature spot checks."""
    count = rng.randint(8, 30)
    failing_share = plan.below_threshold / max(plan.readings, 1)
    limit = int(window.threshold * 10)
    rows = []
    for number in range(1, count + 1):
        if rng.random() < failing_share:
            tenths = rng.randint(limit - 30, limit - 1)
        else:
            tenths = rng.randint(limit, limit + 55)
        rows.append(
            {
                "id": f"CC-{number:03d}",
                "checked_on": str(window.day(rng)),
                "household": household_code(rng.randrange(plan.households)),
                "temperature": f"{tenths / 10:.1f}",
            }
        )
    rows.sort(key=lambda row: (row["checked_on"], row["id"]))
    return rows


def readings_csv(
    plan: Plan, window: SeasonWindow, rng: random.Random, chinese_headers: bool
) -> bytes:
    """Return the platform export as CSV bytes, one block of readings per device.

    Each measured household has one device that reports `readings_per_household`
    times, evenly over the season. Exactly `plan.below_threshold` readings are
    under the county threshold; the others are at or above it, some exactly on it.
    """
    per_household = plan.readings_per_household
    total = plan.readings
    below = set(rng.sample(range(total), plan.below_threshold))
    limit = int(window.threshold * 10)
    households = sorted(rng.sample(range(plan.households), plan.measured))
    first_device = rng.randint(10**9, 9 * 10**9)
    vendor = rng.choice(("HT", "ZK", "RW", "WK"))
    season_minutes = ((window.end - window.start).days + 1) * 24 * 60
    step = season_minutes / per_household
    start = datetime.combine(window.start, time(0))

    header = (
        "设备编号,户号,时间,室温"
        if chinese_headers
        else "device_id,household,timestamp,temperature"
    )
    lines = [header]
    reading = 0
    for position, household in enumerate(households):
        device = f"{vendor}{first_device + position}"
        code = household_code(household)
        # Devices report at staggered minutes, always before the next slot starts,
        # so the last reading still falls inside the season.
        offset = position % min(240, int(step))
        # A room drifts slowly: a random walk around the household's usual level.
        level = rng.randint(limit + 8, limit + 35)
        for index in range(per_household):
            moment = start + timedelta(minutes=int(step * index) // 60 * 60 + offset)
            level = min(max(level + rng.randint(-3, 3), limit + 2), limit + 45)
            if reading in below:
                tenths = rng.randint(limit - 40, limit - 1)
            else:
                tenths = level
            lines.append(
                f"{device},{code},{moment:%Y-%m-%dT%H:%M:%S},{tenths / 10:.1f}"
            )
            reading += 1
    return ("\n".join(lines) + "\n").encode("utf-8")
