"""Read CSV, xlsx and JSON files into grids of raw cells, each cell with its row number.

A grid is what a person sees when opening the file: rows numbered from 1 in
spreadsheet order. For CSV the number is the record's position, header included,
which is the row a spreadsheet program shows. For JSON, the row number is the
object's position in the list, counted from 1, and the keys form the header.

xlsx specifics: merged ranges are filled with their top-left value; a formula cell
whose cached value is missing (the file was written by a program that does not
calculate) becomes `UncachedFormula`, and a cached error such as #DIV/0! becomes
`ErrorValue`, so the caller can report them instead of reading a blank or a 0.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from intake.cells import describe
from intake.defects import Defect, Severity

MAX_CSV_FIELD = 1024**2
# Rows a table file may have: far above any enterprise's ledger (a large
# enterprise records a few thousand complaints a season, by our estimate), far
# below what would exhaust memory.
MAX_TABLE_ROWS = 100_000


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell saved without its computed value."""

    formula: str

    def __str__(self) -> str:
        return self.formula


@dataclass(frozen=True)
class ErrorValue:
    """A formula cell whose cached value is an Excel error such as #DIV/0!."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass
class Grid:
    """The cells of one sheet or one CSV/JSON file, rows numbered as users see them."""

    file: str
    sheet: str | None
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    date1904: bool = False
    is_json: bool = False


class GridError(ValueError):
    """A file that cannot be read at all; carries the blocking defect."""

    def __init__(self, defect: Defect) -> None:
        super().__init__(defect.message)
        self.defect = defect


def _file_defect(
    file: str, rule: str, message: str, value: str | None = None
) -> Defect:
    return Defect(
        file=file, value=value, rule=rule, severity=Severity.BLOCKING, message=message
    )


def decode_text(data: bytes, file: str) -> str:
    """Decode CSV/JSON bytes: UTF-8 with or without BOM, UTF-16 with BOM, or GB18030.

    GB18030 is a superset of GBK and GB2312, the encodings Chinese spreadsheet
    programs save CSV in.
    """
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    # The encoding that reads furthest points at the likely culprit: in a file
    # that mixes GBK and UTF-8 lines, the first line of the other encoding.
    position = 0
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            position = max(position, exc.start)
    line = data[:position].count(b"\n") + 1
    raise GridError(
        _file_defect(
            file,
            "file.encoding",
            f"无法识别文件编码（第 {line} 行，第 {position} 字节处）；文件可能混用了"
            "不同编码。请另存为“CSV UTF-8”格式后重新提交。",
            describe(data[position : position + 8].hex(" ")),
        )
    )


def read_csv_grid(path: Path, file: str, max_rows: int = MAX_TABLE_ROWS) -> Grid:
    """Read a CSV file; the delimiter is a comma, a tab or a semicolon.

    A file of more than `max_rows` records is rejected.
    """
    text = decode_text(path.read_bytes(), file)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    grid = Grid(file=file, sheet=None)
    csv.field_size_limit(MAX_CSV_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            if number > max_rows:
                raise GridError(_too_many_rows(file, f"超过 {max_rows:,} 行", max_rows))
            grid.rows.append((number, list(record)))
    except csv.Error as exc:
        raise GridError(
            _file_defect(
                file,
                "file.csv",
                f"CSV 格式错误（第 {reader.line_num} 行附近：{exc}），"
                "请检查引号是否成对，或用表格软件重新导出。",
            )
        ) from exc
    return grid


def read_json_grid(path: Path, file: str) -> Grid:
    """Read a JSON list of objects; numbers are read as exact decimals."""
    text = decode_text(path.read_bytes(), file)
    try:
        data = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise GridError(
            _file_defect(
                file,
                "file.json",
                f"JSON 格式错误（{exc}），请检查后重新导出。",
            )
        ) from exc
    return json_records_grid(data, file)


def json_records_grid(data: Any, file: str) -> Grid:
    """Turn a list of JSON objects into a grid whose header is the union of keys."""
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise GridError(
            _file_defect(
                file,
                "file.json",
                "JSON 文件应是对象的列表（[{...}, {...}]），每个对象是一行记录。",
            )
        )
    keys: list[str] = []
    for item in data:
        for key in item:
            if key not in keys:
                keys.append(key)
    grid = Grid(file=file, sheet=None, is_json=True)
    grid.rows.append((0, list(keys)))
    for number, item in enumerate(data, start=1):
        cells = [item.get(key) for key in keys]
        grid.rows.append((number, [_json_cell(value) for value in cells]))
    return grid


def _json_cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _unreadable_workbook(file: str, error: Exception) -> Defect:
    return _file_defect(
        file,
        "file.xlsx",
        f"无法打开 Excel 工作簿（{type(error).__name__}），请用 Excel 或 WPS "
        "另存为 .xlsx 后重新提交。",
    )


def _too_many_rows(file: str, found: str, max_rows: int) -> Defect:
    return _file_defect(
        file,
        "file.too_many_rows",
        f"表格行数过多（{found}，上限 {max_rows:,} 行），不受理。"
        "请确认没有把其他数据误放进来；数据确实这么多的，请联系县级供热主管部门。",
    )


def _xlsx_rows(path: Path) -> dict[str, int]:
    """Count the stored rows of each worksheet part without loading the workbook.

    openpyxl keeps every cell in memory: checking a package with one sheet of
    300,000 rows of four columns peaked at 1.66 GB, against 0.37 GB once such a
    sheet is rejected here (measured). So the rows are counted first, by streaming
    the XML.
    """
    counts = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            rows = 0
            with archive.open(name) as part:
                for _, element in ElementTree.iterparse(part, events=("end",)):
                    if element.tag.endswith("}row") or element.tag == "row":
                        rows += 1
                        element.clear()
            counts[name] = rows
    return counts


def read_xlsx_grids(
    path: Path, file: str, max_rows: int = MAX_TABLE_ROWS
) -> list[Grid]:
    """Read every worksheet of an xlsx file, loaded twice: formulas, cached values.

    A worksheet of more than `max_rows` stored rows is rejected before loading.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        largest = max(_xlsx_rows(path).values(), default=0)
    except (
        zipfile.BadZipFile,
        ElementTree.ParseError,
        DefusedXmlException,
        OSError,
    ) as exc:
        raise GridError(_unreadable_workbook(file, exc)) from exc
    if largest > max_rows:
        raise GridError(_too_many_rows(file, f"一个工作表有 {largest:,} 行", max_rows))
    try:
        with warnings.catch_warnings():
            # openpyxl warns about extensions it drops (data validation, slicers).
            warnings.simplefilter("ignore")
            # A file object, because openpyxl rejects a path without .xlsx and
            # stored files are named by their hash.
            with path.open("rb") as handle:
                formulas = openpyxl.load_workbook(handle, data_only=False)
            with path.open("rb") as handle:
                values = openpyxl.load_workbook(handle, data_only=True)
    except (
        InvalidFileException,
        KeyError,
        ValueError,
        OSError,
        zipfile.BadZipFile,
    ) as exc:
        raise GridError(_unreadable_workbook(file, exc)) from exc

    date1904 = values.epoch.year == 1904
    grids = []
    for sheet_f, sheet_v in zip(formulas.worksheets, values.worksheets, strict=True):
        grids.append(_sheet_grid(sheet_f, sheet_v, file, date1904))
    formulas.close()
    values.close()
    return grids


