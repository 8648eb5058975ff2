"""`heateval status`, `cycle`, `people`, `enterprises` and the decision commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

cycle_app = typer.Typer(help="Advance the evaluation cycle.", no_args_is_help=True)
people_app = typer.Typer(
    help="Register who may record decisions.", no_args_is_help=True
)
enterprises_app = typer.Typer(help="The enterprise register.", no_args_is_help=True)
objection_app = typer.Typer(help="Objections and appeals.", no_args_is_help=True)
rectification_app = typer.Typer(help="Rectification orders.", no_args_is_help=True)

Season = Annotated[str, typer.Option("--season", help="Season label, e.g. 2025-2026.")]
Day = Annotated[
    str | None,
    typer.Option("--on", help="Date it happened, YYYY-MM-DD (default: today)."),
]
Member = Annotated[
    str, typer.Option("--member", help="Name of the committee member acting.")
]


def _day(value: str | None) -> date:
    from flows.common import today_or_now

    if value is None:
        return today_or_now(None)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-05-20") from None


def _decide(decide: Callable[[], Any]) -> None:
    """Record a decision and print its summary; print a refusal or bad input plainly."""
    from cycle.errors import CycleError, NotAuthorisedError

    try:
        result = decide()
    except NotAuthorisedError as error:
        typer.echo(f"refused: {error}", err=True)
        raise typer.Exit(3) from None
    except CycleError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    _print(result)


def _print(result: Any) -> None:
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))


def status(
    season: Season, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Show every county's stage and next deadline."""
    from cycle.errors import CycleError
    from cycle.status import season_status
    from storage.db import session_scope

    try:
        with session_scope() as session:
            rows = season_status(session, season)
    except CycleError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(
            json.dumps(
                [r.model_dump(mode="json") for r in rows], ensure_ascii=False, indent=2
            )
        )
        return
    typer.echo(f"{'county':<8}{'name':<10}{'stage':<13}{'since':<12}next deadline")
    for row in rows:
        passed = ", passed" if row.deadline_passed else ""
        deadline = (
            f"{row.next_deadline} ({row.next_deadline_is}{passed})"
            if row.next_deadline
            else "-"
        )
        name = row.name + "　" * (7 - len(row.name))
        typer.echo(f"{row.county:<8}{name}{row.stage:<13}{row.since!s:<12}{deadline}")


