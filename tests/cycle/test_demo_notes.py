"""The demo's line for a day whose cycle run failed."""

from __future__ import annotations

from datetime import date

from cycle.demo import _failure_note
from cycle.errors import CycleDayError

DAY = date(2026, 5, 17)


def test_cycle_day_error_lists_stages() -> None:
    error = CycleDayError(
        "2025-2026", DAY, {"evidence-checks": "A left", "scoring": "B left"}
    )
    assert error.failed == {"evidence-checks": "A left", "scoring": "B left"}
    assert str(error) == (
        "cycle 2025-2026 on 2026-05-17: stages failed: "
        "evidence-checks: A left; scoring: B left"
    )


def test_note_names_each_failed_stage() -> None:
    error = CycleDayError(
        "2025-2026", DAY, {"evidence-checks": "A left", "scoring": "B\nleft"}
    )
    assert _failure_note(error) == (
        "evidence-checks failed: A left; scoring failed: B left"
    )


def test_note_cut_to_limit() -> None:
    error = CycleDayError("2025-2026", DAY, {"scoring": "x" * 300})
    note = _failure_note(error, limit=40)
    assert len(note) == 40
    assert note.endswith("…")
    assert note.startswith("scoring failed: xxx")


def test_note_for_other_errors() -> None:
    assert _failure_note(RuntimeError("database   is\nlocked")) == (
        "cycle failed: database is locked"
    )


def test_demo_refuses_a_configured_database(tmp_path, monkeypatch):
    # The demo starts its database afresh; with HEATEVAL_DATABASE_URL set it
    # would wipe an operator's home and fill their database with samples.
    from typer.testing import CliRunner

    from heateval.cli import app
    from heateval.settings import reset_settings

    home = tmp_path / "home"
    received_file = home / "files" / "ab" / "abcdef"
    received_file.parent.mkdir(parents=True)
    received_file.write_bytes(b"a received file")
    monkeypatch.setenv("HEATEVAL_HOME", str(home))
    monkeypatch.setenv("HEATEVAL_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    reset_settings()

    result = CliRunner().invoke(app, ["demo"])

    assert result.exit_code == 2
    assert "HEATEVAL_DATABASE_URL names another database" in result.output
    assert received_file.read_bytes() == b"a received file"
    assert not (tmp_path / "prod.db").exists()
