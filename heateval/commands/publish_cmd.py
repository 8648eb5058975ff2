"""`heateval publish`: regenerate notices, letters, reports and the public archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def publish(
    season: Annotated[str, typer.Option(help="Season label, e.g. 2025-2026.")],
    county: Annotated[
        str | None,
        typer.Option(help="Only this county (GB/T 2260 code, e.g. 150402)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output folder; default is `publication` under HEATEVAL_HOME.",
            file_okay=False,
        ),
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option(help="Render every PDF again instead of reusing unchanged ones."),
    ] = False,
    record: Annotated[
        bool,
        typer.Option(
            help="Record each notice's content hash in the publications table."
        ),
    ] = True,
) -> None:
    """Regenerate every published document of SEASON from the database.

    Writes the static public site to OUT/site (serve it with any static web
    server) and the county and city reports to OUT/reports.
    """
    from heateval.settings import get_settings
    from publication.publish import PublishOptions, publish_all
    from publication.query import PublicationError
    from storage.db import session_scope

    settings = get_settings()
    target = out or settings.publication_dir
    try:
        with session_scope(settings.db_url) as session:
            report = publish_all(
                session,
                season,
                target,
                county,
                record=record,
                rebuild=rebuild,
                options=PublishOptions.from_settings(),
            )
    except PublicationError as error:
        typer.echo(f"publish failed: {error}", err=True)
        raise typer.Exit(1) from error

    typer.echo(report.summary())
    for name, status in sorted(report.publications.items()):
        if status == "changed":
            typer.echo(
                f"warning: {name} differs from the recorded publication; the data "
                "changed after it was published and needs a new publicity round",
                err=True,
            )
    typer.echo(f"site: {Path(target) / 'site' / 'index.html'}")
    typer.echo(f"reports: {Path(target) / 'reports'}")


def register(app: typer.Typer) -> None:
    """Add `publish` to the main application."""
    app.command("publish")(publish)
