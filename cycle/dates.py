"""Dates that people give with their decisions, checked against the calendar."""

from __future__ import annotations

from datetime import date

from cycle.errors import CycleError
from storage.utcclock import local_today


def not_in_future(day: date, label: str) -> date:
    """Return `day`, or raise when it is after today in Asia/Shanghai.

    A filing, verdict, check or review is recorded on or after the day it
    happened, never ahead of it.
    """
    today = local_today()
    if day > today:
        raise CycleError(
            f"{label} {day} is after today ({today}); give the day it happened"
        )
    return day
