"""Turn a received package into a `ParsedPackage`: identity, claims, figures, tables.

Files are assigned roles by their place in the package (see docs/package.md):
the application, the tables, the readings export, evidence per sub-item, or, for
a bureau, the inspection records and the hotline export. A file with no role is
kept but not read, and reported for review.
"""

from __future__ import annotations

import hashlib
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from intake.archive import ReceivedFile, ReceivedPackage
from intake.defects import Defect, Severity
from intake.grids import GridError
from intake.schema import BUREAU_TABLES, ENTERPRISE_TABLES, IDENTITY_SHEET, TableSpec
from intake.sniff import FileKind, extension_of
from intake.tables import LOCATION_COLUMNS, TableResult, read_table
from intake.workbook import (
    Application,
    figure_values,
    parse_application,
    read_application_files,
)
from storage.hashing import canonical_json

Source = Literal["enterprise", "bureau"]
TABLE_EXTENSIONS = (".csv", ".xlsx", ".json")
READINGS_EXTENSIONS = (".csv", ".csv.gz", ".parquet")
EVIDENCE_KINDS = {
    FileKind.PDF: "pdf",
    FileKind.JPEG: "image",
    FileKind.PNG: "image",
    FileKind.DOCX: "office",
    FileKind.XLSX: "office",
}
IDENTITY_COLUMNS = (
    "name",
    "credit_code",
    "county",
    "type",
    "season",
    "contact_name",
    "contact_phone",
    "contact_email",
)


class PackageFile(BaseModel):
    """A received file with the role it plays in the package."""

    model_config = ConfigDict(frozen=True)

    path: str
    sha256: str
    size: int
    kind: str
    role: str  # application, a table name, readings, evidence, other
    local_path: Path


class EvidenceFile(BaseModel):
    """An evidence file filed under a rulebook sub-item."""

    model_config = ConfigDict(frozen=True)

    sub_item: str
    path: str
    sha256: str
    kind: str  # pdf, image, office


