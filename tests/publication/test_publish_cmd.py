"""`heateval publish` from the command line, against the fixture database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from heateval.cli import app
from heateval.settings import reset_settings
from storage.models import Publication
from tests.publication.builders import CODES, Archive


@pytest.fixture
def cli_database(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> Archive:
    monkeypatch.setenv("HEATEVAL_DATABASE_URL", archive.url)
    reset_settings()
    return archive


def test_publish_county_writes_site(cli_database: Archive, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["publish", "--season", "2025-2026", "--county", "150404", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "season 2025-2026 county 150404:" in result.output
    # rounds 1 and 2 and the final announcement of 松山区
    assert "2 letters, publications: 3 new" in result.output
    assert (out / "site" / "letters" / "2025-2026" / f"{CODES['E5']}.pdf").is_file()
    with cli_database.session() as session:
        kinds = sorted(session.scalars(select(Publication.kind)))
    assert kinds == ["final", "publicity", "publicity"]


def test_publish_unknown_season_fails(cli_database: Archive, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["publish", "--season", "2031-2032", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "publish failed: season 2031-2032 not found in the database" in result.output


def test_publish_again_says_unchanged(cli_database: Archive, tmp_path: Path) -> None:
    command = ["publish", "--season", "2025-2026", "--county", "150404"]
    CliRunner().invoke(app, [*command, "--out", str(tmp_path / "first")])

    again = CliRunner().invoke(app, [*command, "--out", str(tmp_path / "second")])

    assert again.exit_code == 0, again.output
    assert "publications: 3 unchanged" in again.output
    with cli_database.session() as session:
        assert len(session.scalars(select(Publication.id)).all()) == 3
