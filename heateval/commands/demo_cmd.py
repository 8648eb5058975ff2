"""`heateval demo`: the whole sample season, on embedded defaults."""

from __future__ import annotations

import os
import signal

import typer

# Prefect's console shows every task run; the demo prints its own lines instead.
# The runs' logs still reach Prefect's API and show in its UI.
QUIET_PREFECT = {
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_FLOW_RUNS_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_TASK_RUNS_LEVEL": "CRITICAL",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
}


def demo(
    direct: bool = typer.Option(
        False, "--direct", help="Call the stage functions without Prefect (benchmark)."
    ),
) -> None:
    """Run the 2025-2026 cycle of the sample season, day by day, to the follow-ups.

    The demo starts afresh the default SQLite database under HEATEVAL_HOME
    (~/.heateval) and removes the received files, publication, captured mail
    and rejection receipts there. It exits without running while
    HEATEVAL_DATABASE_URL names another database.
    """
    from heateval.settings import get_settings

    configured = get_settings()
    if configured.database_url:
        typer.echo(
            "error: heateval demo starts the default database afresh and removes "
            f"what {configured.home} holds, but HEATEVAL_DATABASE_URL names "
            "another database. Unset it (and point HEATEVAL_HOME at a folder of "
            "the demo's own) to run the demo.",
            err=True,
        )
        raise typer.Exit(2)
    for key, value in QUIET_PREFECT.items():
        os.environ.setdefault(key, value)
    # `kill PID` should stop the demo as Ctrl-C does: through the cleanup that
    # stops its mail capture, worker processes and Prefect's temporary server.
    signal.signal(signal.SIGTERM, _exit_on_signal)

    from cycle.demo import reset_home
    from heateval.settings import get_settings, reset_settings
    from notifications.capture import CaptureServer

    settings = get_settings()
    reset_home(settings)
    capture = CaptureServer(settings.capture_dir, host="127.0.0.1", port=0)
    port = capture.start()
    try:
        # The sender reads its server from the settings: point it at the capture.
        os.environ["HEATEVAL_SMTP_HOST"] = "127.0.0.1"
        os.environ["HEATEVAL_SMTP_PORT"] = str(port)
        os.environ["HEATEVAL_SMTP_SECURITY"] = "plain"
        reset_settings()
        settings = get_settings()

        from cycle.demo import run_demo

        typer.echo(
            f"heateval demo: season 2025-2026, 12 counties, home {settings.home}"
        )
        result = run_demo(typer.echo, direct=direct, settings=settings, reset=False)
        report = _publish(settings)
    finally:
        capture.stop()

    typer.echo("")
    typer.echo("Final grades per county:")
    typer.echo(f"  {'county':<10}   A   B   C   D  total")
    for name, grades in result.grades.items():
        counts = [grades.get(g, 0) for g in "ABCD"]
        padded = name + "　" * (6 - len(name))
        typer.echo(
            f"  {padded}" + "".join(f"{c:>4}" for c in counts) + f"{sum(counts):>7}"
        )
    mails = len(list(settings.capture_dir.glob("*.eml")))
    typer.echo("")
    typer.echo(f"simulated days run: {result.days_run}, in {result.seconds:.0f} s")
    typer.echo(f"database:     {settings.db_url}")
    typer.echo(
        f"publication:  {settings.publication_dir / 'site' / 'index.html'} ({report})"
    )
    typer.echo(f"captured mail: {settings.capture_dir} ({mails} messages)")
    typer.echo("next: heateval status --season 2025-2026")


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _publish(settings) -> str:
    from publication.publish import publish_all
    from storage.db import session_scope

    with session_scope() as session:
        report = publish_all(session, "2025-2026", settings.publication_dir)
    return f"{len(report.files)} files"


def register(app: typer.Typer) -> None:
    """Add `demo` to the main application."""
    app.command("demo")(demo)
