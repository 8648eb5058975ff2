"""The `heateval` command: one typer application, commands grouped by area.

Each module in `heateval.commands` adds its commands in `register(app)`. Modules
import heavy libraries (Prefect, GX, SQLAlchemy) inside the command functions, so
`heateval rules check` starts in a fraction of a second.
"""

from __future__ import annotations

import typer

from heateval.commands import (
    calendar_cmd,
    cycle_cmd,
    db_cmd,
    demo_cmd,
    intake_cmd,
    outbox_cmd,
    publish_cmd,
    rules_cmd,
)

app = typer.Typer(
    name="heateval",
    help="Yearly comprehensive evaluation of Chifeng's central-heating enterprises.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (
    rules_cmd,
    calendar_cmd,
    db_cmd,
    outbox_cmd,
    intake_cmd,
    cycle_cmd,
    publish_cmd,
    demo_cmd,
):
    module.register(app)


def main() -> None:
    """Entry point of the `heateval` console script."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        app()
    except (OperationalError, ProgrammingError) as error:
        text = str(getattr(error, "orig", error))
        if "no such table" not in text and "does not exist" not in text:
            raise
        from heateval.settings import get_settings
        from storage.db import display_url

        typer.echo(
            f"error: the database at {display_url(get_settings().db_url)} has no "
            f"heateval tables ({text.splitlines()[0]}); run `heateval db upgrade` "
            "first",
            err=True,
        )
        raise SystemExit(2) from None
    except Exception as error:
        message = _request_error(error)
        if message is None:
            raise
        typer.echo(f"error: {message}", err=True)
        raise SystemExit(2) from None


def _request_error(error: Exception) -> str | None:
    """Return the message of an error in what the user requested, else None.

    Such errors (an unknown season or county, a date without holiday data) get
    one line and no traceback. Their modules are imported only here, because
    importing the calendar at start-up would slow every command by about 0.1 s.
    """
    from cycle.errors import CycleError
    from rules.legal_calendar import CalendarCoverageError
    from rules.seasons import UnknownSeasonError

    if not isinstance(error, (CycleError, CalendarCoverageError, UnknownSeasonError)):
        return None
    return str(error.args[0]) if error.args else str(error)
