"""Open data: spreadsheet-safe CSV cells, CSV layout and the JSON Schema."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from publication import opendata, query
from publication.notices import build_publicity_notice
from publication.pages import PageContext
from tests.publication.builders import CODES, HOSTILE_NAME, Archive


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("\n@x", "'\n@x"),
        ("红山区", "红山区"),
        ("85.00", "85.00"),
        ("<img src=x>", "<img src=x>"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_cell(cell: str, expected: str) -> None:
    assert opendata.neutralise_cell(cell) == expected


def _publicity_csv(archive: Archive) -> bytes:
    with archive.session() as session:
        notice = query.publicity_notice(session, "2025-2026", "150402", 1)
    return build_publicity_notice(notice, PageContext(), pdf=False).csv_bytes


def test_csv_starts_with_bom_and_uses_crlf(shared_archive: Archive) -> None:
    content = _publicity_csv(shared_archive)
    assert content.startswith("\ufeff".encode())
    assert content.count(b"\r\n") == 4  # header and three rows


def test_csv_keeps_hostile_name_in_one_cell(shared_archive: Archive) -> None:
    text = _publicity_csv(shared_archive).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    hostile = [row for row in rows if row["credit_code"] == CODES["E2"]]
    assert len(hostile) == 1
    assert hostile[0]["enterprise_name"] == HOSTILE_NAME
    assert hostile[0]["final"] == "65.00"
    assert hostile[0]["C5_points"] == "10.50"


def test_csv_neutralises_formula_name(shared_archive: Archive) -> None:
    record = {column: "" for column in opendata.COLUMNS}
    record["enterprise_name"] = '=HYPERLINK("http://x")'
    text = opendata.to_csv([record]).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["enterprise_name"] == '\'=HYPERLINK("http://x")'


def test_csv_leaves_inapplicable_category_empty(shared_archive: Archive) -> None:
    text = _publicity_csv(shared_archive).decode("utf-8-sig")
    rows = {row["credit_code"]: row for row in csv.DictReader(io.StringIO(text))}
    heat_source = rows[CODES["E3"]]
    assert heat_source["C5_points"] == ""
    assert heat_source["C8_points"] == ""
    assert heat_source["C1_points"] == "8.50"


def test_json_matches_schema(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        notice = query.publicity_notice(session, "2025-2026", "150404", 2)
    document = build_publicity_notice(notice, PageContext(), pdf=False)
    data = json.loads(document.json_bytes)
    jsonschema.Draft202012Validator(opendata.json_schema()).validate(data)
    assert data["round"] == 2
    assert data["content_hash"] == document.content_hash
    assert [r["final"] for r in data["records"]] == ["74.00"]


def test_schema_itself_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(opendata.json_schema())
