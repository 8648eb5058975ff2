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

from cycle import (
    checking,
    documents,
    final,
    intake_stage,
    objections,
    publicity,
    reporting,
)
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
            if isinstance(report, dict):
                return report
            if hasattr(report, "__dataclass_fields__"):
                return asdict(report)
            return {"county": county, "notices": report}

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
        s, season, cycle, today, None
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
finish_checking = _county_step("finish-checking", checking.finish_checking)
render_final = _county_step("render-final", documents.render_final)
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


@task(
    name="check-enterprise",
    task_run_name="check {season} {county} {credit_code}",
    **STEP_OPTIONS,
)
def check_enterprise(
    season: str, county: str, credit_code: str, today: date
) -> dict[str, Any]:
    """Re-check one enterprise's latest package against the whole season."""
    with session_scope() as session:
        season_row = get_season(session, season)
        enterprise = find_enterprise(session, credit_code)
        report = checking.check_enterprise(session, season_row, enterprise, today)
        return asdict(report)


@task(name="prepare-season", task_run_name="prepare-season {season}", **STEP_OPTIONS)
def prepare_season(season: str) -> dict[str, Any]:
    """Create the season, its county dates and county cycles, once."""
    from cycle.scoring import rulebook
    from cycle.setup import ensure_season

    with session_scope() as session:
        row = ensure_season(session, season, rulebook().version)
        return {"season": row.label, "id": row.id}


@task(name="send-notices", task_run_name="send-notices {season}", **STEP_OPTIONS)
def send_notices(season: str) -> dict[str, Any]:
    """Send every due notice in the outbox over one SMTP connection."""
    from heateval.settings import get_settings
    from notifications.drain import drain_outbox
    from storage.db import get_engine

    report = drain_outbox(get_engine(), get_settings())
    return report.model_dump(mode="json", include={"sent", "deferred", "failed"})


@task(name="publish-city", task_run_name="publish-city {season}", **STEP_OPTIONS)
def publish_city(season: str, today: date) -> dict[str, Any]:
    """Publish the city-wide announcement once every county is published."""
    with session_scope() as session:
        return documents.publish_city(session, get_season(session, season), today)
