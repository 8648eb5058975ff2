"""The cycle's steps as Prefect tasks: each opens its own transaction, is idempotent,
and returns a small dict for logs and artifacts.

Run names read as "score 2025-2026 150402 91150402MA0N000001", so the UI list says
which season, county and enterprise a run is about.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from prefect import task

from cycle import final, intake_stage, objections, publicity, reporting
from cycle.objections import find_enterprise
from cycle.scoring import finish_scoring as finish_scoring_step
from cycle.scoring import score_enterprise
from cycle.setup import get_cycle, get_season
from storage.db import session_scope
from tasks.runtime import STEP_OPTIONS


def _county_step(name: str, step: Any) -> Any:
    """Wrap a county-level step function `step(session, season, cycle, today)`."""

    def body(season: str, county: str, today: date) -> dict[str, Any]:
        with session_scope() as session:
            season_row = get_season(session, season)
            cycle = get_cycle(session, season_row, county)
            report = step(session, season_row, cycle, today)
            return (
                asdict(report)
                if hasattr(report, "__dataclass_fields__")
                else {
                    "county": county,
                    "notices": report,
                }
            )

    body.__name__ = name.replace("-", "_")
    body.__doc__ = f"Run the {name} step for one county."
    return task(
        name=name,
        task_run_name=f"{name} {{season}} {{county}}",
        **STEP_OPTIONS,
    )(body)


open_intake = _county_step("open-intake", intake_stage.open_intake)
sweep_intake = _county_step("sweep-intake", intake_stage.sweep_intake)
open_publicity = _county_step(
    "open-publicity",
    lambda s, season, cycle, today: publicity.open_window(
        s, season, cycle, today, "initial"
    ),
)
open_republicity = _county_step(
    "open-republicity",
    lambda s, season, cycle, today: publicity.open_window(
        s, season, cycle, today, "changed"
    ),
)
close_publicity = _county_step("close-publicity", publicity.close_window)
settle_objections = _county_step(
    "settle-objections",
    lambda s, season, cycle, today: objections.settle_objections(
        s, season, cycle.county_code, today
    ),
)
submit_report = _county_step("submit-report", reporting.submit_report)
watch_report_due = _county_step("watch-report-due", reporting.watch_report_due)
apply_city_review = _county_step("apply-city-review", reporting.apply_city_review)
finish_publication = _county_step("finish-publication", final.finish_publication)
finish_scoring = _county_step("finish-scoring", finish_scoring_step)
follow_up_orders = _county_step("follow-up-orders", final.follow_up_orders)


@task(
    name="score", task_run_name="score {season} {county} {credit_code}", **STEP_OPTIONS
)
def score(season: str, county: str, credit_code: str, reason: str) -> dict[str, Any]:
    """Score one enterprise; a new sheet version only when the result changed."""
    with session_scope() as session:
        season_row = get_season(session, season)
        enterprise = find_enterprise(session, credit_code)
        outcome = score_enterprise(session, season_row, enterprise, reason=reason)
        return asdict(outcome) | {"credit_code": credit_code}


@task(
    name="rescore-objection",
    task_run_name="rescore {season} {county} {reference}",
    **STEP_OPTIONS,
)
def rescore_objection(season: str, county: str, reference: str) -> str | None:
    """Re-score the enterprise of one upheld objection or appeal, once."""
    from sqlalchemy import select

    from storage.models import Objection

    with session_scope() as session:
        season_row = get_season(session, season)
        objection = session.scalar(
            select(Objection).where(Objection.reference == reference)
        )
        return objections.rescore_upheld(session, season_row, objection)


@task(
    name="publish-enterprise",
    task_run_name="publish {season} {county} {credit_code}",
    **STEP_OPTIONS,
)
def publish_enterprise(
    season: str, county: str, credit_code: str, today: date
) -> list[str]:
    """Write one enterprise's credit record and open its follow-up, once."""
    with session_scope() as session:
        season_row = get_season(session, season)
        enterprise = find_enterprise(session, credit_code)
        return final.publish_enterprise(session, season_row, enterprise, today)
