"""Read the application and self-assessment: identity, key figures and claimed points.

Three forms are accepted, all read into the same grids: `application.xlsx` (sheets
基本信息, 关键数据, 自评分), `application.json`, and a folder `application/` holding
one CSV per sheet (基本信息.csv or identity.csv, and so on).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from intake.archive import ReceivedFile
from intake.cells import CellError, cell_defect, describe, is_blank, normalise_text
from intake.defects import Defect, Severity
from intake.grids import Grid, GridError, decode_text, json_records_grid
from intake.schema import (
    CLAIM_COLUMNS,
    CLAIMS_SHEET,
    DERIVED_FIGURES,
    ENTERPRISE_TYPE_NAMES,
    IDENTITY_FIELDS,
    IDENTITY_HEADERS,
    IDENTITY_SHEET,
    KEY_FIGURE_COLUMNS,
    KEY_FIGURES,
    KEY_FIGURES_SHEET,
    Column,
    figure_kind,
    figure_label,
    header_key,
)
from intake.tables import (
    TableResult,
    find_header,
    load_grids,
    read_cell_at,
    rows_from_grid,
)
from rules.counties import load_counties

SHEETS = (IDENTITY_SHEET, KEY_FIGURES_SHEET, CLAIMS_SHEET)
SHEET_ALIASES = {
    IDENTITY_SHEET: ("identity",),
    KEY_FIGURES_SHEET: ("key_figures",),
    CLAIMS_SHEET: ("claims",),
}
REQUIRED_IDENTITY = ("name", "credit_code", "county", "type", "season")
# The identity sheet's value column, where each field's defects point.
VALUE = IDENTITY_HEADERS[1]
_SEASON = re.compile(r"^(\d{4})\s*[-—–~/至到]\s*(\d{4})")


@dataclass
class Application:
    """The parsed application: identity, key figures and claims, with locations."""

    file: str
    identity: dict[str, Any] = field(default_factory=dict)
    identity_rows: dict[str, tuple[str | None, int | None]] = field(
        default_factory=dict
    )
    key_figures: TableResult = field(default_factory=TableResult)
    claims: TableResult = field(default_factory=TableResult)
    defects: list[Defect] = field(default_factory=list)
    reported_cells: set[tuple[str, str | None, int | None, str | None]] = field(
        default_factory=set
    )


def _sheet_name_key(name: str) -> str:
    return header_key(name)


def grids_by_sheet(grids: list[Grid]) -> dict[str, Grid]:
    """Map each known sheet name (or its English alias) to its grid."""
    wanted = {}
    for sheet, aliases in SHEET_ALIASES.items():
        for name in (sheet, *aliases):
            wanted[_sheet_name_key(name)] = sheet
    found: dict[str, Grid] = {}
    for grid in grids:
        sheet = wanted.get(_sheet_name_key(grid.sheet or ""))
        if sheet is not None and sheet not in found:
            found[sheet] = grid
    return found


def read_application_files(files: list[ReceivedFile]) -> tuple[dict[str, Grid], str]:
    """Load the grids of the application from its one file or its folder of CSVs.

    Returns the grids by sheet and the name to use for the application in messages.
    Raises `GridError` for a file that cannot be read at all.
    """
    if len(files) == 1 and not files[0].path.startswith("application/"):
        received = files[0]
        if received.path.lower().endswith(".json"):
            return _json_grids(received), received.path
        return grids_by_sheet(load_grids(received)), received.path
    grids: list[Grid] = []
    for received in files:
        for grid in load_grids(received):
            stem = received.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            grid.sheet = stem
            grids.append(grid)
    return grids_by_sheet(grids), "application/"


class DuplicateKeyError(ValueError):
    """A JSON object names the same key twice; json.loads would keep the last."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = describe(key) or ""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise DuplicateKeyError(key)
        data[key] = value
    return data


