"""Season status: each county's stage and next deadline, in Python and on the CLI."""

from __future__ import annotations

import json
from datetime import date

from tests.cycle.support import (
    COUNTY,
    INTAKE_DEADLINE,
    INTAKE_OPENS,
    REPORT_DUE,
    ROUND1_CLOSES,
    SEASON,
    advance,
    drive_to_follow_up,
    drive_to_publicity,
    drive_to_scored,
    file_objection,
)


def _status(season) -> dict[str, object]:
    from cycle.status import season_status

    with season.session() as session:
        return {row.county: row for row in season_status(session, SEASON)}


def test_status_lists_every_county(season):
    rows = _status(season)

    assert len(rows) == 12
    assert list(rows) == sorted(rows)


def test_status_before_intake(season):
    row = _status(season)[COUNTY]

    assert row.stage == "not_opened"
    assert row.next_deadline == INTAKE_DEADLINE
    assert row.next_deadline_is == "intake deadline"
    assert row.enterprises == 3


def test_status_during_intake(season):
    advance(INTAKE_OPENS)

    rows = _status(season)

    assert (rows[COUNTY].stage, rows[COUNTY].since) == ("intake", INTAKE_OPENS)
    assert rows[COUNTY].next_deadline == INTAKE_DEADLINE
    # 150421's season ends on 20 April, so its intake closes after 20 May.
    assert (rows["150421"].stage, rows["150421"].next_deadline) == (
        "not_opened",
        date(2026, 5, 20),
    )


def test_status_while_scored(season):
    drive_to_scored(season)

    row = _status(season)[COUNTY]

    assert (row.stage, row.since) == ("scored", date(2026, 5, 16))
    assert (row.next_deadline, row.next_deadline_is) == (
        REPORT_DUE,
        "report to the city due",
    )


def test_status_during_publicity(season):
    drive_to_publicity(season)
    file_objection("A", date(2026, 5, 23))

    row = _status(season)[COUNTY]

    assert row.stage == "publicity"
    assert row.next_deadline == ROUND1_CLOSES
    assert row.next_deadline_is == "publicity round 1 closes"
    assert row.open_objections == 1
    assert row.published == 0


def test_status_after_publication(season):
    drive_to_follow_up(season, date(2026, 6, 1))

    row = _status(season)[COUNTY]

    from rules.legal_calendar import rectification_deadline

    # D's order (the shorter period) falls due first: 60 days after 1 June.
    assert (row.stage, row.since) == ("follow_up", date(2026, 6, 1))
    assert row.next_deadline == rectification_deadline(date(2026, 6, 1), "D")
    assert row.next_deadline == date(2026, 7, 31)
    assert row.next_deadline_is == "rectification deadline"
    assert row.published == 3


def test_status_cli_json_matches(season):
    from typer.testing import CliRunner

    from heateval.cli import app

    drive_to_publicity(season)
    expected = [row.model_dump(mode="json") for row in _status(season).values()]

    result = CliRunner().invoke(app, ["status", "--season", SEASON, "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected


def test_status_cli_names_deadline(season):
    from typer.testing import CliRunner

    from heateval.cli import app

    drive_to_publicity(season)

    result = CliRunner().invoke(app, ["status", "--season", SEASON, "--json"])

    rows = {row["county"]: row for row in json.loads(result.output)}
    assert rows[COUNTY]["stage"] == "publicity"
    assert rows[COUNTY]["next_deadline"] == "2026-05-28"


def test_status_cli_unknown_season(season):
    from typer.testing import CliRunner

    from heateval.cli import app

    result = CliRunner().invoke(app, ["status", "--season", "2030-2031", "--json"])

    assert result.exit_code == 2
    assert "no season data for '2030-2031'" in result.output


def test_unknown_season_one_error_line(tmp_path):
    # Through the console script's entry point, as a user runs it: no traceback,
    # and no flow run is started for a season that does not exist.
    import os
    import subprocess
    import sys

    env = os.environ | {"HEATEVAL_HOME": str(tmp_path)}
    command = ["cycle", "advance", "--season", "2030-2031"]
    done = subprocess.run(
        [sys.executable, "-c", "from heateval.cli import main; main()", *command],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert done.returncode == 2
    assert done.stderr.startswith("error: no season data for '2030-2031'")
    assert "Traceback" not in done.stderr
    assert "flow run" not in done.stderr.lower()


def test_deadline_marked_passed_after_its_day(season):
    from cycle.status import season_status

    drive_to_follow_up(season, date(2026, 6, 1))

    with season.session() as session:
        on_the_day = season_status(session, SEASON, today=date(2026, 7, 31))
        after = season_status(session, SEASON, today=date(2026, 8, 1))
    assert {r.county: r.deadline_passed for r in on_the_day}[COUNTY] is False
    assert {r.county: r.deadline_passed for r in after}[COUNTY] is True
