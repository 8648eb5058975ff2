"""Read a package table (CSV, xlsx or JSON) into a typed DataFrame with cell locations.

The frame has one column per `TableSpec` column, named by its English key, with
typed values (date, datetime, bool, int, Decimal, str; None for a blank), plus
`_file`, `_sheet` and `_row` so that every later check can point at the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intake.archive import ReceivedFile
from intake.cells import CellError, cell_defect, is_blank, normalise_text, read_cell
from intake.defects import Defect, Severity
from intake.grids import (
    ErrorValue,
    Grid,
    GridError,
    UncachedFormula,
    read_csv_grid,
    read_json_grid,
    read_xlsx_grids,
)
from intake.schema import Column, TableSpec, header_key, header_map
from intake.sniff import FileKind

LOCATION_COLUMNS = ("_file", "_sheet", "_row")
HEADER_SCAN_ROWS = 10
TOTAL_LABELS = frozenset({"合计", "总计", "小计", "total"})


@dataclass
class TableResult:
    """A table read from one file: typed rows with their locations, and the defects."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    file: str | None = None
    sheet: str | None = None

    def frame(self) -> Any:
        """Return the rows as a pandas DataFrame of Python objects.

        `attrs["file"]` and `attrs["sheet"]` name the source even when no row does.
        """
        import pandas as pd

        frame = pd.DataFrame(
            self.rows, columns=[*self.columns, *LOCATION_COLUMNS], dtype=object
        )
        frame.attrs["file"] = self.file
        frame.attrs["sheet"] = self.sheet
        return frame


def load_grids(received: ReceivedFile) -> list[Grid]:
    """Read a received file into grids by its sniffed kind; raise `GridError`."""
    if received.kind == FileKind.XLSX:
        return read_xlsx_grids(received.local_path, received.path)
    if received.kind == FileKind.JSON:
        return [read_json_grid(received.local_path, received.path)]
    if received.kind == FileKind.TEXT:
        return [read_csv_grid(received.local_path, received.path)]
    raise GridError(
        Defect(
            file=received.path,
            rule="file.type",
            severity=Severity.BLOCKING,
            message="表格只能是 .csv、.xlsx 或 .json 文件。",
        )
    )


def find_header(
    grid: Grid, columns: tuple[Column, ...]
) -> tuple[int, dict[int, str]] | None:
    """Find the header row among the first rows; return (index in grid, {col: key}).

    Real workbooks often put a title row above the header, so the row that matches
    the most known headers wins.
    """
    accepted = header_map(columns)
    best: tuple[int, dict[int, str]] | None = None
    for index, (_, cells) in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        mapping = {}
        for col, raw in enumerate(cells):
            key = accepted.get(header_key(raw)) if isinstance(raw, str) else None
            if key is not None and key not in mapping.values():
                mapping[col] = key
        if mapping and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
    return best


def _header_defects(
    grid: Grid, header: list[Any], mapping: dict[int, str], columns: tuple[Column, ...]
) -> list[Defect]:
    defects = []
    expected = "、".join(c.header for c in columns)
    for column in columns:
        if column.key not in mapping.values():
            defects.append(
                Defect(
                    file=grid.file,
                    sheet=grid.sheet,
                    column=column.header,
                    rule="table.missing_column",
                    severity=Severity.BLOCKING,
                    message=f"缺少“{column.header}”列。表头应为：{expected}。"
                    "没有数据的表格也要保留表头行。",
                )
            )
    accepted = header_map(columns)
    for col, raw in enumerate(header):
        key = accepted.get(header_key(raw)) if isinstance(raw, str) else None
        if key is not None and col not in mapping:
            defects.append(
                Defect(
                    file=grid.file,
                    sheet=grid.sheet,
                    row=None,
                    column=normalise_text(raw),
                    value=normalise_text(raw),
                    rule="table.duplicate_column",
                    severity=Severity.BLOCKING,
                    message="表头中这一列出现了两次，请删除重复的列。",
                )
            )
    return defects