def _json_grids(received: ReceivedFile) -> dict[str, Grid]:
    """Turn application.json into the three grids the workbook would have."""
    file = received.path
    text = decode_text(received.local_path.read_bytes(), file)
    try:
        data = json.loads(text, parse_float=Decimal, object_pairs_hook=_unique_keys)
    except DuplicateKeyError as exc:
        raise GridError(
            Defect(
                file=file,
                value=exc.key,
                rule="file.json_duplicate_key",
                severity=Severity.BLOCKING,
                message=f"键“{exc.key}”在同一个对象中出现了两次，无法确定取哪一个值；"
                "请只保留一个后重新导出。",
            )
        ) from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise GridError(
            Defect(
                file=file,
                rule="file.json",
                severity=Severity.BLOCKING,
                message=f"JSON 格式错误（{exc}），请检查后重新导出。",
            )
        ) from exc
    if not isinstance(data, dict):
        raise GridError(
            Defect(
                file=file,
                rule="file.json",
                severity=Severity.BLOCKING,
                message="application.json 应是一个对象，"
                "含 identity、key_figures、claims 三部分。",
            )
        )
    sections = {}
    for sheet, aliases in SHEET_ALIASES.items():
        for name in (sheet, *aliases):
            if name in data:
                sections[sheet] = data[name]
                break
    grids: dict[str, Grid] = {}
    for sheet, value in sections.items():
        grid = _json_section_grid(sheet, value, file)
        grid.sheet = sheet
        grids[sheet] = grid
    return grids


def _json_section_grid(sheet: str, value: Any, file: str) -> Grid:
    """Build a grid from a JSON section (a mapping gives two-column rows)."""
    if isinstance(value, dict):
        if sheet == IDENTITY_SHEET:
            header = ["项目", "内容"]
        elif sheet == KEY_FIGURES_SHEET:
            header = ["指标代码", "数值"]
        else:
            header = ["细项编号", "自评得分"]
        grid = Grid(file=file, sheet=sheet, is_json=True)
        grid.rows.append((0, header))
        for number, (key, item) in enumerate(value.items(), start=1):
            grid.rows.append((number, [key, item]))
        return grid
    return json_records_grid(value, file)


def parse_application(grids: dict[str, Grid], file: str) -> Application:
    """Read identity, key figures and claims from the application's grids."""
    application = Application(file=file)
    for sheet in SHEETS:
        if sheet not in grids:
            application.defects.append(
                Defect(
                    file=file,
                    sheet=sheet,
                    rule="application.missing_sheet",
                    severity=Severity.BLOCKING,
                    message=f"缺少“{sheet}”工作表。请使用 heateval template 生成的"
                    "模板填写，不要删除或改名工作表。",
                )
            )
    if IDENTITY_SHEET in grids:
        _read_identity(grids[IDENTITY_SHEET], application)
    if KEY_FIGURES_SHEET in grids:
        application.key_figures = _read_key_figures(grids[KEY_FIGURES_SHEET])
        application.defects.extend(application.key_figures.defects)
    if CLAIMS_SHEET in grids:
        application.claims = _read_rows(grids[CLAIMS_SHEET], CLAIM_COLUMNS, "自评分")
        application.defects.extend(application.claims.defects)
    for defect in application.defects:
        application.reported_cells.add(
            (defect.file, defect.sheet, defect.row, defect.column)
        )
    return application


def _read_rows(grid: Grid, columns: tuple[Column, ...], title: str) -> TableResult:
    found = find_header(grid, columns)
    if found is None:
        expected = "、".join(c.header for c in columns)
        return TableResult(
            columns=tuple(c.key for c in columns),
            defects=[
                Defect(
                    file=grid.file,
                    sheet=grid.sheet,
                    rule="table.no_header",
                    severity=Severity.BLOCKING,
                    message=f"找不到{title}的表头行，应为：{expected}。",
                )
            ],
        )
    header_index, mapping = found
    return rows_from_grid(grid, columns, header_index=header_index, mapping=mapping)


# Identity ---------------------------------------------------------------------