@cycle_app.command("advance")
def advance(
    season: Season,
    today: Annotated[
        str | None, typer.Option("--today", help="Act as on this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Run the daily cycle flow once: every stage that is due, in order."""
    from flows.cycle import evaluation_cycle
    from rules.seasons import load_season

    load_season(season)  # an unknown season is named before a flow run starts
    result = evaluation_cycle(season=season, today=_day(today))
    _print(result)


@cycle_app.command("stage")
def run_stage(
    name: Annotated[str, typer.Argument(help="Stage flow, e.g. scoring.")],
    season: Season,
    county: Annotated[str | None, typer.Option("--county")] = None,
    today: Annotated[str | None, typer.Option("--today")] = None,
) -> None:
    """Re-run one stage for one season (and county); a finished stage is a no-op."""
    from cycle.stages import StageFlow
    from flows.stages import STAGE_FLOWS

    try:
        stage = StageFlow(name)
    except ValueError:
        names = ", ".join(s.value for s in StageFlow)
        raise typer.BadParameter(f"unknown stage {name!r}; stages: {names}") from None
    _print(STAGE_FLOWS[stage](season=season, county=county, today=_day(today)))


@people_app.command("add")
def add_person(
    name: Annotated[str, typer.Option("--name")],
    role: Annotated[
        str, typer.Option("--role", help="committee, city_reviewer or operator")
    ],
    county: Annotated[str | None, typer.Option("--county")] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help="Address for notices; kept if omitted."),
    ] = None,
) -> None:
    """Register a committee member (per county), a city reviewer or an operator."""
    from cycle.errors import CycleError
    from cycle.setup import register_person
    from storage.db import session_scope

    changes: list[str] = []
    try:
        with session_scope() as session:
            person = register_person(
                session,
                name=name,
                role=role,
                county=county,
                email=email,
                changes=changes,
            )
            where = f" of county {person.county_code}" if person.county_code else ""
            typer.echo(f"registered {person.name} as {person.role}{where}")
            for change in changes:
                typer.echo(f"note: {change}")
    except CycleError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@enterprises_app.command("import")
def import_enterprises(
    path: Annotated[Path, typer.Argument(help="CSV or YAML register of enterprises.")],
) -> None:
    """Add or update enterprises from a register (credit_code, name, county, type,
    contact_name, contact_email, contact_phone)."""
    from cycle.errors import CycleError
    from cycle.register import read_register
    from cycle.setup import register_enterprise
    from storage.db import session_scope

    try:
        rows = read_register(path)
        # One transaction: a bad row leaves the register as it was.
        with session_scope() as session:
            for number, row in rows:
                try:
                    register_enterprise(session, **row)
                except CycleError as error:
                    raise CycleError(f"{path}: row {number}: {error}") from None
    except (CycleError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{len(rows)} enterprises registered from {path}")


@objection_app.command("file")
def file_objection(
    season: Season,
    enterprise: Annotated[str, typer.Option("--enterprise", help="Credit code.")],
    filed_by: Annotated[str, typer.Option("--by", help="Person or unit filing.")],
    contact: Annotated[str, typer.Option("--contact")],
    grounds: Annotated[str, typer.Option("--grounds")],
    kind: Annotated[
        str, typer.Option("--kind", help="objection or appeal")
    ] = "objection",
    on: Day = None,
) -> None:
    """Record a written objection (anyone) or an appeal (the enterprise itself)."""
    from cycle import actions

    _decide(
        lambda: actions.file_objection(
            season=season,
            credit_code=enterprise,
            kind=kind,
            filed_by=filed_by,
            contact=contact,
            grounds=grounds,
            filed_on=_day(on),
        )
    )


@objection_app.command("decide")
def decide_objection(
    reference: Annotated[str, typer.Argument()],
    verdict: Annotated[str, typer.Option("--verdict", help="upheld or rejected")],
    reason: Annotated[str, typer.Option("--reason")],
    member: Member,
    changes: Annotated[
        list[str] | None,
        typer.Option("--set", help="Judgement sub-item to set, e.g. C1.4=0.5."),
    ] = None,
    corrections: Annotated[
        list[str] | None,
        typer.Option(
            "--correct",
            help="Figure a computed sub-item comes from, e.g. satisfaction_rate=95%.",
        ),
    ] = None,
    on: Day = None,
) -> None:
    """Record the committee's verdict on an objection or appeal."""
    from cycle import actions

    _decide(
        lambda: actions.decide_objection(
            reference=reference,
            verdict=verdict,
            reason=reason,
            member=member,
            decided_on=_day(on),
            sub_items=changes,
            corrections=corrections,
        )
    )


def adjust(
    season: Season,
    enterprise: Annotated[str, typer.Option("--enterprise", help="Credit code.")],
    sub_item: Annotated[str, typer.Option("--sub-item")],
    points: Annotated[str, typer.Option("--points")],
    reason: Annotated[str, typer.Option("--reason")],
    member: Member,
) -> None:
    """Set a judgement-based sub-item within its bounds, with a reason."""
    from cycle import actions

    _decide(
        lambda: actions.adjust_sub_item(
            season=season,
            credit_code=enterprise,
            sub_item=sub_item,
            points=points,
            reason=reason,
            member=member,
        )
    )


def correct(
    season: Season,
    enterprise: Annotated[str, typer.Option("--enterprise", help="Credit code.")],
    field: Annotated[str, typer.Option("--field", help="Figure name.")],
    value: Annotated[str, typer.Option("--value")],
    reason: Annotated[str, typer.Option("--reason")],
    member: Member,
) -> None:
    """Correct a verified figure, e.g. --field falsified_materials --value true."""
    from cycle import actions

    _decide(
        lambda: actions.correct_figure(
            season=season,
            credit_code=enterprise,
            field=field,
            value=value,
            reason=reason,
            member=member,
        )
    )


def city_review(
    season: Season,
    county: Annotated[str, typer.Option("--county")],
    decision: Annotated[str, typer.Option("--decision", help="confirm or return")],
    reviewer: Annotated[str, typer.Option("--reviewer")],
    reasons: Annotated[str, typer.Option("--reasons")] = "",
    enterprises: Annotated[
        list[str] | None, typer.Option("--enterprise", help="Credit code to re-score.")
    ] = None,
    on: Day = None,
) -> None:
    """The city confirms a county's results or returns them with reasons."""
    from cycle import actions

    _decide(
        lambda: actions.city_review(
            season=season,
            county=county,
            decision=decision,
            reviewer=reviewer,
            decided_on=_day(on),
            reasons=reasons,
            enterprises=enterprises,
        )
    )


@rectification_app.command("check")
def rectification_check(
    season: Season,
    enterprise: Annotated[str, typer.Option("--enterprise", help="Credit code.")],
    outcome: Annotated[str, typer.Option("--outcome", help="rectified or failed")],
    member: Member,
    note: Annotated[str, typer.Option("--note")],
    on: Day = None,
) -> None:
    """Record whether an enterprise rectified by its deadline."""
    from cycle import actions

    _decide(
        lambda: actions.rectification_check(
            season=season,
            credit_code=enterprise,
            outcome=outcome,
            member=member,
            note=note,
            checked_on=_day(on),
        )
    )


def register(app: typer.Typer) -> None:
    """Add the cycle commands to the main application."""
    app.command("status")(status)
    app.command("adjust")(adjust)
    app.command("correct")(correct)
    app.command("city-review")(city_review)
    app.add_typer(cycle_app, name="cycle")
    app.add_typer(people_app, name="people")
    app.add_typer(enterprises_app, name="enterprises")
    app.add_typer(objection_app, name="objection")
    app.add_typer(rectification_app, name="rectification")
