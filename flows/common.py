"""Parts every stage flow shares: run names, the counties due, and loud failure."""

from __future__ import annotations

from datetime import date
from typing import Any

from cycle.advance import due_counties
from cycle.errors import StageIncompleteError
from cycle.notify import notify
from cycle.setup import get_cycle, get_season
from cycle.stages import StageFlow
from storage.base import utcnow
from storage.db import session_scope
from storage.utcclock import local_date
from tasks.runtime import is_direct, stage_logger


def stage_run_name() -> str:
    """Name a stage flow run "<stage> <season> <county or all counties> <day>"."""
    from prefect.runtime import flow_run

    params = flow_run.parameters
    county = params.get("county") or "all counties"
    today = params.get("today") or ""
    return f"{flow_run.flow_name} {params['season']} {county} {today}".strip()


def today_or_now(today: date | None) -> date:
    """Return the simulated day if given, else today's date in Asia/Shanghai."""
    return today or local_date(utcnow())


def counties_for(
    stage: StageFlow, season: str, county: str | None, today: date
) -> list[str]:
    """Return the counties `stage` runs for: those due, or the one asked for if due.

    An admin's re-run of a stage for one county runs only when the stage is due
    for it, so a re-run of a finished stage, or of one whose waiting period is
    not over, changes nothing.
    """
    with session_scope() as session:
        season_row = get_season(session, season)
        if county is not None:
            # An unknown code from a run form fails the run instead of doing nothing.
            get_cycle(session, season_row, county)
        due = due_counties(session, season_row, stage, today)
    if county is not None:
        return [county] if county in due else []
    return due


def outcome_of(call: Any) -> tuple[Any, BaseException | None]:
    """Run a step, returning its result or the exception that ended it."""
    try:
        return call(), None
    except Exception as error:
        return None, error


def fail_loudly(
    stage: StageFlow, season: str, problems: dict[str, list[str]], today: date
) -> None:
    """End the stage Failed naming every enterprise left unprocessed; tell operators.

    Called after every county was processed, so one county's problem never keeps
    the others from moving on.
    """
    problems = {county: items for county, items in problems.items() if items}
    if not problems:
        return
    errors = [
        StageIncompleteError(stage.value, c, items) for c, items in problems.items()
    ]
    run_name = f"{stage.value} {season} {today}"
    if not is_direct():
        from prefect.runtime import flow_run

        run_name = flow_run.name or run_name
    with session_scope() as session:
        for error in errors:
            stage_logger().error("%s", error)
            notify(
                session,
                "run_failed",
                season=season,
                county=error.county,
                event_key=f"{stage.value}:{error.county}:{today}:{len(error.problems)}",
                context={
                    "stage": stage.value,
                    "run_name": run_name,
                    "error": str(error),
                    "occurred_at": utcnow(),
                },
            )
    if len(errors) == 1:
        raise errors[0]
    # One error covers every county, and each problem already names its enterprise.
    raise StageIncompleteError(
        stage.value,
        ", ".join(problems),
        [item for items in problems.values() for item in items],
    )
