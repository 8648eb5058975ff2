"""`heateval rules check|show` and `heateval score`, run through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heateval.cli import app
from rules.rulebook import DEFAULT_RULEBOOK, load_rulebook

HAND_WORKED = Path(__file__).parents[2] / "rules" / "examples" / "hand-worked.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give rich 250 columns, so that table cells are not folded."""
    monkeypatch.setenv("COLUMNS", "250")


def test_check_default_rulebook(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "check"])
    assert result.exit_code == 0
    assert f"version {load_rulebook().version}" in result.stdout


def test_check_uses_configured_rulebook(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heateval.settings import reset_settings

    broken = tmp_path / "broken.yaml"
    broken.write_text(
        DEFAULT_RULEBOOK.read_text(encoding="utf-8").replace(
            "bonus_cap: 10", "bonus_cap: 8"
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("HEATEVAL_RULEBOOK", str(broken))
    reset_settings()
    result = runner.invoke(app, ["rules", "check"])
    assert result.exit_code == 1
    assert "bonus_cap: bonus_cap is 8" in result.stderr


def test_check_lists_every_problem(runner: CliRunner, tmp_path: Path) -> None:
    text = DEFAULT_RULEBOOK.read_text(encoding="utf-8")
    text = text.replace("input: room_temp_compliance", "input: room_temp")
    text = text.replace("    max: 8\n", "    max: 9\n")
    text = text.replace("input: major_accidents", "input: major_accident")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")

    result = runner.invoke(app, ["rules", "check", str(broken)])

    assert result.exit_code == 1
    assert "5 problem(s)" in result.stderr
    assert "  - C2.2: unknown input 'room_temp'" in result.stderr
    assert "  - C3: max is 9 but the measure gives C3 8" in result.stderr
    assert "  - C3: sub-item points add up to 8" in result.stderr
    assert "  - categories: category maxima add up to 101" in result.stderr
    assert "  - D1: unknown input 'major_accident'" in result.stderr


def test_check_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "check", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 1
    assert "file: not found" in result.stderr


@pytest.mark.usefixtures("wide")
def test_show_prints_tables(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "show"])
    assert result.exit_code == 0
    assert "室温达标率" in result.stdout
    assert "room_temp_compliance: ≥0.98 → 6, ≥0.95 → 5, ≥0.92 → 4, ≥0.9 → 2" in (
        result.stdout
    )
    assert "C5 投诉管理 (complaint management), 15 points, applies to heating" in (
        result.stdout
    )
    assert "−3 per serious_petitions, at most 10" in result.stdout


def test_score_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["score", str(HAND_WORKED), "--json"])
    assert result.exit_code == 0
    sheet = json.loads(result.stdout)
    assert sheet["base"] == "76.21"
    assert sheet["bonus"] == "5.00"
    assert sheet["deductions"] == "3.00"
    assert sheet["final"] == "78.21"
    assert sheet["grade"] == "C"
    assert sheet["colour"] == "yellow"
    assert sheet["colour_name"] == "黄牌"
    assert len(sheet["lines"]) == 38 + 5 + 4  # sub-items, bonus items, deductions
    c11 = sheet["lines"][0]
    assert c11["rule_id"] == "C1.1"
    assert c11["points"] == "2.7"
    assert c11["inputs"] == {"meetings_attended": "9", "meetings_called": "10"}


@pytest.mark.usefixtures("wide")
def test_score_readable(runner: CliRunner) -> None:
    result = runner.invoke(app, ["score", str(HAND_WORKED)])
    assert result.exit_code == 0
    assert "总分 78.21  等级 C（黄牌）" in result.stdout
    assert "扣分 逾期报送资料次数 1 × 1 = 1：3 − 1 = 2" in result.stdout


def test_score_json_file_exact(runner: CliRunner, tmp_path: Path) -> None:
    # JSON 0.3 is read as Decimal("0.3"), not the float 0.2999…, so C4.3 = 2 × 0.3 = 0.6
    figures = tmp_path / "figures.json"
    figures.write_text(
        '{"enterprise_type": "heat_source", "households_served": 0, '
        '"clean_heat_share": 0.3}',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", str(figures), "--json"])
    assert result.exit_code == 0
    lines = {line["rule_id"]: line for line in json.loads(result.stdout)["lines"]}
    assert lines["C4.3"]["points"] == "0.6"
    assert lines["C4.3"]["inputs"] == {"clean_heat_share": "0.3"}


def test_score_bad_value_names_field(runner: CliRunner, tmp_path: Path) -> None:
    figures = tmp_path / "figures.yaml"
    figures.write_text(
        "enterprise_type: heating\nhouseholds_served: 100\nroom_temp_compliance: 1.2\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", str(figures)])
    assert result.exit_code == 2
    assert "field room_temp_compliance, value '1.2'" in result.stderr
    assert "less than or equal to 1" in result.stderr


def test_score_unknown_field_suggests(runner: CliRunner, tmp_path: Path) -> None:
    figures = tmp_path / "figures.yaml"
    figures.write_text(
        "enterprise_type: heating\nhouseholds_served: 100\nroom_temp: 0.9\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", str(figures)])
    assert result.exit_code == 2
    assert "field 'room_temp' is not a figure" in result.stderr
    assert "did you mean room_temp_compliance?" in result.stderr


def test_score_part_above_whole(runner: CliRunner, tmp_path: Path) -> None:
    figures = tmp_path / "figures.yaml"
    figures.write_text(
        "enterprise_type: heating\nhouseholds_served: 100\ncontracts_signed: 120\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", str(figures)])
    assert result.exit_code == 2
    assert "contracts_signed 120 is more than households_served 100" in result.stderr


def test_score_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert "file not found" in result.stderr


def test_score_rejects_nan(runner: CliRunner, tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    figures.write_text(
        '{"enterprise_type": "heating", "households_served": 1, '
        '"fuel_reserve_days": NaN}',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", str(figures)])
    assert result.exit_code == 2
    assert "NaN is not a number that can be scored" in result.stderr


def test_score_with_broken_rulebook(runner: CliRunner, tmp_path: Path) -> None:
    rulebook = tmp_path / "rulebook.yaml"
    rulebook.write_text("title: only a title\n", encoding="utf-8")
    result = runner.invoke(
        app, ["score", str(HAND_WORKED), "--rulebook", str(rulebook)]
    )
    assert result.exit_code == 1
    assert "edition: Field required" in result.stderr


def test_score_with_adjustments(runner: CliRunner, tmp_path: Path) -> None:
    adjustments = tmp_path / "adjustments.yaml"
    adjustments.write_text(
        "- sub_item: C1.4\n  points: 1\n  reason: 方案已报备\n  member: 王敏\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["score", str(HAND_WORKED), "--json", "--adjustments", str(adjustments)]
    )
    assert result.exit_code == 0
    sheet = json.loads(result.stdout)
    assert sheet["final"] == "78.71"  # 78.2133… + 0.5
    line = next(line for line in sheet["lines"] if line["rule_id"] == "C1.4")
    assert line["adjusted_by"] == "王敏"


def test_score_rejects_bad_adjustment(runner: CliRunner, tmp_path: Path) -> None:
    adjustments = tmp_path / "adjustments.yaml"
    adjustments.write_text(
        "- sub_item: C2.2\n  points: 6\n  reason: 核查\n  member: 王敏\n"
        "- sub_item: C6.1\n  points: 2\n  reason: ' '\n  member: 王敏\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["score", str(HAND_WORKED), "--adjustments", str(adjustments)]
    )
    assert result.exit_code == 2
    assert "adjustment 1.reason, value ' ': reason is blank" in result.stderr
