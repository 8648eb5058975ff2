"""The committed sample packages, read back with plain readers and recounted.

These checks do not use intake: they read the files with csv, gzip and openpyxl and
count what docs/package.md lists as derived by intake, so a generator bug and an intake
bug cannot hide each other.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zipfile
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from stdnum.cn import uscc

from intake.schema import BUREAU_TABLES, ENTERPRISE_TABLES, KEY_FIGURES

MAGIC = {
    ".pdf": b"%PDF-",
    ".jpg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".xlsx": b"PK\x03\x04",
}
READING_KEYS = {
    "设备编号": "device_id",
    "户号": "household",
    "时间": "timestamp",
    "室温": "temperature",
}


def package_files(path: Path) -> dict[str, bytes]:
    """Return {package-relative path: bytes} of a folder or zip package."""
    if path.is_dir():
        return {
            p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*"))
            if p.is_file()
        }
    files = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = info.filename
            if not info.flag_bits & 0x800:
                name = name.encode("cp437").decode("gbk")
            files[name.split("/", 1)[1]] = archive.read(info)
    return files


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gbk")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M")
            if value.time() != datetime.min.time()
            else str(value.date())
        )
    return str(value)


def read_table(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    """Read an enterprise table (csv or xlsx) into rows keyed by English column keys."""
    spec = ENTERPRISE_TABLES[name]
    headers = {c.header: c.key for c in spec.columns} | {
        c.key: c.key for c in spec.columns
    }
    if f"tables/{name}.xlsx" in files:
        sheet = load_workbook(io.BytesIO(files[f"tables/{name}.xlsx"])).active
        grid = [
            [_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        grid = list(csv.reader(io.StringIO(decode_text(files[f"tables/{name}.csv"]))))
    keys = [headers[h] for h in grid[0]]
    return [dict(zip(keys, row, strict=True)) for row in grid[1:]]


def read_readings(files: dict[str, bytes]) -> list[dict[str, str]]:
    text = gzip.decompress(files["readings/readings.csv.gz"]).decode("utf-8")
    grid = list(csv.reader(io.StringIO(text)))
    keys = [READING_KEYS.get(h, h) for h in grid[0]]
    return [dict(zip(keys, row, strict=True)) for row in grid[1:]]


def workbook(files: dict[str, bytes], data_only: bool = True) -> Any:
    return load_workbook(io.BytesIO(files["application.xlsx"]), data_only=data_only)


def claims(book: Any) -> dict[str, Decimal]:
    sheet = book["自评分"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return {row[0]: Decimal(str(row[4])) for row in rows if row[0]}


@pytest.fixture(scope="module")
def accepted(scenario, samples_root) -> dict[str, dict[str, bytes]]:
    """Files of each enterprise's last (accepted) package, by credit code."""
    return {
        e["credit_code"]: package_files(samples_root / e["packages"][-1]["path"])
        for e in scenario["enterprises"]
    }


@pytest.fixture(scope="module")
def readings(accepted) -> dict[str, list[dict[str, str]]]:
    """Readings rows of each accepted package, by credit code."""
    return {code: read_readings(files) for code, files in accepted.items()}


@pytest.fixture(scope="module")
def workbooks(accepted) -> dict[str, Any]:
    """The application workbook (cached values) of each accepted package."""
    return {code: workbook(files) for code, files in accepted.items()}


@pytest.fixture(scope="module")
def first_versions(scenario, samples_root, by_role) -> dict[str, dict[str, bytes]]:
    """Files of each defective first version, by role."""
    return {
        role: package_files(samples_root / record["packages"][0]["path"])
        for role, record in by_role.items()
        if role.startswith("defect_")
    }


def _is_yes(value: str) -> bool:
    return value == "是"


