"""Assemble an enterprise package, plant a designed defect, and write it as sent.

`PackageContent` is the package before serialisation: table rows, the readings
export, the workbook inputs and the evidence files. A defect design changes a copy
of it (`apply_defect`), and `package_files` turns it into the files on disk, with
each enterprise's own habits: CSV encoding, tables saved as xlsx, English headers.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zipfile import ZipInfo

from openpyxl import Workbook

from intake.cells import Kind
from intake.schema import ENTERPRISE_TABLES
from rules.rulebook import Rulebook
from samples import names
from samples.evidence import EvidenceFile
from samples.filewriters import encode_csv, gzip_bytes, xlsx_bytes, zip_bytes
from samples.roster import Enterprise, Packaging, Role
from samples.workbook import Claim, WorkbookStyle, application_xlsx

# The designed defect of each defect role: what is wrong in the first version and
# the rule ids intake reports for it. A corrected version follows (see scenario).
DEFECT_DESIGNS: dict[Role, dict[str, Any]] = {
    Role.DEFECT_FUTURE_COMPLAINT: {
        "summary": "投诉台账中一条投诉的受理日期写成了 2026-11-03"
        "（应为 2025-11-03），晚于提交日",
        "rules": ["complaints.received_on.in_season"],
    },
    Role.DEFECT_MISSING_EVIDENCE: {
        "summary": "自评分中 C6.4 特种设备检验申报了得分，"
        "但 evidence/C6.4/ 下没有任何证明材料",
        "rules": ["claims.claimed.evidence"],
    },
    Role.DEFECT_CREDIT_CODE: {
        "summary": "基本信息中的统一社会信用代码末位校验码录错",
        "rules": ["cell.credit_code"],
    },
    Role.DEFECT_FORMULA: {
        "summary": "关键数据中供热户数写成公式 =A+B，"
        "文件未在 Excel 中保存过，公式没有计算结果",
        "rules": ["cell.formula_uncached"],
    },
    Role.DEFECT_TEMPERATURE: {
        "summary": "室温抽测记录中一条室温录为 195（应为 19.5），超出 0 至 40 ℃",
        "rules": ["spot_checks.temperature.possible"],
    },
    Role.DEFECT_DISGUISED_IMAGE: {
        "summary": "C7.2 的演练照片（JPEG）被改名为 .pdf 提交，内容与扩展名不符",
        "rules": ["file.content_mismatch"],
    },
    Role.DEFECT_LATE_CORRECTION: {
        "summary": "缺少应急演练记录表 tables/drills.csv",
        "rules": ["package.missing_table"],
    },
}
FUTURE_DAY = date(2026, 11, 3)


@dataclass
class PackageContent:
    """One version of an enterprise package before it is written."""

    tables: dict[str, list[dict[str, str]]]
    readings_csv: bytes
    key_figures: dict[str, Any]
    claims: list[Claim]
    evidence: list[EvidenceFile]
    credit_code: str | None = None  # None: the enterprise's own code
    formulas: dict[str, str] = field(default_factory=dict)
    note: str = ""  # what the defect design changed, for the scenario


def apply_defect(
    content: PackageContent, role: Role, enterprise: Enterprise, rng: random.Random
) -> PackageContent:
    """Return a copy of `content` with the defect of `role` planted."""
    broken = copy.deepcopy(content)
    if role is Role.DEFECT_FUTURE_COMPLAINT:
        # A row without a hotline ticket, so the bureau's record stays consistent.
        rows = [r for r in broken.tables["complaints"] if not r["hotline_ticket"]]
        rows.sort(key=lambda r: r["valid"] != "是")
        row = rows[0]
        row["received_on"] = str(FUTURE_DAY)
        if row["closed_on"]:
            row["closed_on"] = str(FUTURE_DAY.replace(day=5))
        broken.note = f"complaints.csv {row['id']} 受理日期 {FUTURE_DAY}"
    elif role is Role.DEFECT_MISSING_EVIDENCE:
        broken.evidence = [e for e in broken.evidence if e.sub_item != "C6.4"]
        if len(broken.evidence) == len(content.evidence):
            raise ValueError("the missing-evidence design needs C6.4 claimed")
        broken.note = "evidence/C6.4/ 缺失"
    elif role is Role.DEFECT_CREDIT_CODE:
        broken.credit_code = names.break_check_character(enterprise.credit_code)
        broken.note = f"统一社会信用代码 {broken.credit_code}"
    elif role is Role.DEFECT_FORMULA:
        served = int(broken.key_figures["households_served"])
        first = served * 3 // 5
        broken.formulas["households_served"] = f"={first}+{served - first}"
        broken.note = broken.formulas["households_served"]
    elif role is Role.DEFECT_TEMPERATURE:
        # The decimal point is missing: 19.5 typed as 195.
        row = broken.tables["spot_checks"][len(broken.tables["spot_checks"]) // 2]
        row["temperature"] = row["temperature"].replace(".", "")
        broken.note = f"spot_checks.csv {row['id']} 室温 {row['temperature']}"
    elif role is Role.DEFECT_DISGUISED_IMAGE:
        photo = next(e for e in broken.evidence if e.sub_item == "C7.2")
        renamed = EvidenceFile(photo.sub_item, photo.name[:-4] + ".pdf", photo.data)
        broken.evidence = [renamed if e is photo else e for e in broken.evidence]
        broken.note = renamed.path
    elif role is Role.DEFECT_LATE_CORRECTION:
        del broken.tables["drills"]
        broken.note = "tables/drills.csv 缺失"
    else:
        raise ValueError(f"{role} is not a defect design")
    return broken


def _typed_cell(value: str, kind: Kind) -> Any:
    """Convert a table cell to the type a spreadsheet program would store."""
    if value == "":
        return None
    if kind is Kind.DATE:
        return date.fromisoformat(value)
    if kind is Kind.DATETIME:
        return datetime.fromisoformat(value)  # naive local time, as Excel stores it
    if kind is Kind.INT:
        return int(value)
    if kind in (Kind.DECIMAL, Kind.SIGNED_DECIMAL):
        return Decimal(value)
    return value


def table_file(
    name: str, rows: list[dict[str, str]], enterprise: Enterprise, moment: datetime
) -> tuple[str, bytes]:
    """Return the path and bytes of one table in the enterprise's format."""
    spec = ENTERPRISE_TABLES[name]
    english = enterprise.table_encoding == "utf-8"  # exported by an IT system
    header = [c.key if english else c.header for c in spec.columns]
    if name in enterprise.xlsx_tables:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = spec.title
        sheet.append(header)
        for row in rows:
            sheet.append([_typed_cell(row[c.key], c.kind) for c in spec.columns])
        return f"tables/{name}.xlsx", xlsx_bytes(workbook, moment)
    body = [[row[c.key] for c in spec.columns] for row in rows]
    return f"tables/{name}.csv", encode_csv(header, body, enterprise.table_encoding)


