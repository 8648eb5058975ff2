"""Reading tables as real files come: encodings, merged cells, formulas, odd layouts."""

from __future__ import annotations

import codecs
import hashlib
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from intake.archive import ReceivedFile
from intake.schema import ENTERPRISE_TABLES
from intake.sniff import ArchiveLimits, sniff
from intake.tables import read_table

LIMITS = ArchiveLimits(
    max_entries=50, max_total_bytes=10**8, max_file_bytes=10**8, max_ratio=200
)
DRILLS = ENTERPRISE_TABLES["drills"]
COMPLAINTS = ENTERPRISE_TABLES["complaints"]
DRILL_HEADER = "编号,演练日期,主题,参加人数\r\n"


def received(path: Path, name: str) -> ReceivedFile:
    data = path.read_bytes()
    return ReceivedFile(
        path=name,
        local_path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        kind=sniff(path, LIMITS).kind,
    )


def read_drills(path: Path, name: str = "tables/drills.csv"):
    return read_table(received(path, name), DRILLS)


def test_csv_in_gbk(tmp_path):
    path = tmp_path / "drills.csv"
    path.write_bytes((DRILL_HEADER + "D1,2025年12月1日,爆管抢修,30\r\n").encode("gbk"))
    result = read_drills(path)
    assert result.defects == []
    assert result.rows[0]["topic"] == "爆管抢修"
    assert result.rows[0]["held_on"] == date(2025, 12, 1)


def test_csv_with_utf8_bom(tmp_path):
    path = tmp_path / "drills.csv"
    text = DRILL_HEADER + "D1,2025/12/1,演练,30\r\n"
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    result = read_drills(path)
    assert result.defects == []
    assert result.rows[0]["id"] == "D1"


def test_csv_utf16_with_tabs(tmp_path):
    path = tmp_path / "drills.csv"
    text = "编号\t演练日期\t主题\t参加人数\r\nD1\t2025-12-01\t演练\t30\r\n"
    path.write_bytes(text.encode("utf-16"))
    result = read_drills(path)
    assert result.rows[0]["participants"] == 30


def test_csv_undecodable_bytes(tmp_path):
    path = tmp_path / "drills.csv"
    path.write_bytes(DRILL_HEADER.encode("utf-8") + b"D1,\xff\xfe\xfd\x80,x,1\r\n")
    result = read_drills(path)
    assert [d.rule for d in result.defects] == ["file.encoding"]


def test_csv_row_numbers_count_multiline_records(tmp_path):
    path = tmp_path / "drills.csv"
    body = 'D1,2025-12-01,"第一行\n第二行",30\r\nD2,2025-12-02,x,abc\r\n'
    path.write_text(DRILL_HEADER + body, encoding="utf-8")
    result = read_drills(path)
    (defect,) = result.defects
    assert defect.row == 3
    assert defect.column == "participants"
    assert defect.value == "abc"
    assert defect.file == "tables/drills.csv"
    assert defect.sheet is None


def test_csv_title_row_above_header(tmp_path):
    path = tmp_path / "drills.csv"
    path.write_text("应急演练记录,,,\r\n" + DRILL_HEADER + "D1,2025-12-01,x,5\r\n")
    result = read_drills(path)
    assert result.rows[0]["_row"] == 3


def test_headers_with_units_and_full_width_spaces(tmp_path):
    path = tmp_path / "drills.csv"
    path.write_text("编号,演练日期,主　题,参加人数（人）\r\nD1,2025-12-01,x,5\r\n")
    result = read_drills(path)
    assert result.defects == []
    assert result.rows[0]["participants"] == 5


def test_english_keys_accepted_as_headers(tmp_path):
    path = tmp_path / "drills.csv"
    path.write_text("id,held_on,topic,participants\r\nD1,2025-12-01,x,5\r\n")
    result = read_drills(path)
    assert result.rows[0]["held_on"] == date(2025, 12, 1)


