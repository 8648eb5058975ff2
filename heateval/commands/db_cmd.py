"""`heateval db` and `heateval ledger`: migrate the database, verify the ledger."""

from __future__ import annotations

import typer

db_app = typer.Typer(
    help="Create or migrate the evaluation database.", no_args_is_help=True
)
ledger_app = typer.Typer(help="Check the audit ledger.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the database to the latest schema and load the 12 counties."""
    from heateval.settings import get_settings
    from storage.db import get_engine
    from storage.migrate import upgrade_database

    settings = get_settings()
    added = upgrade_database(get_engine(settings.db_url))
    typer.echo(f"database at {_display_url(settings.db_url)} is up to date")
    typer.echo(f"counties added: {added}")


@ledger_app.command("verify")
def verify() -> None:
    """Check the hash chain and every audited record; exit 1 on any problem."""
    from storage.db import session_scope
    from storage.ledger import verify as verify_ledger

    with session_scope() as session:
        report = verify_ledger(session)
    if report.intact:
        typer.echo(f"ledger intact: {report.entries} entries, every record matches")
        return
    if report.chain_problem:
        typer.echo(f"ledger broken: {report.chain_problem}", err=True)
    for problem in report.record_problems:
        typer.echo(f"record mismatch: {problem}", err=True)
    raise typer.Exit(1)


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    """Add `db` and `ledger` to the main application."""
    app.add_typer(db_app, name="db")
    app.add_typer(ledger_app, name="ledger")