_IDENTITY_LABELS = {
    **{header_key(c.header): c for c in IDENTITY_FIELDS},
    **{header_key(c.key): c for c in IDENTITY_FIELDS},
}


def _read_identity(grid: Grid, application: Application) -> None:
    """Read the two-column 项目/内容 sheet; labels may be Chinese or English keys.

    Every defect of a field points at its value, in column 内容, as the checks do.
    A field whose label appears on two rows is a blocking defect on the second
    row, and the first row's value is kept.
    """
    for number, cells in grid.rows:
        labelled = [c for c in cells if not is_blank(c)]
        if not labelled or not isinstance(labelled[0], str):
            continue
        column = _IDENTITY_LABELS.get(header_key(labelled[0]))
        if column is None:
            continue
        label_index = cells.index(labelled[0])
        raw = next(
            (c for c in cells[label_index + 1 :] if not is_blank(c)),
            None,
        )
        if column.key in application.identity_rows:
            application.defects.append(
                _duplicate_identity(grid, column, number, raw, application)
            )
            continue
        application.identity_rows[column.key] = (grid.sheet, number)
        value, defect = read_cell_at(
            raw, column, grid=grid, row=number, header=column.header
        )
        if defect is not None:
            application.defects.append(defect.model_copy(update={"column": VALUE}))
            continue
        if value is None:
            continue
        try:
            application.identity[column.key] = _normalise_identity(column.key, value)
        except CellError as error:
            application.defects.append(
                cell_defect(
                    error,
                    raw,
                    file=grid.file,
                    sheet=grid.sheet,
                    row=number,
                    column=VALUE,
                )
            )

    for key in REQUIRED_IDENTITY:
        if key in application.identity:
            continue
        label = next(c.header for c in IDENTITY_FIELDS if c.key == key)
        sheet, row = application.identity_rows.get(key, (grid.sheet, None))
        already = any(
            d.sheet == sheet and d.row == row and row is not None
            for d in application.defects
        )
        if already:
            continue
        # Without a row the defect names the field, so that it silences the
        # checks of that field only.
        application.defects.append(
            Defect(
                file=grid.file,
                sheet=sheet,
                row=row,
                column=key if row is None else VALUE,
                rule="application.missing_identity",
                severity=Severity.BLOCKING,
                message=f"未填写“{label}”，请在“{IDENTITY_SHEET}”表中补充。",
            )
        )


def _duplicate_identity(
    grid: Grid, column: Column, number: int, raw: Any, application: Application
) -> Defect:
    _, first = application.identity_rows[column.key]
    return Defect(
        file=grid.file,
        sheet=grid.sheet,
        row=number,
        column=VALUE,
        value=describe(raw),
        rule="application.duplicate_identity",
        severity=Severity.BLOCKING,
        message=f"“{column.header}”填写了两次（第 {first} 行和第 {number} 行）。"
        "每项只填一行，请删除多余的一行后重新提交。",
    )


def _normalise_identity(key: str, value: Any) -> Any:
    if key == "county":
        return county_code_of(value)
    if key == "type":
        return enterprise_type_of(value)
    if key == "season":
        return season_label_of(value)
    return value


def county_code_of(value: str) -> str:
    """Return the county code of '150402', '150402 红山区' or '红山区'."""
    text = normalise_text(value)
    for county in load_counties():
        if text.startswith(county.code) or text in (county.name, county.slug):
            return county.code
    raise CellError(
        "application.county",
        "所属旗县区无法识别，请填写 6 位行政区划代码（如 150402）或从下拉列表选择。",
    )


def enterprise_type_of(value: str) -> str:
    """Return 'heat_source' or 'heating' for 热源单位/供热单位 or the English value."""
    text = normalise_text(value).replace(" ", "")
    for key, name in ENTERPRISE_TYPE_NAMES.items():
        if text in (key, name, name.removesuffix("单位")):
            return key
    raise CellError(
        "application.type", "企业类型只能是“热源单位”或“供热单位”，请从下拉列表选择。"
    )


