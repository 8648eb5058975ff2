"""`heateval outbox`: list notices, send what is due, run the local capture server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

outbox_app = typer.Typer(
    help="The notification outbox: list notices and their status, send what is due."
)


def _known_season(season: str | None) -> None:
    """Exit 2 naming an unknown season, which would otherwise list no notices."""
    from rules.seasons import UnknownSeasonError, load_season

    if season is None:
        return
    try:
        load_season(season)
    except UnknownSeasonError as error:
        typer.echo(f"error: {error.args[0]}", err=True)
        raise typer.Exit(2) from None


@outbox_app.callback(invoke_without_command=True)
def show(
    ctx: typer.Context,
    season: Annotated[
        str | None, typer.Option(help="Only this season, e.g. 2025-2026.")
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="Only this status: queued, sent or failed.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
) -> None:
    """List notices with their status, and the reason for failed and deferred ones."""
    if ctx.invoked_subcommand is not None:
        return
    from notifications.status import list_notices
    from storage.db import session_scope

    _known_season(season)
    try:
        with session_scope() as session:
            rows = list_notices(session, season=season, status=status)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    if as_json:
        typer.echo(
            json.dumps(
                [row.model_dump(mode="json") for row in rows],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not rows:
        typer.echo("no notices")
        return
    typer.echo(
        f"{'id':>5}  {'status':<7} {'tries':>5}  {'kind':<22} {'season':<9} "
        f"{'county':<6}  recipient / when / why"
    )
    for row in rows:
        if row.status == "sent" and row.sent_at is not None:
            when = f"sent {row.sent_at:%Y-%m-%d %H:%M}Z"
        elif row.status == "queued" and row.next_attempt_at is not None:
            when = f"due {row.next_attempt_at:%Y-%m-%d %H:%M}Z"
        else:
            when = ""
        line = (
            f"{row.id:>5}  {row.status:<7} {row.attempts:>5}  {row.kind:<22} "
            f"{row.season or '-':<9} {row.county or '-':<6}  {row.recipient}  {when}"
        )
        typer.echo(line.rstrip())
        if row.last_error:
            typer.echo(f"{'':>7}why: {row.last_error}")


@outbox_app.command("retry")
def retry(
    limit: Annotated[
        int | None, typer.Option(min=1, help="Send at most this many notices.")
    ] = None,
    requeue_failed: Annotated[
        bool,
        typer.Option(
            help="First put failed notices back in the queue (fix the cause)."
        ),
    ] = False,
    season: Annotated[
        str | None, typer.Option(help="With --requeue-failed: this season only.")
    ] = None,
) -> None:
    """Send every notice that is due now; exit 1 if the SMTP server is unreachable."""
    from heateval.settings import get_settings
    from notifications.drain import drain_outbox
    from notifications.sender import SmtpSettingsError
    from notifications.status import requeue_failed as requeue
    from storage.db import get_engine, session_scope

    settings = get_settings()
    _known_season(season)
    if requeue_failed:
        with session_scope() as session:
            count = requeue(session, season=season)
        typer.echo(f"requeued {count} failed notice(s)")
    try:
        report = drain_outbox(get_engine(settings.db_url), settings, limit=limit)
    except SmtpSettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"sent {report.sent}, deferred {report.deferred}, failed {report.failed} "
        f"over {report.connections} connection(s)"
    )
    for result in report.results:
        if result.outcome != "accepted":
            code = f" {result.smtp_code}" if result.smtp_code else ""
            typer.echo(
                f"  notice {result.notice_id} to {result.recipient}: "
                f"{result.outcome}{code}: {result.detail}"
            )
    for error in report.connection_errors:
        typer.echo(error, err=True)
    if report.connection_errors:
        raise typer.Exit(1)


@outbox_app.command("capture")
def capture(
    folder: Annotated[
        Path | None,
        typer.Option(help="Folder for .eml files; default HEATEVAL_MAIL_CAPTURE_DIR."),
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port on 127.0.0.1; default HEATEVAL_SMTP_PORT.")
    ] = None,
) -> None:
    """Run the local capture SMTP server on 127.0.0.1 until Ctrl-C or SIGTERM."""
    import signal
    import threading

    from heateval.settings import get_settings
    from notifications.capture import CaptureServer

    settings = get_settings()
    server = CaptureServer(
        folder or settings.capture_dir,
        "127.0.0.1",
        settings.smtp_port if port is None else port,
    )
    bound = server.start()
    typer.echo(f"capture SMTP server on 127.0.0.1:{bound}, writing to {server.folder}")
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def register(app: typer.Typer) -> None:
    """Add `outbox` to the main application."""
    app.add_typer(outbox_app, name="outbox")
