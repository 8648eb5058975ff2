"""One flow per stage of the procedure; each is also a deployment for admins.

Every flow takes the season, optionally one county (default: every county the
stage is due for) and optionally the day to act as (default: today in
Asia/Shanghai). Re-running a finished stage changes nothing and sends nothing.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from prefect import flow

from cycle.stages import StageFlow
from flows.common import (
    counties_for,
    fail_loudly,
    outcome_of,
    stage_run_name,
    today_or_now,
)
from tasks import steps
from tasks.plans import enterprises_to_check, enterprises_to_score, rescores_due
from tasks.runtime import (
    Progress,
    artifact_key,
    describe_error,
    run_step,
    stage_logger,
    table_artifact,
)

Result = dict[str, Any]


def _county_steps(
    stage: StageFlow, step: Any, season: str, county: str | None, today: date | None
) -> Result:
    """Run one county-level step for each county due; report their outcomes."""
    today = today_or_now(today)
    results: Result = {}
    counties = counties_for(stage, season, county, today)
    stage_logger().info(
        "%s %s %s: %d counties due", stage, season, today, len(counties)
    )
    for code in counties:
        results[code] = run_step(step, season, code, today)
    if results:
        table_artifact(
            artifact_key(stage, season, today.isoformat()),
            [{"county": code} | _flat(result) for code, result in results.items()],
            f"{stage} on {today} for season {season}",
        )
    return results


def _flat(result: Any) -> dict[str, Any]:
    """Build one artifact table row: lists joined, dates and other values as text."""
    if not isinstance(result, dict):
        return {"result": str(result)}
    row: dict[str, Any] = {}
    for key, value in result.items():
        if key == "county":
            continue
        if isinstance(value, list):
            row[key] = ", ".join(map(str, value))
        elif value is None or isinstance(value, (bool, int, float, str)):
            row[key] = value
        else:
            row[key] = str(value)
    return row


@flow(name=StageFlow.OPEN_INTAKE.value, flow_run_name=stage_run_name)
def open_intake(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Open intake in every county whose heating season has ended."""
    return _county_steps(
        StageFlow.OPEN_INTAKE, steps.open_intake, season, county, today
    )


