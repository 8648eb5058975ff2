"""The daily cycle flow: advance every county as far as the date and decisions allow."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from cycle.advance import ORDER, due_stages
from cycle.errors import CycleDayError
from cycle.setup import get_season
from flows.common import today_or_now
from flows.stages import STAGE_FLOWS
from storage.db import session_scope
from tasks import steps
from tasks.runtime import markdown_artifact, run_step, stage_logger

MAX_PASSES = 4


def cycle_run_name() -> str:
    """Name a cycle run "evaluation-cycle <season> <day>"."""
    from prefect.runtime import flow_run

    params = flow_run.parameters
    return f"evaluation-cycle {params['season']} {params.get('today') or ''}".strip()


def _due(season: str, today: date) -> dict[str, list[str]]:
    with session_scope() as session:
        due = due_stages(session, get_season(session, season), today)
        return {stage.value: counties for stage, counties in due.items()}


def _run_stage(stage_flow: Any, season: str, today: date) -> tuple[bool, str | None]:
    """Run a due stage's body inside the cycle run; return (ok, error).

    The body runs as part of this flow run, and its steps as this run's task runs.
    It is not a subflow, because a synchronous subflow costs Prefect 3.9.1 about a
    second to stop its heartbeat thread, and a day can run several stages. The
    same stage runs as a flow run of its own when an admin starts its deployment.
    """
    try:
        stage_flow.fn(season=season, today=today)
    except Exception as error:
        return False, str(error)
    return True, None


@flow(name="evaluation-cycle", flow_run_name=cycle_run_name)
def evaluation_cycle(season: str, today: date | None = None) -> dict[str, Any]:
    """Run every stage that is due today, in the order of the procedure."""
    today = today_or_now(today)
    logger = stage_logger()

    # Make sure the season, its county dates and the county cycles exist.
    run_step(steps.prepare_season, season)

    # Run each stage that is due; a stage can make the next one due the same day.
    ran: list[str] = []
    failed: dict[str, str] = {}
    # A stage that stays due for the same counties after running (a reminder
    # stage on a day with open orders) has done its day's work: it is not run
    # again on the next pass.
    done_for: dict[str, list[str]] = {}
    for _ in range(MAX_PASSES):
        due = _due(season, today)
        due = {
            stage: counties
            for stage, counties in due.items()
            if stage not in failed and done_for.get(stage) != counties
        }
        if not due:
            break
        for stage in ORDER:
            if stage.value not in due:
                continue
            logger.info("%s %s: %s due for %s", season, today, stage, due[stage.value])
            ok, error = _run_stage(STAGE_FLOWS[stage], season, today)
            ran.append(stage.value)
            done_for[stage.value] = due[stage.value]
            if not ok:
                failed[stage.value] = error or "failed"

    # Send what the stages queued.
    sent = run_step(steps.send_notices, season)

    summary = {"today": today.isoformat(), "ran": ran, "failed": failed, "mail": sent}
    markdown_artifact(
        f"cycle-{season}-{today.isoformat()}",
        "\n".join(
            [
                f"# Cycle {season} on {today}",
                "",
                f"Stages run: {', '.join(ran) or 'none'}",
            ]
            + [f"- **{stage} failed**: {error}" for stage, error in failed.items()]
        ),
        f"cycle {season} {today}",
    )
    if failed:
        raise CycleDayError(season, today, failed)
    return summary
