"""The sample season's script, read for the demo and the end-to-end tests.

Submissions arrive on fixed days. Decisions are anchored to events whose dates
the product decides (a publicity window opening, a report reaching the city), so
each event's day is resolved against the database on the day it may fall.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from cycle.setup import get_cycle
from storage.models import (
    Enterprise,
    Escalation,
    PublicityWindow,
    RectificationOrder,
    Season,
)

SAMPLE_SEASON = "2025-2026"


def load_scenario(folder: Path) -> dict[str, Any]:
    """Read `scenario.yaml` of a sample season folder."""
    path = folder / "scenario.yaml"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found; generate it with `python -m samples.generate`"
        )
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def arrivals_on(scenario: dict[str, Any], day: date) -> list[tuple[dict, dict]]:
    """(enterprise, package) pairs whose package arrives on `day`."""
    found = []
    for enterprise in scenario["enterprises"]:
        for package in enterprise["packages"]:
            if _as_date(package["arrives"]) == day:
                found.append((enterprise, package))
    return found


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def anchor_day(session: Session, season: Season, event: dict[str, Any]) -> date | None:
    """Return the day a scripted event happens, or None before its anchor occurs."""
    when = event["when"]
    anchor, days = when["anchor"], int(when.get("days", 0))
    cycle = get_cycle(session, season, event["county"])
    base: date | None = None
    if anchor == "intake_deadline":
        base = cycle.intake_deadline
    elif anchor in ("publicity_opened", "publicity_closed"):
        window = session.scalar(
            select(PublicityWindow).where(
                PublicityWindow.cycle_id == cycle.id,
                PublicityWindow.round == int(when.get("round", 1)),
            )
        )
        if window is not None:
            base = window.opens_on if anchor == "publicity_opened" else window.closes_on
    elif anchor == "escalated":
        escalation = session.scalar(
            select(Escalation).where(
                Escalation.cycle_id == cycle.id,
                Escalation.attempt == int(when.get("attempt", 1)),
            )
        )
        base = escalation.submitted_on if escalation is not None else None
    elif anchor == "returned":
        escalation = session.scalar(
            select(Escalation).where(
                Escalation.cycle_id == cycle.id, Escalation.status == "returned"
            )
        )
        base = escalation.decided_on if escalation is not None else None
    elif anchor == "rectification_deadline":
        order = session.scalar(
            select(RectificationOrder)
            .join(Enterprise, Enterprise.id == RectificationOrder.enterprise_id)
            .where(
                RectificationOrder.season_id == season.id,
                Enterprise.credit_code == event["enterprise"],
            )
        )
        base = order.deadline if order is not None else None
    else:
        raise ValueError(f"event {event.get('id')}: unknown anchor {anchor!r}")
    return None if base is None else base + timedelta(days=days)