def test_complaint_counts(scenario, accepted):
    for enterprise in scenario["enterprises"]:
        rows = read_table(accepted[enterprise["credit_code"]], "complaints")
        counted = [
            r
            for r in rows
            if _is_yes(r["valid"]) and not _is_yes(r["caused_by_household"])
        ]
        called = [r for r in counted if r["callback_satisfied"]]
        expected = enterprise["counts"]["complaints"]
        code = enterprise["credit_code"]
        assert len(counted) == expected["valid"], code
        assert (
            sum(_is_yes(r["responded_on_time"]) for r in counted)
            == expected["responded_on_time"]
        ), code
        assert sum(not r["closed_on"] for r in counted) == expected["unclosed"], code
        assert len(called) == expected["called_back"], code
        assert (
            sum(_is_yes(r["callback_satisfied"]) for r in called)
            == expected["satisfied"]
        ), code
        assert sum(_is_yes(r["repeat"]) for r in counted) == expected["repeat"], code
        assert enterprise["figures"]["valid_complaints"] == expected["valid"], code


def _hours(row: dict[str, str]) -> timedelta:
    return datetime.fromisoformat(row["ended_at"]) - datetime.fromisoformat(
        row["started_at"]
    )


def test_outage_incident_and_drill_counts(scenario, accepted):
    for enterprise in scenario["enterprises"]:
        files = accepted[enterprise["credit_code"]]
        figures = enterprise["figures"]
        code = enterprise["credit_code"]
        unplanned = [
            r for r in read_table(files, "outages") if not _is_yes(r["planned"])
        ]
        long = [
            r
            for r in unplanned
            if timedelta(hours=8) < _hours(r) <= timedelta(hours=24)
        ]
        very_long = [r for r in unplanned if _hours(r) > timedelta(hours=24)]
        levels = Counter(r["level"] for r in read_table(files, "incidents"))
        assert len(long) == figures["outages_over_8h"], code
        assert len(very_long) == figures["outages_over_24h"], code
        assert levels["一般"] + levels["较大"] == figures["safety_incidents"], code
        assert levels["重大"] == figures["major_accidents"], code
        assert len(read_table(files, "drills")) == figures["drills_held"], code


def _truncated(numerator: int, denominator: int) -> Decimal:
    """A share as intake reports readings shares: cut, not rounded, to 4 places."""
    share = Decimal(numerator) / Decimal(denominator)
    return share.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)


def test_readings_counts(scenario, readings):
    for enterprise in scenario["enterprises"]:
        rows = readings[enterprise["credit_code"]]
        county = scenario["counties"][enterprise["county"]]
        threshold = Decimal(county["temperature_threshold_c"])
        expected = enterprise["counts"]["readings"]
        code = enterprise["credit_code"]
        households = {r["household"] for r in rows}
        devices = {r["device_id"] for r in rows}
        below = sum(Decimal(r["temperature"]) < threshold for r in rows)
        assert len(rows) == expected["rows"], code
        assert len(households) == expected["households"], code
        assert len(devices) == expected["households"], code
        assert below == expected["below_threshold"], code
        compliance = _truncated(len(rows) - below, len(rows))
        measured = _truncated(len(households), enterprise["households_served"])
        figures = enterprise["figures"]
        assert str(compliance) == figures["room_temp_compliance"], code
        assert str(measured) == figures["households_measured_share"], code
        assert str(measured) == figures["device_coverage"], code


def test_readings_inside_the_season(scenario, readings):
    for enterprise in scenario["enterprises"]:
        county = scenario["counties"][enterprise["county"]]
        rows = readings[enterprise["credit_code"]]
        stamps = [datetime.fromisoformat(r["timestamp"]) for r in rows]
        assert min(stamps).date() >= county["season_start"], enterprise["credit_code"]
        assert max(stamps).date() <= county["season_end"], enterprise["credit_code"]


def _canonical(value: Any) -> Any:
    """Return a key figure as a bool or as normalised number text."""
    if isinstance(value, bool) or value in ("是", "否"):
        return value in (True, "是")
    if isinstance(value, str) and value.endswith("%"):
        return str((Decimal(value[:-1]) / 100).normalize())
    return str(Decimal(str(value)).normalize())


