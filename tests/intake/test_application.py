"""The blank workbook from the rulebook, and a filled one read back."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from intake.archive import ReceivedFile
from intake.grids import GridError
from intake.schema import KEY_FIGURES
from intake.sniff import ArchiveLimits, sniff
from intake.template import write_template
from intake.workbook import parse_application, read_application_files
from rules.rulebook import load_rulebook
from tests.intake.builders import (
    CREDIT_CODE,
    SEASON,
    build_enterprise_package,
    write_application,
)

LIMITS = ArchiveLimits(
    max_entries=50, max_total_bytes=10**8, max_file_bytes=10**8, max_ratio=200
)


def received(path: Path, name: str) -> ReceivedFile:
    data = path.read_bytes()
    return ReceivedFile(
        path=name,
        local_path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        kind=sniff(path, LIMITS).kind,
    )


def parse(files: list[ReceivedFile]):
    grids, name = read_application_files(files)
    return parse_application(grids, name)


def test_template_sheets(tmp_path):
    path = write_template(SEASON, load_rulebook(), tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["填表说明", "选项", "基本信息", "关键数据", "自评分"]
    assert workbook["选项"].sheet_state == "hidden"


def test_template_one_row_per_sub_item(tmp_path):
    rulebook = load_rulebook()
    path = write_template(SEASON, rulebook, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["自评分"]
    ids = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    expected = [item.id for _, item in rulebook.sub_items()] + [
        b.id for b in rulebook.bonus
    ]
    assert ids == expected


def test_template_max_points_from_rulebook(tmp_path):
    rulebook = load_rulebook()
    path = write_template(SEASON, rulebook, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["自评分"]
    _, first = next(iter(rulebook.sub_items()))
    assert Decimal(str(sheet.cell(row=2, column=4).value)) == first.points


def test_template_drop_downs(tmp_path):
    path = write_template(SEASON, load_rulebook(), tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(path)
    identity = workbook["基本信息"]
    lists = {
        str(v.sqref): v.formula1
        for v in identity.data_validations.dataValidation
        if v.type == "list"
    }
    assert lists["B4"] == "=选项!$A$2:$A$13"
    assert lists["B5"] == '"热源单位,供热单位"'
    figures = workbook["关键数据"]
    yes_no = next(
        v for v in figures.data_validations.dataValidation if v.formula1 == '"是,否"'
    )
    licence_row = 2 + list(KEY_FIGURES).index("licence_valid")
    assert f"C{licence_row}" in str(yes_no.sqref)


def test_template_prefills_season_and_headers(tmp_path):
    path = write_template(SEASON, load_rulebook(), tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(path)
    identity = workbook["基本信息"]
    assert identity["A6"].value == "供热季"
    assert identity["B6"].value == SEASON
    headers = [c.value for c in workbook["关键数据"][1]]
    assert headers == ["指标代码", "指标名称", "数值", "单位"]


def test_filled_template_reads_back(tmp_path):
    path = write_application(tmp_path / "application.xlsx", claims={"C1.1": "2.5"})
    application = parse([received(path, "application.xlsx")])
    assert application.defects == []
    assert application.identity["credit_code"] == CREDIT_CODE
    assert application.identity["county"] == "150402"
    assert application.identity["type"] == "heating"
    claims = {r["sub_item"]: r["claimed"] for r in application.claims.rows}
    assert claims["C1.1"] == Decimal("2.5")
    figures = {r["field"]: r["value"] for r in application.key_figures.rows}
    assert figures["platform_online_rate"] == Decimal("0.98")
    assert figures["licence_valid"] is True


def test_bad_key_figure_located(tmp_path):
    path = write_application(
        tmp_path / "application.xlsx", figures={"households_served": "一千户"}
    )
    application = parse([received(path, "application.xlsx")])
    (defect,) = application.defects
    assert defect.sheet == "关键数据"
    assert defect.row == 2
    assert defect.column == "value"
    assert defect.value == "一千户"
    assert defect.message.startswith("“供热户数”")


def test_unknown_county_and_type(tmp_path):
    path = write_application(
        tmp_path / "application.xlsx",
        identity={"所属旗县区": "北京市", "企业类型": "物业公司"},
    )
    application = parse([received(path, "application.xlsx")])
    assert [d.rule for d in application.defects] == [
        "application.county",
        "application.type",
    ]


def _identity_rows(path: Path, rows: list[tuple[str, object]]) -> None:
    """Append (label, value) rows to the identity sheet of a filled workbook."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["基本信息"]
    for label, value in rows:
        sheet.append([label, value])
    workbook.save(path)


