"""Open a readings export safely and describe how DuckDB should read it.

The export is a CSV file (optionally gzip-compressed) or a Parquet file with the
columns device, household, timestamp and temperature, under English or Chinese
headers. This module checks the file itself (regular file, no symbolic link,
known format, UTF-8 header, required columns) and returns a `ReadingsSource`:
the DuckDB table expression and the four column expressions that the scan uses.
It reads at most the first 64 KiB of the file.
"""

from __future__ import annotations

import csv
import gzip
import os
import stat
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import duckdb

HEADER_BYTES = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (",", "\t", ";")


class Column(StrEnum):
    """The four columns of a readings export."""

    DEVICE = "device_id"
    HOUSEHOLD = "household"
    TIMESTAMP = "timestamp"
    TEMPERATURE = "temperature"


CHINESE_HEADERS = {
    Column.DEVICE: "设备编号",
    Column.HOUSEHOLD: "户号",
    Column.TIMESTAMP: "时间",
    Column.TEMPERATURE: "室温",
}
HEADER_NAMES = {
    **{field.value: field for field in Column},
    **{name: field for field, name in CHINESE_HEADERS.items()},
}


class Format(StrEnum):
    """Storage format of a readings file."""

    CSV = "csv"
    CSV_GZIP = "csv.gz"
    PARQUET = "parquet"