class ParsedPackage(BaseModel):
    """Everything intake read from one package, ready for checks and storage."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    source: Source
    name: str
    archive_sha256: str | None = None
    archive_size: int | None = None
    identity: dict[str, Any] = {}
    key_figures: dict[str, Any] = {}
    claims: dict[str, Decimal | None] = {}
    tables: dict[str, Any] = {}  # table name -> pandas DataFrame
    readings_path: Path | None = None
    readings_file: str | None = None
    evidence: list[EvidenceFile] = []
    files: list[PackageFile] = []
    ignored: list[str] = []
    defects: list[Defect] = []
    reported_cells: set[tuple[str, str | None, int | None, str | None]] = set()

    @property
    def blocking(self) -> list[Defect]:
        """The defects that stop the package."""
        return [d for d in self.defects if d.severity == Severity.BLOCKING]

    @property
    def accepted(self) -> bool:
        """True when no blocking defect was found."""
        return not self.blocking

    def manifest(self) -> list[dict[str, Any]]:
        """Return the package content as (path, sha256, size), sorted by path."""
        return [
            {"path": f.path, "sha256": f.sha256, "size": f.size}
            for f in sorted(self.files, key=lambda f: f.path)
        ]

    def manifest_bytes(self) -> bytes:
        """Canonical JSON of the manifest, the bytes behind `manifest_sha256`."""
        return canonical_json(self.manifest()).encode("utf-8")

    @property
    def manifest_sha256(self) -> str:
        """Identity of the package content, whether it came as a folder or a zip."""
        return hashlib.sha256(self.manifest_bytes()).hexdigest()


def _defect(file: str, rule: str, message: str, severity: Severity) -> Defect:
    return Defect(file=file, rule=rule, severity=severity, message=message)


def _table_name(stem: str, specs: dict[str, TableSpec]) -> str | None:
    """Match a file stem to a table by English name or Chinese title."""
    key = unicodedata.normalize("NFKC", stem).strip().lower()
    for spec in specs.values():
        if key in (spec.name, spec.title):
            return spec.name
    return None


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    extension = extension_of(name)
    return name[: len(name) - len(extension)] if extension else name


def parse_package(
    received: ReceivedPackage, *, source: Source, sub_items: set[str]
) -> ParsedPackage:
    """Read a checked package; `sub_items` are the rulebook ids evidence may name."""
    parsed = ParsedPackage(
        source=source,
        name=received.name,
        archive_sha256=received.archive_sha256,
        archive_size=received.archive_size,
        ignored=list(received.ignored),
        defects=list(received.defects),
    )
    if received.rejected:
        parsed.files = [_package_file(f, "other") for f in received.files]
        return parsed
    if not received.files:
        parsed.defects.append(
            _defect(
                received.name,
                "package.empty",
                "提交的文件夹或压缩包里没有任何文件。请放入申报及自评表 "
                "application.xlsx、tables/ 下的台账和 evidence/ 下的证明材料后"
                "重新提交。",
                Severity.BLOCKING,
            )
        )
        return parsed
    if source == "enterprise":
        _parse_enterprise(received, parsed, sub_items)
    else:
        _parse_bureau(received, parsed)
    return parsed


def _package_file(received: ReceivedFile, role: str) -> PackageFile:
    return PackageFile(
        path=received.path,
        sha256=received.sha256,
        size=received.size,
        kind=received.kind.value,
        role=role,
        local_path=received.local_path,
    )


def _parse_enterprise(
    received: ReceivedPackage, parsed: ParsedPackage, sub_items: set[str]
) -> None:
    application_files: list[ReceivedFile] = []
    table_files: dict[str, ReceivedFile] = {}
    readings: list[ReceivedFile] = []
    roles: dict[str, str] = {}

    for item in received.files:
        path = item.path
        lower = path.lower()
        parts = path.split("/")
        role = "other"
        if lower in ("application.xlsx", "application.json") or (
            len(parts) == 2 and parts[0].lower() == "application"
        ):
            application_files.append(item)
            role = "application"
        elif len(parts) == 2 and parts[0].lower() == "tables":
            name = _table_name(_stem(parts[1]), ENTERPRISE_TABLES)
            if name is not None and extension_of(path) in TABLE_EXTENSIONS:
                if name in table_files:
                    parsed.defects.append(_duplicate(path, table_files[name].path))
                else:
                    table_files[name] = item
                role = name
        elif (
            parts[0].lower() == "readings" and extension_of(path) in READINGS_EXTENSIONS
        ):
            readings.append(item)
            role = "readings"
        elif parts[0].lower() == "evidence" and len(parts) >= 3:
            role = "evidence"
            _add_evidence(item, parts[1], sub_items, parsed)
        roles[path] = role
        if role == "other":
            parsed.defects.append(_unexpected(path))

    parsed.files = [_package_file(f, roles[f.path]) for f in received.files]
    _read_application(application_files, received.name, parsed)
    _read_tables(table_files, ENTERPRISE_TABLES, parsed)
    _pick_readings(readings, parsed)
    parsed.tables["evidence"] = _evidence_frame(parsed.evidence)


def _duplicate(path: str, first: str) -> Defect:
    return _defect(
        path,
        "package.duplicate_table",
        f"同一张表提交了两个文件（另一个是 {first}），请只保留一个。",
        Severity.BLOCKING,
    )


def _unexpected(path: str) -> Defect:
    return _defect(
        path,
        "package.unexpected_file",
        "该文件不在规定的位置，不会被读取（已按原样保存）。"
        "台账放在 tables/，证明材料放在 evidence/<细项编号>/。",
        Severity.REVIEW,
    )


def _add_evidence(
    item: ReceivedFile, folder: str, sub_items: set[str], parsed: ParsedPackage
) -> None:
    sub_item = unicodedata.normalize("NFKC", folder).strip().upper()
    if sub_item not in sub_items:
        parsed.defects.append(
            Defect(
                file=item.path,
                value=folder,
                rule="evidence.unknown_sub_item",
                severity=Severity.BLOCKING,
                message=f"证明材料文件夹“{folder}”不是评价标准中的细项编号"
                "（应为 C1.1…C8.5 或 B1…B5），请放到对应细项的文件夹中。",
            )
        )
        return
    kind = EVIDENCE_KINDS.get(item.kind)
    if kind is None:
        parsed.defects.append(
            Defect(
                file=item.path,
                value=extension_of(item.path) or None,
                rule="evidence.file_type",
                severity=Severity.BLOCKING,
                message="证明材料只受理 PDF、JPG、PNG、DOCX、XLSX 文件，"
                "请转换格式后重新提交。",
            )
        )
        return
    parsed.evidence.append(
        EvidenceFile(sub_item=sub_item, path=item.path, sha256=item.sha256, kind=kind)
    )


def _evidence_frame(evidence: list[EvidenceFile]) -> Any:
    import pandas as pd

    rows = [
        {
            "sub_item": e.sub_item,
            "path": e.path,
            "kind": e.kind,
            "sha256": e.sha256,
            "_file": e.path,
            "_sheet": None,
            "_row": None,
        }
        for e in evidence
    ]
    columns = ["sub_item", "path", "kind", "sha256", *LOCATION_COLUMNS]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _read_application(
    files: list[ReceivedFile], package_name: str, parsed: ParsedPackage
) -> None:
    if not files:
        parsed.defects.append(
            _defect(
                package_name,
                "package.missing_application",
                "缺少申报及自评表 application.xlsx，请用 heateval template "
                "生成的模板填写后放在材料文件夹的第一层。",
                Severity.BLOCKING,
            )
        )
        _store_application(Application(file="application.xlsx"), parsed)
        return
    if len(files) > 1 and any(not f.path.startswith("application/") for f in files):
        paths = "、".join(f.path for f in files)
        parsed.defects.append(
            _defect(
                files[0].path,
                "package.duplicate_application",
                f"申报表提交了多份（{paths}），请只保留一份。",
                Severity.BLOCKING,
            )
        )
        files = [files[0]]
    try:
        grids, name = read_application_files(files)
    except GridError as error:
        parsed.defects.append(error.defect)
        _store_application(Application(file=files[0].path), parsed)
        return
    _store_application(parse_application(grids, name), parsed)


def _store_application(application: Application, parsed: ParsedPackage) -> None:
    import pandas as pd

    parsed.identity = dict(application.identity)
    parsed.key_figures = figure_values(application.key_figures)
    parsed.claims = {
        row["sub_item"].upper(): row["claimed"]
        for row in application.claims.rows
        if row["sub_item"]
    }
    parsed.defects.extend(application.defects)
    parsed.reported_cells |= application.reported_cells

    identity_row: dict[str, Any] = {
        key: application.identity.get(key) for key in IDENTITY_COLUMNS
    }
    rows = {
        key: row
        for key, (_, row) in application.identity_rows.items()
        if row is not None
    }
    identity_row.update({"_file": application.file, "_sheet": IDENTITY_SHEET})
    identity_row["_row"] = None
    # Each field sits on a row of its own; the checks read it from `_row_<key>`.
    identity_row.update({f"_row_{key}": row for key, row in rows.items()})
    identity = pd.DataFrame([identity_row], dtype=object)
    identity.attrs.update(file=application.file, sheet=IDENTITY_SHEET, rows=rows)
    parsed.tables["identity"] = identity
    parsed.tables["key_figures"] = application.key_figures.frame()
    parsed.tables["claims"] = application.claims.frame()


def _read_tables(
    files: dict[str, ReceivedFile], specs: dict[str, TableSpec], parsed: ParsedPackage
) -> None:
    for name, spec in specs.items():
        item = files.get(name)
        if item is None:
            optional = (
                name == "complaints" and parsed.identity.get("type") == "heat_source"
            )
            missing = (
                f"tables/{name}.csv" if parsed.source == "enterprise" else f"{name}.csv"
            )
            parsed.defects.append(
                _defect(
                    missing,
                    "package.missing_table",
                    f"缺少{spec.title}（{name}.csv）。没有记录的表格也要提交，只保留表头行。",
                    Severity.REVIEW if optional else Severity.BLOCKING,
                )
            )
            parsed.tables[name] = TableResult(
                columns=tuple(c.key for c in spec.columns), file=missing
            ).frame()
            continue
        result = read_table(item, spec)
        parsed.defects.extend(result.defects)
        for defect in result.defects:
            parsed.reported_cells.add(
                (defect.file, defect.sheet, defect.row, defect.column)
            )
        parsed.tables[name] = result.frame()


def _pick_readings(readings: list[ReceivedFile], parsed: ParsedPackage) -> None:
    if len(readings) > 1:
        paths = "、".join(r.path for r in readings)
        parsed.defects.append(
            _defect(
                readings[1].path,
                "package.duplicate_readings",
                f"室温监测数据有多个文件（{paths}），请合并为一个文件后提交。",
                Severity.BLOCKING,
            )
        )
    if readings:
        parsed.readings_path = readings[0].local_path
        parsed.readings_file = readings[0].path
        return
    heat_source = parsed.identity.get("type") == "heat_source"
    parsed.defects.append(
        _defect(
            "readings/readings.csv",
            "package.missing_readings",
            "缺少室温在线监测数据 readings/readings.csv（也可为 .csv.gz 或 .parquet），"
            "请从监测平台导出后放入 readings 文件夹。",
            Severity.REVIEW if heat_source else Severity.BLOCKING,
        )
    )


def _parse_bureau(received: ReceivedPackage, parsed: ParsedPackage) -> None:
    table_files: dict[str, ReceivedFile] = {}
    roles: dict[str, str] = {}
    for item in received.files:
        parts = item.path.split("/")
        folder_ok = len(parts) == 1 or (
            len(parts) == 2 and parts[0].lower() == "tables"
        )
        name = _table_name(_stem(parts[-1]), BUREAU_TABLES)
        role = "other"
        if folder_ok and name and extension_of(item.path) in TABLE_EXTENSIONS:
            if name in table_files:
                parsed.defects.append(_duplicate(item.path, table_files[name].path))
            else:
                table_files[name] = item
            role = name
        roles[item.path] = role
        if role == "other":
            parsed.defects.append(_unexpected(item.path))
    parsed.files = [_package_file(f, roles[f.path]) for f in received.files]
    _read_tables(table_files, BUREAU_TABLES, parsed)