def test_missing_column_named(tmp_path):
    path = tmp_path / "drills.csv"
    path.write_text("编号,演练日期,主题\r\nD1,2025-12-01,x\r\n")
    result = read_drills(path)
    (defect,) = result.defects
    assert defect.rule == "table.missing_column"
    assert defect.column == "参加人数"


def test_header_only_table_has_columns(tmp_path):
    path = tmp_path / "drills.csv"
    path.write_text(DRILL_HEADER)
    frame = read_drills(path).frame()
    assert len(frame) == 0
    assert list(frame.columns) == [
        "id",
        "held_on",
        "topic",
        "participants",
        "_file",
        "_sheet",
        "_row",
    ]
    assert frame.attrs["file"] == "tables/drills.csv"


def test_blank_and_total_rows_skipped(tmp_path):
    path = tmp_path / "drills.csv"
    path.write_text(DRILL_HEADER + "D1,2025-12-01,x,5\r\n,,,\r\n合计,,,5\r\n")
    result = read_drills(path)
    assert [r["id"] for r in result.rows] == ["D1"]


def test_json_table_numbers_are_exact(tmp_path):
    path = tmp_path / "spot_checks.json"
    rows = [{"编号": "S1", "抽测日期": "2025-12-20", "户号": "H1", "室温": 18.1}]
    path.write_text(json.dumps(rows, ensure_ascii=False))
    result = read_table(
        received(path, "tables/spot_checks.json"), ENTERPRISE_TABLES["spot_checks"]
    )
    assert result.rows[0]["temperature"] == Decimal("18.1")
    assert result.rows[0]["_row"] == 1


def test_json_not_a_list(tmp_path):
    path = tmp_path / "drills.json"
    path.write_text('{"编号": "D1"}')
    result = read_drills(path, "tables/drills.json")
    assert [d.rule for d in result.defects] == ["file.json"]


