"""`heateval calendar`: table and JSON output, and errors for bad options."""

from __future__ import annotations

import json
import re

import pytest
import typer
from typer.testing import CliRunner

from heateval.commands import calendar_cmd


@pytest.fixture
def app() -> typer.Typer:
    """A typer app with the calendar command registered as `heateval` does it."""
    application = typer.Typer()

    @application.callback()
    def main() -> None:
        """Keep `calendar` a subcommand, as in the full CLI."""

    calendar_cmd.register(application)
    return application


runner = CliRunner()


def plain(output: str) -> str:
    """Return the output without rich's box characters and line wrapping."""
    return re.sub(r"[\s│╭╮╰╯─]+", " ", output)


def test_json_for_one_county(app: typer.Typer) -> None:
    result = runner.invoke(
        app, ["calendar", "--season", "2025-2026", "--county", "150425", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["county_code"] == "150425"
    assert document["county_name"] == "克什克腾旗"
    assert document["season_start"] == "2025-10-08"
    assert document["season_end"] == "2026-04-15"
    assert document["intake_deadline"] == "2026-05-15"
    assert document["county_report_due"] == "2026-06-15"
    assert document["orders"][0]["reference"] == "克政发〔2025〕58号"


def test_json_for_all_counties(app: typer.Typer) -> None:
    result = runner.invoke(app, ["calendar", "--season", "2025-2026", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    by_code = {entry["county_code"]: entry for entry in document}
    assert isinstance(document, list)
    assert len(document) == 12
    assert by_code["150421"]["county_name"] == "阿鲁科尔沁旗"
    assert by_code["150421"]["season_end"] == "2026-04-20"
    assert by_code["150421"]["intake_deadline"] == "2026-05-20"
    assert by_code["150402"]["season_start"] == "2025-10-15"


def test_table_lists_every_county(app: typer.Typer) -> None:
    result = runner.invoke(app, ["calendar", "--season", "2025-2026"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[3:]
    assert len(rows) == 12
    assert rows[7].split()[:6] == [
        "150425", "克什克腾旗", "2025-10-08", "2026-04-15", "2026-05-15", "2026-06-15",
    ]  # fmt: skip


def test_table_aligns_chinese_names(app: typer.Typer) -> None:
    result = runner.invoke(app, ["calendar", "--season", "2025-2026"])
    rows = result.stdout.splitlines()[3:]
    # 红山区 (3 characters, 6 columns) gets 6 spaces more padding than 阿鲁科尔沁旗
    # (6 characters, 12 columns), so its dates start 3 characters later in the line.
    assert rows[0].index("2025-10-15") - rows[3].index("2025-10-15") == 3


def test_table_for_one_county_shows_order(app: typer.Typer) -> None:
    result = runner.invoke(
        app, ["calendar", "--season", "2025-2026", "--county", "150421"]
    )
    rows = result.stdout.splitlines()[3:]
    assert len(rows) == 1
    assert rows[0].endswith("extension 2026-04-20 (阿政办发〔2026〕21号)")


def test_unknown_season_exits_2(app: typer.Typer) -> None:
    result = runner.invoke(app, ["calendar", "--season", "2030-2031", "--json"])
    assert result.exit_code == 2
    assert "no season data for '2030-2031'" in plain(result.output)


def test_malformed_season_exits_2(app: typer.Typer) -> None:
    result = runner.invoke(app, ["calendar", "--season", "2025"])
    assert result.exit_code == 2


def test_unknown_county_exits_2(app: typer.Typer) -> None:
    result = runner.invoke(
        app, ["calendar", "--season", "2025-2026", "--county", "150499"]
    )
    assert result.exit_code == 2
    assert "unknown county code '150499'" in plain(result.output)
