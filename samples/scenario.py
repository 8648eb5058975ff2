"""The script of the sample season: people, arrival days and the human decisions.

`scenario.yaml` is what the demo and the end-to-end tests follow. Submissions
arrive on absolute dates. A decision that depends on when the product opens a
publicity window or receives a county's report is anchored to that event with a
day offset (`when: {anchor: publicity_opened, round: 1, days: 2}`), because the
product decides those dates. `samples/README.md` documents every field.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from rules.legal_calendar import CountyCalendar, next_working_day
from samples import names
from samples.roster import Enterprise, Role

SCHEMA_VERSION = 1
COMMITTEE_TITLES = (
    "旗县区供热主管部门（主任委员）",
    "行政审批政务服务与数据管理局",
    "信访局",
    "供热专家",
    "热用户代表",
)
CITY_DOMAIN = "zjj.chifeng.example.cn"
SIMULATION_END = date(2026, 10, 31)


@dataclass(frozen=True)
class Arrival:
    """When one version of a package arrives, and whether it is after the deadline."""

    version: int
    day: date
    late: bool


def committee(
    rng: random.Random, calendars: list[CountyCalendar], taken: set[str]
) -> dict[str, list[dict[str, str]]]:
    """Return five committee members per county: name, e-mail and affiliation."""
    from rules.counties import county_by_code

    members: dict[str, list[dict[str, str]]] = {}
    for calendar in calendars:
        slug = county_by_code(calendar.county_code).slug
        people = names.unique_people(rng, len(COMMITTEE_TITLES), taken)
        members[calendar.county_code] = [
            {
                "name": p.name,
                "email": f"{p.handle}@{slug}.chifeng.example.cn",
                "title": title,
            }
            for p, title in zip(people, COMMITTEE_TITLES, strict=True)
        ]
    return members


def city_reviewers(rng: random.Random, taken: set[str]) -> list[dict[str, str]]:
    """Return the city bureau's three reviewers."""
    return [
        {"name": p.name, "email": f"{p.handle}@{CITY_DOMAIN}"}
        for p in names.unique_people(rng, 3, taken)
    ]


def _working_day(day: date) -> date:
    return next_working_day(day)


def arrivals(
    enterprise: Enterprise, calendar: CountyCalendar, rng: random.Random
) -> list[Arrival]:
    """Return the arrival of each package version of the enterprise.

    Most packages arrive on a working day within the 30-day intake period; a
    defective first version is followed within days by a corrected one. Late
    ones arrive after the deadline.
    """
    end, deadline = calendar.season_end, calendar.intake_deadline
    roles = enterprise.roles
    if Role.LATE_AFTER_REMINDERS in roles:
        return [Arrival(1, _working_day(deadline + timedelta(days=8)), True)]
    if Role.LATE in roles:
        return [Arrival(1, _working_day(deadline + timedelta(days=2)), True)]
    if Role.DEFECT_LATE_CORRECTION in roles:
        first = deadline - timedelta(days=4)
        while _working_day(first) != first:
            first -= timedelta(days=1)
        return [
            Arrival(1, first, False),
            Arrival(2, _working_day(deadline + timedelta(days=4)), True),
        ]
    if Role.EVIDENCE_OWNER in roles:
        # The certificate's owner sends early; the copy arrives later and is the
        # package in which intake finds a file another enterprise already sent.
        return [
            Arrival(1, _working_day(end + timedelta(days=rng.randint(4, 8))), False)
        ]
    if Role.FALSIFIER in roles:
        day = _working_day(end + timedelta(days=rng.randint(15, 22)))
        return [Arrival(1, min(day, deadline), False)]
    if roles & {r for r in Role if r.value.startswith("defect_")}:
        first = _working_day(end + timedelta(days=rng.randint(3, 12)))
        second = _working_day(first + timedelta(days=rng.randint(4, 9)))
        return [Arrival(1, first, False), Arrival(2, second, second > deadline)]
    day = _working_day(end + timedelta(days=rng.randint(4, 27)))
    while day > deadline:
        day -= timedelta(days=1)
    return [Arrival(1, day, False)]