@flow(name=StageFlow.INTAKE_SWEEP.value, flow_run_name=stage_run_name)
def intake_sweep(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Remind enterprises that have not submitted; close intake after the deadline."""
    return _county_steps(
        StageFlow.INTAKE_SWEEP, steps.sweep_intake, season, county, today
    )


@flow(name=StageFlow.EVIDENCE_CHECKS.value, flow_run_name=stage_run_name)
def evidence_checks(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Check every enterprise's latest package; store defects and verified figures."""
    today = today_or_now(today)
    results: Result = {}
    problems: dict[str, list[str]] = {}
    for code in counties_for(StageFlow.EVIDENCE_CHECKS, season, county, today):
        # Check each enterprise whose latest package is not yet checked.
        plan = enterprises_to_check(season, code)
        progress = Progress(
            artifact_key("checks", season, code),
            len(plan),
            f"evidence checks {season} {code}",
        )
        failures = []
        checked = []
        for credit_code in plan:
            result, error = outcome_of(
                partial(
                    run_step, steps.check_enterprise, season, code, credit_code, today
                )
            )
            progress.step()
            if error is not None:
                failures.append(f"{credit_code}: {describe_error(error)}")
            else:
                checked.append(result)
        table_artifact(
            artifact_key("defects", season, code, today.isoformat()),
            [_flat(r) for r in checked],
            f"defects per enterprise, {code}",
        )
        # Close the stage when every registered enterprise has checked figures.
        summary = run_step(steps.finish_checking, season, code, today)
        results[code] = summary
        missing = [f"{c}: no accepted package yet" for c in summary.get("missing", [])]
        problems[code] = failures + missing
    fail_loudly(StageFlow.EVIDENCE_CHECKS, season, problems, today)
    return results


@flow(name=StageFlow.SCORING.value, flow_run_name=stage_run_name)
def scoring(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Score every enterprise of the counties due (or those the city sent back)."""
    today = today_or_now(today)
    results: Result = {}
    problems: dict[str, list[str]] = {}
    for code in counties_for(StageFlow.SCORING, season, county, today):
        # Score each enterprise; unchanged results add no new sheet version.
        plan, reason = enterprises_to_score(season, code)
        progress = Progress(
            artifact_key("scoring", season, code), len(plan), f"scoring {season} {code}"
        )
        failures, sheets = [], []
        for credit_code in plan:
            result, error = outcome_of(
                partial(run_step, steps.score, season, code, credit_code, reason)
            )
            progress.step()
            if error is not None:
                failures.append(f"{credit_code}: {describe_error(error)}")
            else:
                sheets.append(result)
        table_artifact(
            artifact_key("scores", season, code, today.isoformat()),
            sheets,
            f"score table {season} {code}",
        )
        # Move on once every enterprise has a sheet.
        results[code] = run_step(steps.finish_scoring, season, code, today)
        problems[code] = failures
    fail_loudly(StageFlow.SCORING, season, problems, today)
    return results


@flow(name=StageFlow.OPEN_PUBLICITY.value, flow_run_name=stage_run_name)
def open_publicity(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """After the committee's review, publicise the results for at least 7 days."""
    today = today_or_now(today)
    results: Result = {}
    problems: dict[str, list[str]] = {}
    for code in counties_for(StageFlow.OPEN_PUBLICITY, season, county, today):
        # Score again, so adjustments and corrections from the review count.
        failures = []
        for credit_code in enterprises_to_score(season, code, everyone=True)[0]:
            _, error = outcome_of(
                partial(run_step, steps.score, season, code, credit_code, "committee")
            )
            if error is not None:
                failures.append(f"{credit_code}: {describe_error(error)}")
        problems[code] = failures
        if failures:
            continue
        # Open round 1 with every enterprise's sheet.
        results[code] = run_step(steps.open_publicity, season, code, today)
    fail_loudly(StageFlow.OPEN_PUBLICITY, season, problems, today)
    return results


@flow(name=StageFlow.CLOSE_PUBLICITY.value, flow_run_name=stage_run_name)
def close_publicity(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Close expired publicity windows; an expired window is a normal transition."""
    return _county_steps(
        StageFlow.CLOSE_PUBLICITY, steps.close_publicity, season, county, today
    )


@flow(name=StageFlow.OBJECTIONS.value, flow_run_name=stage_run_name)
def objections(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Re-score what objections and appeals upheld; move on when all are decided."""
    today = today_or_now(today)
    results: Result = {}
    problems: dict[str, list[str]] = {}
    for code in counties_for(StageFlow.OBJECTIONS, season, county, today):
        # Re-score each upheld objection once; its verdict notice carries the result.
        failures = []
        for reference in rescores_due(season, code):
            _, error = outcome_of(
                partial(run_step, steps.rescore_objection, season, code, reference)
            )
            if error is not None:
                failures.append(f"{reference}: {describe_error(error)}")
        # Go on to re-publicity or reporting once no verdict is outstanding.
        results[code] = run_step(steps.settle_objections, season, code, today)
        problems[code] = failures
    fail_loudly(StageFlow.OBJECTIONS, season, problems, today)
    return results


@flow(name=StageFlow.REPUBLICITY.value, flow_run_name=stage_run_name)
def republicity(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Publicise changed results again, for at least the legal number of days."""
    return _county_steps(
        StageFlow.REPUBLICITY, steps.open_republicity, season, county, today
    )


@flow(name=StageFlow.ESCALATION.value, flow_run_name=stage_run_name)
def escalation(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Report finished counties to the city; remind and flag those not yet reported."""
    today = today_or_now(today)
    results: Result = {}
    problems: dict[str, list[str]] = {}
    for code in counties_for(StageFlow.ESCALATION, season, county, today):
        reminders = run_step(steps.watch_report_due, season, code, today)
        report = run_step(steps.submit_report, season, code, today)
        results[code] = report | {"reminders": reminders.get("notices", 0)}
        problems[code] = [f"{c}: not scored" for c in report.get("unscored", [])]
    table_artifact(
        artifact_key("county-report-status", season, today.isoformat()),
        [{"county": c} | _flat(r) for c, r in results.items()],
        f"county report status {season} on {today}",
    )
    fail_loudly(StageFlow.ESCALATION, season, problems, today)
    return results


@flow(name=StageFlow.CITY_REVIEW.value, flow_run_name=stage_run_name)
def city_review(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Act on the city's recorded review: confirm, or send enterprises back."""
    return _county_steps(
        StageFlow.CITY_REVIEW, steps.apply_city_review, season, county, today
    )


@flow(name=StageFlow.FINAL_PUBLICATION.value, flow_run_name=stage_run_name)
def final_publication(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Publish final results to the credit archive and open follow-up by grade."""
    today = today_or_now(today)
    results: Result = {}
    problems: dict[str, list[str]] = {}
    for code in counties_for(StageFlow.FINAL_PUBLICATION, season, county, today):
        # Publish each enterprise once: credit record, follow-ups, notices.
        failures = []
        for credit_code in enterprises_to_score(season, code, everyone=True)[0]:
            _, error = outcome_of(
                partial(
                    run_step, steps.publish_enterprise, season, code, credit_code, today
                )
            )
            if error is not None:
                failures.append(f"{credit_code}: {describe_error(error)}")
        # Render the county's announcement, then close publication for the county.
        run_step(steps.render_final, season, code, today)
        results[code] = run_step(steps.finish_publication, season, code, today)
        unpublished = [f"{c}: not published" for c in results[code].get("failed", [])]
        problems[code] = failures + unpublished
    # Once every county is published: the city-wide announcement.
    results["city"] = run_step(steps.publish_city, season, today)
    fail_loudly(StageFlow.FINAL_PUBLICATION, season, problems, today)
    return results


@flow(name=StageFlow.RECTIFICATION.value, flow_run_name=stage_run_name)
def rectification_follow_up(
    season: str, county: str | None = None, today: date | None = None
) -> Result:
    """Remind before rectification deadlines; act on orders left open past them."""
    return _county_steps(
        StageFlow.RECTIFICATION, steps.follow_up_orders, season, county, today
    )


STAGE_FLOWS = {
    StageFlow.OPEN_INTAKE: open_intake,
    StageFlow.INTAKE_SWEEP: intake_sweep,
    StageFlow.EVIDENCE_CHECKS: evidence_checks,
    StageFlow.SCORING: scoring,
    StageFlow.OPEN_PUBLICITY: open_publicity,
    StageFlow.CLOSE_PUBLICITY: close_publicity,
    StageFlow.OBJECTIONS: objections,
    StageFlow.REPUBLICITY: republicity,
    StageFlow.ESCALATION: escalation,
    StageFlow.CITY_REVIEW: city_review,
    StageFlow.FINAL_PUBLICATION: final_publication,
    StageFlow.RECTIFICATION: rectification_follow_up,
}
