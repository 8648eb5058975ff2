"""The intake commands as an operator runs them: template, check --json, submit."""

from __future__ import annotations

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from heateval.cli import app
from tests.intake.builders import build_enterprise_package

runner = CliRunner()


def test_template_command(tmp_path):
    out = tmp_path / "blank.xlsx"
    result = runner.invoke(
        app, ["template", "--season", "2025-2026", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "填表说明"


def test_template_rejects_bad_season(tmp_path):
    out = tmp_path / "blank.xlsx"
    result = runner.invoke(app, ["template", "--season", "2025", "--out", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


def test_check_json_of_hostile_zip(tmp_path, heateval_home):
    import zipfile

    zipped = tmp_path / "p.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("../x.csv", b"a\n")
    result = runner.invoke(app, ["check", str(zipped), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["accepted"] is False
    (defect,) = report["defects"]
    assert set(defect) == {
        "file",
        "sheet",
        "row",
        "column",
        "value",
        "rule",
        "severity",
        "message",
    }
    assert defect["rule"] == "archive.path_traversal"
    assert defect["value"] == "../x.csv"
    assert not (heateval_home / "heateval.db").exists()
    assert not (heateval_home / "files").exists()


@pytest.mark.slow
def test_check_valid_package_stores_nothing(tmp_path, heateval_home):
    root = build_enterprise_package(tmp_path / "pkg")
    result = runner.invoke(app, ["check", str(root), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] is True
    assert not (heateval_home / "heateval.db").exists()
    assert not (heateval_home / "files").exists()


def test_submit_rejected_prints_receipt(tmp_path, heateval_home):
    target = tmp_path / "p.rar"
    target.write_bytes(b"Rar!\x1a\x07\x00" + bytes(20))
    result = runner.invoke(app, ["submit", str(target), "--season", "2025-2026"])
    assert result.exit_code == 1
    assert "不予受理" in result.stdout
    assert "package.format" in result.stdout
    assert len(list((heateval_home / "rejected").glob("*.json"))) == 1