def write_xlsx(path: Path, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "演练"
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    workbook.save(path)
    return path


def patch_sheet(path: Path, old: str, new: str) -> None:
    """Replace text in the first sheet's XML, e.g. to add a cached formula value."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert old in xml
    parts["xl/worksheets/sheet1.xml"] = xml.replace(old, new).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


HEADER = ["编号", "演练日期", "主题", "参加人数"]


def test_xlsx_merged_date_cells_fill_down(tmp_path):
    path = write_xlsx(
        tmp_path / "drills.xlsx",
        [HEADER, ["D1", "2025年12月1日", "a", 5], ["D2", None, "b", 6]],
        merges=("B2:B3",),
    )
    result = read_drills(path, "tables/drills.xlsx")
    assert result.defects == []
    assert [r["held_on"] for r in result.rows] == [date(2025, 12, 1)] * 2
    assert result.rows[1]["_sheet"] == "演练"
    assert result.rows[1]["_row"] == 3


def test_xlsx_date_cells_and_serials(tmp_path):
    path = write_xlsx(
        tmp_path / "drills.xlsx",
        [HEADER, ["D1", date(2025, 12, 1), "a", 5], ["D2", 46023, "b", 6.0]],
    )
    result = read_drills(path, "tables/drills.xlsx")
    assert [r["held_on"] for r in result.rows] == [date(2025, 12, 1), date(2026, 1, 1)]
    assert result.rows[1]["participants"] == 6


def test_xlsx_formula_without_cached_value(tmp_path):
    path = write_xlsx(
        tmp_path / "drills.xlsx", [HEADER, ["D1", "2025-12-01", "a", "=2+3"]]
    )
    result = read_drills(path, "tables/drills.xlsx")
    (defect,) = result.defects
    assert defect.rule == "cell.formula_uncached"
    assert defect.row == 2
    assert defect.column == "participants"
    assert defect.value == "=2+3"
    assert "重新计算" in defect.message
    assert result.rows[0]["participants"] is None


def test_xlsx_formula_with_cached_value(tmp_path):
    path = write_xlsx(
        tmp_path / "drills.xlsx", [HEADER, ["D1", "2025-12-01", "a", "=2+3"]]
    )
    patch_sheet(path, "<f>2+3</f><v />", "<f>2+3</f><v>5</v>")
    result = read_drills(path, "tables/drills.xlsx")
    assert result.defects == []
    assert result.rows[0]["participants"] == 5


def test_xlsx_formula_error_value(tmp_path):
    path = write_xlsx(
        tmp_path / "drills.xlsx", [HEADER, ["D1", "2025-12-01", "a", "=1/0"]]
    )
    patch_sheet(
        path, '<c r="D2"><f>1/0</f><v />', '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v>'
    )
    result = read_drills(path, "tables/drills.xlsx")
    (defect,) = result.defects
    assert defect.rule == "cell.formula_error"
    assert defect.value == "#DIV/0!"


def test_xlsx_title_row_merged_across(tmp_path):
    path = write_xlsx(
        tmp_path / "drills.xlsx",
        [["应急演练记录", None, None, None], HEADER, ["D1", "2025-12-01", "a", 5]],
        merges=("A1:D1",),
    )
    result = read_drills(path, "tables/drills.xlsx")
    assert result.rows[0]["_row"] == 3


def test_unreadable_date_names_cell(tmp_path):
    path = tmp_path / "complaints.csv"
    header = ",".join(c.header for c in COMPLAINTS.columns)
    path.write_text(header + "\r\nT1,上周三,H1,x,是,否,是,,,否,\r\n", encoding="utf-8")
    result = read_table(received(path, "tables/complaints.csv"), COMPLAINTS)
    (defect,) = result.defects
    assert defect.file == "tables/complaints.csv"
    assert defect.row == 2
    assert defect.column == "received_on"
    assert defect.value == "上周三"
    assert defect.message.startswith("“受理日期”")


def test_xlsx_over_row_limit_refused_before_loading(tmp_path):
    from intake.grids import GridError, read_xlsx_grids

    path = tmp_path / "drills.xlsx"
    workbook = openpyxl.Workbook()
    for number in range(7):
        workbook.active.append([f"D{number}", "2025-12-01"])
    workbook.save(path)

    assert len(read_xlsx_grids(path, "tables/drills.xlsx", max_rows=7)[0].rows) == 7
    with pytest.raises(GridError) as raised:
        read_xlsx_grids(path, "tables/drills.xlsx", max_rows=6)
    defect = raised.value.defect
    assert defect.rule == "file.too_many_rows"
    assert defect.file == "tables/drills.xlsx"
    assert "7 行" in defect.message
    assert "上限 6 行" in defect.message


def test_csv_over_row_limit_refused(tmp_path):
    from intake.grids import GridError, read_csv_grid

    path = tmp_path / "drills.csv"
    path.write_text("编号,日期\n" + "D1,2025-12-01\n" * 6, encoding="utf-8")

    assert len(read_csv_grid(path, "tables/drills.csv", max_rows=7).rows) == 7
    with pytest.raises(GridError) as raised:
        read_csv_grid(path, "tables/drills.csv", max_rows=6)
    assert raised.value.defect.rule == "file.too_many_rows"
    assert "上限 6 行" in raised.value.defect.message


def test_xlsx_with_entity_declaration_refused(tmp_path):
    # A worksheet declaring an entity (the start of a "billion laughs") is not
    # parsed at all.
    from intake.grids import GridError, read_xlsx_grids

    path = tmp_path / "drills.xlsx"
    openpyxl.Workbook().save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        b'main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is>'
        b"</c></row></sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)

    with pytest.raises(GridError) as raised:
        read_xlsx_grids(path, "tables/drills.xlsx")
    assert raised.value.defect.rule == "file.xlsx"


def test_mixed_encoding_names_the_line(tmp_path):
    from intake.grids import GridError, decode_text

    # A GBK header, then a UTF-8 line: UTF-8 fails at the first byte, GB18030 on
    # the second line, which is where the file stops being GBK.
    data = "编号,日期\n".encode("gbk") + "D1,演\n".encode()
    with pytest.raises(GridError) as raised:
        decode_text(data, "tables/drills.csv")
    assert "第 2 行" in raised.value.defect.message
