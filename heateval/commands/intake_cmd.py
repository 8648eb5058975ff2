"""`heateval template`, `heateval check` and `heateval submit`: the intake commands."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

SeasonOption = Annotated[
    str, typer.Option("--season", help="Heating season, e.g. 2025-2026.")
]
BureauOption = Annotated[
    str | None,
    typer.Option(
        "--bureau",
        metavar="COUNTY",
        help="Treat the package as the records of this county's bureau (county code).",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON on standard output.")
]


def template(
    season: SeasonOption,
    out: Annotated[Path, typer.Option("--out", help="Where to write the .xlsx file.")],
) -> None:
    """Write the blank application workbook for a season, built from the rulebook."""
    from heateval.settings import get_settings
    from intake.template import write_template
    from rules.rulebook import load_rulebook
    from rules.seasons import season_years

    try:
        season_years(season)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--season") from error
    if out.suffix.lower() != ".xlsx":
        raise typer.BadParameter("the file name must end in .xlsx", param_hint="--out")
    settings = get_settings()
    rulebook = load_rulebook(settings.rulebook)
    write_template(season, rulebook, out, intake_days=settings.intake_days)
    typer.echo(f"wrote {out} (rulebook {rulebook.edition}, season {season})")


def check(
    package: Annotated[Path, typer.Argument(help="Package folder or .zip file.")],
    season: Annotated[
        str | None,
        typer.Option("--season", help="Season; default: the workbook's 供热季."),
    ] = None,
    bureau: BureauOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check a package without storing anything; exit 1 when it would be rejected."""
    from heateval.settings import get_settings
    from intake.archive import ArchiveLimits
    from intake.check import check_path
    from rules.rulebook import load_rulebook

    settings = get_settings()
    if bureau is not None and season is None:
        raise typer.BadParameter(
            "a bureau package needs --season", param_hint="--season"
        )
    result = check_path(
        package,
        source="bureau" if bureau else "enterprise",
        season=season,
        county=bureau,
        rulebook=load_rulebook(settings.rulebook),
        limits=ArchiveLimits.from_settings(settings),
        inputs=_stored_inputs(settings),
    )
    if as_json:
        typer.echo(json.dumps(result.report(), ensure_ascii=False, indent=2))
    else:
        verdict = "可以受理" if result.accepted else "不予受理"
        typer.echo(f"{result.parsed.name}: {verdict}")
        _print_defects(result.defects)
    raise typer.Exit(0 if result.accepted else 1)


def submit(
    package: Annotated[Path, typer.Argument(help="Package folder or .zip file.")],
    season: SeasonOption,
    bureau: BureauOption = None,
    received_at: Annotated[
        datetime | None,
        typer.Option(
            "--received-at",
            help="When the package arrived, ISO 8601 with offset; default now.",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"],
        ),
    ] = None,
    actor: Annotated[
        str, typer.Option("--actor", help="Who submits, for the audit ledger.")
    ] = "cli",
    as_json: JsonOption = False,
) -> None:
    """Check and store a package; exit 1 when it is rejected (nothing is stored)."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from intake.filestore import FileChangedError
    from intake.store import SetupError, submit_package

    try:
        outcome = submit_package(
            package,
            season=season,
            source="bureau" if bureau else "enterprise",
            county=bureau,
            received_at=received_at,
            actor=actor,
        )
    except SetupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    except (FileChangedError, FileNotFoundError) as error:
        typer.echo(
            f"error: the package could not be read completely ({error}); "
            "make sure nothing changes it while it is submitted, then submit again",
            err=True,
        )
        raise typer.Exit(2) from error
    except (OperationalError, ProgrammingError) as error:
        typer.echo(
            f"error: the database is not ready ({error.orig}); "
            "run `heateval db upgrade` first",
            err=True,
        )
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(outcome.model_dump_json(indent=2))
    elif outcome.duplicate:
        typer.echo(
            f"{outcome.package_name}: 与已受理的第 {outcome.version} 版内容相同，"
            f"未重复保存（submission {outcome.submission_id}）"
        )
    elif outcome.accepted:
        late = "，逾期提交" if outcome.late else ""
        typer.echo(
            f"{outcome.package_name}: 已受理，第 {outcome.version} 版{late}"
            f"（submission {outcome.submission_id}）"
        )
        _print_defects(outcome.defects)
    else:
        typer.echo(f"{outcome.package_name}: 不予受理，未保存任何记录")
        _print_defects(outcome.defects)
        typer.echo(f"receipt: {outcome.receipt}")
    raise typer.Exit(0 if outcome.accepted else 1)


def _stored_inputs(settings: Any) -> Any:
    """Look up bureau records and registrations when a database already exists.

    `check` must not create anything, so a SQLite file that does not exist yet is
    not opened.
    """
    from sqlalchemy.engine import make_url

    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return None

    def resolve(parsed: Any, season: str, county: str) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from intake.check import CheckInputs
        from intake.store import lookup_inputs

        try:
            return lookup_inputs(settings.db_url, parsed, season, county)
        except SQLAlchemyError as error:
            typer.echo(f"note: stored records not used ({error})", err=True)
            return CheckInputs()

    return resolve


def _print_defects(defects: list[Any]) -> None:
    for defect in defects:
        where = defect.file
        if defect.sheet:
            where += f" [{defect.sheet}]"
        if defect.row is not None:
            where += f" 第{defect.row}行"
        if defect.column:
            where += f" {defect.column}"
        value = f" 值“{defect.value}”" if defect.value is not None else ""
        label = "必须修改" if defect.severity == "blocking" else "待复核"
        typer.echo(f"  [{label}] {where}{value}: {defect.message} ({defect.rule})")


def register(app: typer.Typer) -> None:
    """Add the intake commands to the `heateval` application."""
    app.command("template")(template)
    app.command("check")(check)
    app.command("submit")(submit)