def test_key_figures_in_workbook(scenario, workbooks):
    for enterprise in scenario["enterprises"]:
        sheet = workbooks[enterprise["credit_code"]]["关键数据"]
        written = {
            row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)
        }
        assert set(written) == set(KEY_FIGURES)
        for field in KEY_FIGURES:
            got = _canonical(written[field])
            want = _canonical(enterprise["figures"][field])
            assert got == want, (enterprise["credit_code"], field, written[field])


def test_identity_in_workbook(scenario, workbooks):
    for enterprise in scenario["enterprises"]:
        sheet = workbooks[enterprise["credit_code"]]["基本信息"]
        identity = {
            row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)
        }
        assert identity["统一社会信用代码"] == enterprise["credit_code"]
        assert identity["企业名称"] == enterprise["name"]
        assert str(identity["所属旗县区"]).startswith(enterprise["county"])
        assert identity["供热季"] == "2025-2026"


def test_claimed_sub_items_have_evidence(scenario, accepted, workbooks):
    for enterprise in scenario["enterprises"]:
        files = accepted[enterprise["credit_code"]]
        folders = {path.split("/")[1] for path in files if path.startswith("evidence/")}
        book = workbooks[enterprise["credit_code"]]
        claimed = {item for item, points in claims(book).items() if points > 0}
        assert claimed == folders, enterprise["credit_code"]


def test_evidence_content_matches_extension(accepted):
    for code, files in accepted.items():
        for path, data in files.items():
            if path.startswith("evidence/"):
                extension = path[path.rindex(".") :]
                assert data.startswith(MAGIC[extension]), (code, path)


def test_only_the_pair_shares_a_file(by_role, accepted):
    owners: dict[str, set[tuple[str, str]]] = {}
    for code, files in accepted.items():
        for path, data in files.items():
            if path.startswith("evidence/"):
                owners.setdefault(hashlib.sha256(data).hexdigest(), set()).add(
                    (code, path)
                )
    shared = [
        holders for holders in owners.values() if len({c for c, _ in holders}) > 1
    ]
    pair = {
        by_role["evidence_owner"]["credit_code"],
        by_role["falsifier"]["credit_code"],
    }
    assert shared == [{(code, "evidence/B2/荣誉证书.pdf") for code in pair}]


def _bureau_rows(samples_root: Path, county: str, name: str) -> list[dict[str, str]]:
    spec = BUREAU_TABLES[name]
    keys = {c.header: c.key for c in spec.columns}
    text = decode_text((samples_root / "bureaus" / county / f"{name}.csv").read_bytes())
    grid = list(csv.reader(io.StringIO(text)))
    return [dict(zip([keys[h] for h in grid[0]], row, strict=True)) for row in grid[1:]]


def test_valid_hotline_tickets_are_in_ledgers(
    scenario, samples_root, accepted, by_role
):
    ledgers = {
        code: {row["hotline_ticket"] for row in read_table(files, "complaints")}
        for code, files in accepted.items()
    }
    missing = []
    for county in scenario["counties"]:
        for ticket in _bureau_rows(samples_root, county, "hotline"):
            if ticket["valid"] != "是":
                continue
            if ticket["ticket"] not in ledgers[ticket["credit_code"]]:
                missing.append((ticket["credit_code"], ticket["ticket"]))
    planted = by_role["hotline_mismatch"]
    (finding,) = [
        f
        for f in planted["packages"][-1]["review_findings"]
        if f["rule"] == "complaints.hotline_ticket.missing"
    ]
    assert missing == [(planted["credit_code"], finding["value"])]