def package_files(
    enterprise: Enterprise,
    content: PackageContent,
    season: str,
    rulebook: Rulebook,
    moment: datetime,
    style: WorkbookStyle,
) -> list[tuple[str, bytes]]:
    """Return (path, bytes) of every file of the package, sorted by path."""
    workbook = application_xlsx(
        enterprise,
        content.key_figures,
        content.claims,
        season,
        rulebook,
        moment,
        style,
        credit_code=content.credit_code,
        formulas=content.formulas,
    )
    files = [("application.xlsx", workbook)]
    for name, rows in content.tables.items():
        files.append(table_file(name, rows, enterprise, moment))
    files.append(("readings/readings.csv.gz", gzip_bytes(content.readings_csv)))
    files += [(e.path, e.data) for e in content.evidence]
    return sorted(files)


class _GbkZipInfo(ZipInfo):
    """A zip entry whose name is stored in GBK without the UTF-8 flag.

    Zip tools of Chinese Windows write names this way. `ZipInfo._encodeFilenameFlags`
    is CPython's internal hook for the stored name (3.11); overriding it is the only
    way to write such names with the standard library.
    """

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def write_package(
    target: Path,
    files: list[tuple[str, bytes]],
    packaging: Packaging,
    top_folder: str,
    moment: datetime,
) -> Path:
    """Write the package as the folder `target` or as `target`.zip; return its path."""
    if packaging is Packaging.FOLDER:
        for path, data in files:
            destination = target / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        return target
    archive = target.with_name(target.name + ".zip")
    entries = [(f"{top_folder}/{path}", data) for path, data in files]
    info_class = _GbkZipInfo if packaging is Packaging.ZIP_GBK_NAMES else ZipInfo
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(zip_bytes(entries, moment, info_class=info_class))
    return archive