def _sheet_grid(sheet_f: Any, sheet_v: Any, file: str, date1904: bool) -> Grid:
    """Collect the cells that hold something, then fill merged ranges.

    Only stored cells are visited (openpyxl's `_cells`), because a workbook whose
    columns were formatted to the last row reports a `max_row` of 1,048,576.
    """
    contents: dict[tuple[int, int], Any] = {}
    for position, cell_v in sheet_v._cells.items():
        if cell_v.data_type == "e":
            contents[position] = ErrorValue(str(cell_v.value))
        elif cell_v.value is not None:
            contents[position] = cell_v.value
    for position, cell_f in sheet_f._cells.items():
        if cell_f.data_type == "f" and position not in contents:
            text = getattr(cell_f.value, "text", None) or str(cell_f.value)
            contents[position] = UncachedFormula(text)

    rows_with_content = {row for row, _ in contents}
    for merged in sheet_f.merged_cells.ranges:
        origin = contents.get((merged.min_row, merged.min_col))
        if origin is None:
            continue
        for row in range(merged.min_row, merged.max_row + 1):
            if row != merged.min_row and row not in rows_with_content:
                continue
            for col in range(merged.min_col, merged.max_col + 1):
                contents.setdefault((row, col), origin)

    grid = Grid(file=file, sheet=sheet_v.title, date1904=date1904)
    if not contents:
        return grid
    width = max(col for _, col in contents)
    by_row: dict[int, list[Any]] = {}
    for (row, col), value in contents.items():
        by_row.setdefault(row, [None] * width)[col - 1] = value
    grid.rows = sorted(by_row.items())
    return grid