def season_label_of(value: Any) -> str:
    """Return 'YYYY-YYYY' for '2025-2026', '2025—2026年度', '2025/2026' and the like."""
    match = _SEASON.match(normalise_text(str(value)))
    if match and int(match.group(2)) == int(match.group(1)) + 1:
        return f"{match.group(1)}-{match.group(2)}"
    raise CellError("application.season", "供热季应写成 2025-2026 的形式。")


# Key figures ------------------------------------------------------------------

_FIGURE_CODES = {header_key(f): f for f in KEY_FIGURES}
_FIGURE_LABELS = {header_key(figure_label(f)): f for f in KEY_FIGURES}


def _read_key_figures(grid: Grid) -> TableResult:
    """Read 关键数据: one row per figure, each value read by its field's kind."""
    columns = KEY_FIGURE_COLUMNS
    result = TableResult(columns=tuple(c.key for c in columns))
    found = find_header(grid, columns)
    if found is None or "value" not in found[1].values():
        result.defects.append(
            Defect(
                file=grid.file,
                sheet=grid.sheet,
                rule="table.no_header",
                severity=Severity.BLOCKING,
                message="找不到关键数据的表头行，应为：指标代码、指标名称、数值、单位。",
            )
        )
        return result
    header_index, mapping = found
    by_key = {key: col for col, key in mapping.items()}
    header_cells = grid.rows[header_index][1]
    seen: dict[str, int] = {}

    for number, cells in grid.rows[header_index + 1 :]:

        def cell(key: str, cells: list[Any] = cells) -> Any:
            col = by_key.get(key)
            return cells[col] if col is not None and col < len(cells) else None

        if all(is_blank(c) for c in cells):
            continue
        code_raw, label_raw = cell("field"), cell("label")
        field_name = None
        if not is_blank(code_raw):
            field_name = _FIGURE_CODES.get(header_key(code_raw))
        if field_name is None and not is_blank(label_raw):
            field_name = _FIGURE_LABELS.get(header_key(label_raw))
        value_header = normalise_text(header_cells[by_key["value"]])
        location = {"file": grid.file, "sheet": grid.sheet, "row": number}
        if field_name is None:
            code = normalise_text(code_raw) if not is_blank(code_raw) else None
            derived = code in DERIVED_FIGURES
            result.defects.append(
                Defect(
                    **location,
                    column="field",
                    value=code or (normalise_text(label_raw) if label_raw else None),
                    rule="key_figures.derived" if derived else "key_figures.unknown",
                    severity=Severity.REVIEW if derived else Severity.BLOCKING,
                    message=(
                        "此项由台账、监测数据或监管记录计算得出，这里填写的数值不采用。"
                        if derived
                        else "指标代码无法识别，请使用模板中的指标代码，不要修改。"
                    ),
                )
            )
            continue
        if field_name in seen:
            result.defects.append(
                Defect(
                    **location,
                    column="field",
                    value=field_name,
                    rule="key_figures.duplicate",
                    severity=Severity.BLOCKING,
                    message=f"该指标已在第 {seen[field_name]} 行填写，请删除重复的行。",
                )
            )
            continue
        seen[field_name] = number
        kind = figure_kind(field_name)
        value, defect = read_cell_at(
            cell("value"),
            Column("value", value_header, kind),
            grid=grid,
            row=number,
            header=figure_label(field_name),
        )
        if defect is not None:
            result.defects.append(defect)
        result.rows.append(
            {
                "field": field_name,
                "label": figure_label(field_name),
                "value": value,
                "unit": None
                if is_blank(cell("unit"))
                else normalise_text(cell("unit")),
                "_file": grid.file,
                "_sheet": grid.sheet,
                "_row": number,
            }
        )
    return result


def figure_values(key_figures: TableResult) -> dict[str, Any]:
    """Return {field: value} of the key figures that were read."""
    return {row["field"]: row["value"] for row in key_figures.rows}