def test_inspections_match_findings(scenario, samples_root):
    for county in scenario["counties"]:
        rows = _bureau_rows(samples_root, county, "inspections")
        for enterprise in [e for e in scenario["enterprises"] if e["county"] == county]:
            mine = [r for r in rows if r["credit_code"] == enterprise["credit_code"]]
            fixed = sum(_is_yes(r["fixed_on_time"]) for r in mine)
            assert len(mine) == enterprise["figures"]["findings_total"], enterprise[
                "credit_code"
            ]
            assert fixed == enterprise["figures"]["findings_fixed_on_time"], enterprise[
                "credit_code"
            ]


def test_table_formats_vary(scenario, accepted):
    gbk = xlsx = english = 0
    for enterprise in scenario["enterprises"]:
        files = accepted[enterprise["credit_code"]]
        if "tables/complaints.xlsx" in files:
            xlsx += 1
            continue
        data = files["tables/complaints.csv"]
        if enterprise["table_encoding"] == "gbk":
            assert not data.startswith(b"\xef\xbb\xbf")
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            gbk += 1
        if data.startswith(b"id,"):
            english += 1
    assert gbk >= 5
    assert xlsx == 2
    assert english == 2


def test_defect_credit_code(first_versions, by_role):
    files = first_versions["defect_credit_code"]
    sheet = workbook(files)["基本信息"]
    identity = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    written = identity["统一社会信用代码"]
    assert written[:17] == by_role["defect_credit_code"]["credit_code"][:17]
    assert not uscc.is_valid(written)


def test_defect_formula_without_cached_value(first_versions):
    files = first_versions["defect_formula"]
    formulas = {
        r[0]: r[2]
        for r in workbook(files, data_only=False)["关键数据"].iter_rows(
            min_row=2, values_only=True
        )
    }
    cached = {
        r[0]: r[2]
        for r in workbook(files)["关键数据"].iter_rows(min_row=2, values_only=True)
    }
    assert str(formulas["households_served"]).startswith("=")
    assert cached["households_served"] is None


def test_defect_temperature(first_versions, accepted, by_role):
    broken = read_table(first_versions["defect_temperature"], "spot_checks")
    code = by_role["defect_temperature"]["credit_code"]
    fixed = read_table(accepted[code], "spot_checks")
    impossible = [r for r in broken if not 0 <= Decimal(r["temperature"]) <= 40]
    assert len(impossible) == 1
    assert all(0 <= Decimal(r["temperature"]) <= 40 for r in fixed)
    assert len(broken) == len(fixed)


def test_defect_missing_evidence(first_versions):
    files = first_versions["defect_missing_evidence"]
    assert claims(workbook(files))["C6.4"] > 0
    assert not [p for p in files if p.startswith("evidence/C6.4/")]


def test_defect_disguised_image(first_versions):
    files = first_versions["defect_disguised_image"]
    (path,) = [p for p in files if p.startswith("evidence/C7.2/")]
    assert path.endswith(".pdf")
    assert files[path].startswith(b"\xff\xd8\xff")


def test_defect_missing_table(first_versions, accepted, by_role):
    files = first_versions["defect_late_correction"]
    assert not [p for p in files if p.startswith("tables/drills.")]
    fixed = accepted[by_role["defect_late_correction"]["credit_code"]]
    assert [p for p in fixed if p.startswith("tables/drills.")]


def test_defect_future_complaint(first_versions, scenario, by_role):
    rows = read_table(first_versions["defect_future_complaint"], "complaints")
    arrival = by_role["defect_future_complaint"]["packages"][0]["arrives"]
    future = [r for r in rows if date.fromisoformat(r["received_on"]) > arrival]
    assert [r["received_on"] for r in future] == ["2026-11-03"]


def test_zip_packages_have_one_top_folder(scenario, samples_root):
    zips = [
        p["path"]
        for e in scenario["enterprises"]
        for p in e["packages"]
        if p["path"].endswith(".zip")
    ]
    assert len(zips) >= 4
    for path in zips:
        with zipfile.ZipFile(samples_root / path) as archive:
            tops = {info.filename.split("/", 1)[0] for info in archive.infolist()}
        assert len(tops) == 1, path