def read_cell_at(
    raw: Any, column: Column, *, grid: Grid, row: int, header: str
) -> tuple[Any, Defect | None]:
    """Read one cell of a grid; return (value, None) or (None, defect)."""
    location = {
        "file": grid.file,
        "sheet": grid.sheet,
        "row": row,
        "column": column.key,
    }
    if isinstance(raw, UncachedFormula):
        return None, Defect(
            **location,
            value=f"={raw.formula.lstrip('=')}",
            rule="cell.formula_uncached",
            severity=Severity.BLOCKING,
            message=f"“{header}”是公式，但文件中没有保存计算结果（可能由其他程序生成）。"
            "请用 Excel 或 WPS 打开，重新计算后保存，再提交。",
        )
    if isinstance(raw, ErrorValue):
        return None, Defect(
            **location,
            value=raw.code,
            rule="cell.formula_error",
            severity=Severity.BLOCKING,
            message=f"“{header}”的公式计算结果是错误值 {raw.code}，"
            "请修正公式或直接填写数值。",
        )
    try:
        return read_cell(raw, column.kind, date1904=grid.date1904), None
    except CellError as error:
        error.message = f"“{header}”：{error.message}"
        return None, cell_defect(error, raw, **location)


def rows_from_grid(
    grid: Grid,
    columns: tuple[Column, ...],
    *,
    header_index: int,
    mapping: dict[int, str],
) -> TableResult:
    """Type every data row below the header; blank and total rows are skipped."""
    result = TableResult(
        columns=tuple(c.key for c in columns), file=grid.file, sheet=grid.sheet
    )
    by_key = {c.key: c for c in columns}
    header_cells = grid.rows[header_index][1]
    for number, cells in grid.rows[header_index + 1 :]:
        if all(is_blank(cell) for cell in cells):
            continue
        first = next((c for c in cells if not is_blank(c)), None)
        if isinstance(first, str) and normalise_text(first).lower() in TOTAL_LABELS:
            continue
        record: dict[str, Any] = dict.fromkeys(result.columns)
        for col, key in mapping.items():
            raw = cells[col] if col < len(cells) else None
            header = normalise_text(header_cells[col])
            value, defect = read_cell_at(
                raw, by_key[key], grid=grid, row=number, header=header
            )
            record[key] = value
            if defect is not None:
                result.defects.append(defect)
        record["_file"] = grid.file
        record["_sheet"] = grid.sheet
        record["_row"] = number
        result.rows.append(record)
    return result


def read_table(received: ReceivedFile, spec: TableSpec) -> TableResult:
    """Read one package table: find its header, check its columns, type its cells."""
    try:
        grids = load_grids(received)
    except GridError as error:
        return TableResult(
            defects=[error.defect], columns=_keys(spec.columns), file=received.path
        )
    return table_from_grids(grids, spec.columns, title=spec.title)


def table_from_grids(
    grids: list[Grid], columns: tuple[Column, ...], *, title: str
) -> TableResult:
    """Read the first grid (sheet) that has a header row for `columns`."""
    for grid in grids:
        found = find_header(grid, columns)
        if found is None:
            continue
        header_index, mapping = found
        header = grid.rows[header_index][1]
        result = rows_from_grid(
            grid, columns, header_index=header_index, mapping=mapping
        )
        result.defects[:0] = _header_defects(grid, header, mapping, columns)
        return result

    first = grids[0] if grids else None
    expected = "、".join(c.header for c in columns)
    return TableResult(
        columns=_keys(columns),
        file=first.file if first else None,
        sheet=first.sheet if first else None,
        defects=[
            Defect(
                file=first.file if first else "",
                sheet=first.sheet if first else None,
                rule="table.no_header",
                severity=Severity.BLOCKING,
                message=f"找不到{title}的表头行。第一行应为：{expected}。",
            )
        ],
    )


def _keys(columns: tuple[Column, ...]) -> tuple[str, ...]:
    return tuple(c.key for c in columns)