class SourceError(Exception):
    """Error for a file that is no usable readings export, with rule and message."""

    def __init__(self, rule: str, message: str, value: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.value = value


@dataclass(frozen=True)
class ReadingsSource:
    """How to read one export: table expressions, column expressions, headers.

    `relation` is the DuckDB table expression of the main scan and
    `examples_relation` the one of the examples pass. Both take a `$path`
    parameter. When `rejects` is set, `relation` also takes `$rejects_limit` and
    records malformed lines in the `readings_rejects` table. The column
    expressions refer to the relation's columns: `device` and `household` are
    VARCHAR, `timestamp` and `temperature` have the types named alongside. `row`
    is the SQL for the 1-based row number in the examples pass, or None when the
    pass numbers rows itself.
    """

    format: Format
    relation: str
    examples_relation: str
    rejects: bool
    device: str
    household: str
    timestamp: str
    timestamp_type: str
    temperature: str
    temperature_type: str
    headers: dict[Column, str]
    row: str | None


def open_regular_file(path: Path) -> int:
    """Open path read-only without following a symbolic link; return the descriptor.

    Raises:
        SourceError: the path is missing, a symbolic link or not a regular file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError as error:
        raise SourceError("readings.unreadable", "文件不存在，请重新上传。") from error
    except OSError as error:
        if path.is_symlink():
            raise SourceError(
                "readings.unreadable",
                "文件是符号链接，不予读取，请直接上传导出文件本身。",
            ) from error
        raise SourceError(
            "readings.unreadable", f"文件无法打开（{error.strerror}），请重新上传。"
        ) from error
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise SourceError(
            "readings.unreadable", "该路径不是普通文件，请上传室温数据导出文件。"
        )
    return fd


def duckdb_path(fd: int, path: Path) -> str:
    """Return the name DuckDB should open: the descriptor's /dev/fd entry if any.

    Through the open descriptor DuckDB reads exactly the file that was checked, and
    a file name with glob characters (`*`, `?`, `[`) cannot make it read others.
    """
    fd_path = Path(f"/dev/fd/{fd}")
    if fd_path.exists():
        return str(fd_path)
    if any(char in str(path) for char in "*?[]{}"):
        raise SourceError(
            "readings.unreadable",
            "文件名含有 * ? [ ] { } 等特殊字符，请改名后重新上传。",
            value=path.name,
        )
    return str(path)


def detect_format(fd: int) -> Format:
    """Tell CSV, gzip-compressed CSV and Parquet apart by their first bytes."""
    start = os.pread(fd, 4, 0)
    if start.startswith(PARQUET_MAGIC):
        return Format.PARQUET
    if start.startswith(GZIP_MAGIC):
        return Format.CSV_GZIP
    if start.startswith(ZIP_MAGIC):
        raise SourceError(
            "readings.unreadable",
            "文件是 ZIP 或 Excel 工作簿，不是 CSV 或 Parquet；"
            "请从平台导出 CSV（UTF-8）或 Parquet 格式后重新上传。",
        )
    return Format.CSV


def _read_head(fd: int, fmt: Format) -> bytes:
    """Return up to HEADER_BYTES of the (decompressed) start of the file."""
    if fmt is Format.CSV:
        return os.pread(fd, HEADER_BYTES, 0)
    with open(os.dup(fd), "rb") as raw:
        raw.seek(0)
        try:
            with gzip.GzipFile(fileobj=raw) as unzipped:
                return unzipped.read(HEADER_BYTES)
        except (OSError, EOFError, zlib.error) as error:
            raise SourceError(
                "readings.unreadable",
                "gzip 压缩文件已损坏，无法解压，请重新导出后上传。",
            ) from error


def _decode_header_line(head: bytes) -> str:
    """Return the first line of head as text; raise SourceError for bad encodings."""
    if head.startswith(UTF16_BOMS):
        raise SourceError(
            "readings.encoding",
            "文件是 UTF-16 编码；请另存为 UTF-8 编码的 CSV 后重新上传。",
        )
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    if not head.strip():
        raise SourceError(
            "readings.unreadable", "文件为空，请从平台重新导出室温数据后上传。"
        )
    if b"\x00" in head:
        raise SourceError(
            "readings.unreadable",
            "文件含有二进制内容，不是文本格式的 CSV，也不是 Parquet；"
            "请从平台导出 CSV（UTF-8）或 Parquet 格式后重新上传。",
        )
    end = head.find(b"\n")
    if end < 0:
        if len(head) >= HEADER_BYTES - len(UTF8_BOM):
            raise SourceError(
                "readings.unreadable",
                "文件第 1 行超过 64 KB 仍未结束，不是有效的 CSV 表头，请检查导出格式。",
            )
        end = len(head)
    line = head[:end].rstrip(b"\r")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as error:
        try:
            line.decode("gb18030")
        except UnicodeDecodeError:
            raise SourceError(
                "readings.unreadable",
                "文件不是文本格式的 CSV，也不是 Parquet，无法读取；"
                "请从平台导出 CSV（UTF-8）或 Parquet 格式后重新上传。",
            ) from error
        raise SourceError(
            "readings.encoding",
            "文件是 GBK/GB18030 编码；请另存为 UTF-8 编码的 CSV 后重新上传。",
        ) from error


def _match_headers(names: list[str]) -> dict[Column, int]:
    """Map each required field to its column index; raise SourceError if missing."""
    found: dict[Column, int] = {}
    for index, name in enumerate(names):
        field = HEADER_NAMES.get(name.strip().lower())
        if field is None:
            continue
        if field in found:
            raise SourceError(
                "readings.duplicate_column",
                f"列“{name.strip()}”与第 {found[field] + 1} 列表示同一字段"
                f"（{field.value}/{CHINESE_HEADERS[field]}），请只保留一列。",
                value=name.strip(),
            )
        found[field] = index
    missing = [field for field in Column if field not in found]
    if missing:
        listed = "、".join(f"{CHINESE_HEADERS[f]}（{f.value}）" for f in missing)
        raise SourceError(
            "readings.missing_columns",
            f"缺少必需的列：{listed}。表头应为 设备编号, 户号, 时间, 室温"
            "（或 device_id, household, timestamp, temperature），请补齐后重新上传。",
            value=", ".join(names)[:200],
        )
    return found


def csv_source(fd: int, fmt: Format) -> ReadingsSource:
    """Read the CSV header and build the DuckDB read_csv expression for the file."""
    line = _decode_header_line(_read_head(fd, fmt))
    delimiter = max(DELIMITERS, key=line.count)
    names = next(csv.reader([line], delimiter=delimiter), [])
    found = _match_headers(names)

    # Every column is read as text, so a bad value becomes a counted defect in the
    # scan instead of an error. The header line is skipped, not used for names.
    columns = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(len(names)))
    compression = "gzip" if fmt is Format.CSV_GZIP else "none"
    quoted_delimiter = "'\\t'" if delimiter == "\t" else f"'{delimiter}'"
    options = (
        "header = true, auto_detect = false, "
        f"delim = {quoted_delimiter}, quote = '\"', escape = '\"', "
        f"compression = '{compression}', columns = {{{columns}}}"
    )
    # Both passes skip the same malformed lines, so their record numbers agree.
    relation = (
        f"read_csv($path, {options}, store_rejects = true, "
        "rejects_table = 'readings_rejects', rejects_scan = 'readings_reject_scans', "
        "rejects_limit = $rejects_limit)"
    )
    examples_relation = f"read_csv($path, {options}, ignore_errors = true)"
    headers = {field: names[index].strip() for field, index in found.items()}
    return ReadingsSource(
        format=fmt,
        relation=relation,
        examples_relation=examples_relation,
        rejects=True,
        device=f"c{found[Column.DEVICE]}",
        household=f"c{found[Column.HOUSEHOLD]}",
        timestamp=f"c{found[Column.TIMESTAMP]}",
        timestamp_type="VARCHAR",
        temperature=f"c{found[Column.TEMPERATURE]}",
        temperature_type="VARCHAR",
        headers=headers,
        row=None,
    )


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parquet_source(connection: duckdb.DuckDBPyConnection, path: str) -> ReadingsSource:
    """Read the Parquet schema and build the read_parquet expression for the file."""
    try:
        schema = connection.execute(
            "DESCRIBE SELECT * FROM read_parquet($path)", {"path": path}
        ).fetchall()
    except (duckdb.InvalidInputException, duckdb.IOException) as error:
        raise SourceError(
            "readings.unreadable",
            "Parquet 文件已损坏或格式不受支持，无法读取，请重新导出后上传。",
            value=str(error).splitlines()[0][:200],
        ) from error
    names = [row[0] for row in schema]
    types = {row[0]: row[1] for row in schema}
    found = _match_headers(names)
    columns = {field: names[index] for field, index in found.items()}
    return ReadingsSource(
        format=Format.PARQUET,
        relation="read_parquet($path)",
        examples_relation="read_parquet($path, file_row_number = true)",
        rejects=False,
        device=f"CAST({_quote_identifier(columns[Column.DEVICE])} AS VARCHAR)",
        household=f"CAST({_quote_identifier(columns[Column.HOUSEHOLD])} AS VARCHAR)",
        timestamp=_quote_identifier(columns[Column.TIMESTAMP]),
        timestamp_type=types[columns[Column.TIMESTAMP]],
        temperature=_quote_identifier(columns[Column.TEMPERATURE]),
        temperature_type=types[columns[Column.TEMPERATURE]],
        headers={field: name.strip() for field, name in columns.items()},
        row="file_row_number + 1",
    )