def test_duplicate_identity_field_is_blocking(tmp_path):
    path = write_application(tmp_path / "application.xlsx")
    _identity_rows(path, [("企业名称", "冒名热力有限公司")])
    application = parse([received(path, "application.xlsx")])
    (defect,) = application.defects
    assert defect.rule == "application.duplicate_identity"
    assert defect.severity == "blocking"
    assert defect.sheet == "基本信息"
    assert defect.row == openpyxl.load_workbook(path)["基本信息"].max_row
    assert defect.column == "内容"
    assert defect.value == "冒名热力有限公司"
    assert "“企业名称”填写了两次" in defect.message
    # The first row's value is kept; the second never replaces it.
    assert application.identity["name"] != "冒名热力有限公司"


def test_unreadable_identity_value_reported_once(tmp_path):
    workbook_path = write_application(tmp_path / "application.xlsx")
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["基本信息"]
    row = next(
        r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "企业名称"
    )
    sheet.cell(row, 2).value = "=#REF!"
    workbook.save(workbook_path)
    application = parse([received(workbook_path, "application.xlsx")])
    # One defect on the cell, and no second "not filled in" for the same field.
    assert [(d.row, d.column) for d in application.defects] == [(row, "内容")]
    assert application.defects[0].rule.startswith("cell.")


def test_missing_sheet(tmp_path):
    path = write_application(tmp_path / "application.xlsx")
    workbook = openpyxl.load_workbook(path)
    del workbook["自评分"]
    workbook.save(path)
    application = parse([received(path, "application.xlsx")])
    assert [(d.rule, d.sheet) for d in application.defects] == [
        ("application.missing_sheet", "自评分")
    ]


def test_application_json(tmp_path):
    data = {
        "identity": {
            "name": "红山热力",
            "credit_code": CREDIT_CODE,
            "county": "150402",
            "type": "heat_source",
            "season": "2025—2026年度",
        },
        "key_figures": {"households_served": 0, "clean_heat_share": "80%"},
        "claims": [{"sub_item": "C1.1", "claimed": 3}],
    }
    path = tmp_path / "application.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    application = parse([received(path, "application.json")])
    assert application.defects == []
    assert application.identity["season"] == "2025-2026"
    assert application.identity["type"] == "heat_source"
    figures = {r["field"]: r["value"] for r in application.key_figures.rows}
    assert figures["clean_heat_share"] == Decimal("0.8")


def test_application_json_duplicate_key_rejected(tmp_path):
    # json.loads keeps the last of two equal keys; the reply must name the key.
    path = tmp_path / "application.json"
    path.write_text(
        '{"identity": {"name": "红山热力", "name": "冒名热力"}, '
        '"key_figures": {}, "claims": []}',
        encoding="utf-8",
    )
    with pytest.raises(GridError) as raised:
        parse([received(path, "application.json")])
    defect = raised.value.defect
    assert defect.rule == "file.json_duplicate_key"
    assert defect.file == "application.json"
    assert defect.value == "name"
    assert "“name”" in defect.message


def test_application_csv_folder(tmp_path):
    folder = tmp_path / "application"
    folder.mkdir()
    (folder / "基本信息.csv").write_text(
        f"项目,内容\n企业名称,红山热力\n统一社会信用代码,{CREDIT_CODE}\n"
        "所属旗县区,150402\n企业类型,供热单位\n供热季,2025-2026\n",
        encoding="gbk",
    )
    (folder / "key_figures.csv").write_text(
        '指标代码,指标名称,数值,单位\nhouseholds_served,供热户数,"1,000",户\n'
    )
    (folder / "自评分.csv").write_text(
        "细项编号,类别,细项名称,满分,自评得分,说明\nC1.1,,,3,3,\n"
    )
    files = [
        received(folder / "基本信息.csv", "application/基本信息.csv"),
        received(folder / "key_figures.csv", "application/key_figures.csv"),
        received(folder / "自评分.csv", "application/自评分.csv"),
    ]
    application = parse(files)
    assert application.defects == []
    assert application.identity["name"] == "红山热力"
    assert application.key_figures.rows[0]["value"] == 1000


def test_identity_check_findings_name_their_row(tmp_path):
    from heateval.settings import get_settings
    from intake.check import check_path

    root = build_enterprise_package(
        tmp_path / "pkg", identity={"电子邮箱": "not-an-address"}
    )
    sheet = openpyxl.load_workbook(root / "application.xlsx")["基本信息"]
    email_row = next(
        r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "电子邮箱"
    )
    result = check_path(
        root,
        source="enterprise",
        season=SEASON,
        county=None,
        rulebook=load_rulebook(),
        limits=ArchiveLimits.from_settings(get_settings()),
    )
    (defect,) = [d for d in result.defects if d.rule == "identity.contact_email.format"]
    assert defect.sheet == "基本信息"
    assert defect.row == email_row
    assert defect.column == "内容"
    assert defect.value == "not-an-address"
