"""Turn what people type into spreadsheet cells into typed values.

Every reader (xlsx, CSV, JSON) hands raw cell values here. Text is normalised with
Unicode NFKC first, so full-width digits and punctuation (１２３，４５６％) read like
their ASCII forms and the ideographic space is an ordinary space. A value that
cannot be read raises `CellError` with a Chinese message saying what to write
instead; the caller adds the file, sheet, row and column.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from intake.defects import Defect, Severity

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")

# Excel's day 0 in the 1900 system is 1899-12-30 because Excel treats 1900 as a
# leap year; serials before 61 are off by one, and no heating record is that old.
EXCEL_EPOCH_1900 = date(1899, 12, 30)
EXCEL_EPOCH_1904 = date(1904, 1, 1)
# Serials accepted as dates: 1990-01-01 .. 2099-12-31 in the 1900 system. A bare
# number outside this range is more likely a typo than a date.
MIN_DATE_SERIAL = 32874
MAX_DATE_SERIAL = 73415


class Kind(StrEnum):
    """What a column holds, which decides how its cells are read."""

    TEXT = "text"
    INT = "int"  # a non-negative whole number (counts)
    DECIMAL = "decimal"  # a non-negative exact amount
    SIGNED_DECIMAL = "signed_decimal"  # an exact amount that may be negative
    SHARE = "share"  # 0..1, also written as a percent
    BOOL = "bool"  # 是/否
    DATE = "date"
    DATETIME = "datetime"
    CREDIT_CODE = "credit_code"  # unified social credit code, 18 characters


class CellError(ValueError):
    """A cell value that cannot be read as its column's kind."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


TRUE_WORDS = frozenset({"是", "y", "yes", "true", "对", "有"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "不是", "无", "没有"})
EMPTY_WORDS = frozenset({"", "-", "—", "/", "无数据", "n/a", "na", "null", "none"})

_SPACES = re.compile(r"\s+")
# Bidirectional embeddings, overrides and isolates, directional marks, zero-width
# space and joiners, word joiner, and the byte-order mark used as a zero-width space.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# Units people add after a number; they carry no information the column lacks.
_UNIT_SUFFIX = re.compile(
    r"(°c|℃|度|户|人|个|次|座|天|日|小时|h|平方米|万平方米|m2|m²|元|万元|分)$"
)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_TIME_PART = re.compile(
    r"^(\d{1,2})(?::|时|点)(\d{1,2})?(?:(?::|分)(\d{1,2})(?:\.\d+)?秒?)?分?$"
)


def normalise_text(raw: Any) -> str:
    """Return `raw` as NFKC text with runs of whitespace collapsed and ends trimmed."""
    text = unicodedata.normalize("NFKC", str(raw))
    # Zero-width characters come along when text is copied from web pages, and
    # bidirectional overrides can make a name display reversed: both go.
    text = INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def is_blank(raw: Any) -> bool:
    """Tell whether a cell counts as empty (None, spaces only, or a dash)."""
    if raw is None:
        return True
    if isinstance(raw, float) and raw != raw:  # NaN from a numeric column
        return True
    if isinstance(raw, (str, bytes)):
        return normalise_text(raw).lower() in EMPTY_WORDS
    return False


def describe(raw: Any) -> str | None:
    """Render a raw cell value for a defect message, as the user would see it."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, float):
        return repr(raw)
    text = str(raw)
    return text if len(text) <= 200 else text[:200] + "…"


def read_cell(raw: Any, kind: Kind, *, date1904: bool = False) -> Any:
    """Convert one raw cell to `kind`; None for a blank cell; raise `CellError`."""
    if is_blank(raw):
        return None
    reader = _READERS[kind]
    if kind in (Kind.DATE, Kind.DATETIME):
        return reader(raw, date1904=date1904)
    return reader(raw)


def cell_defect(
    error: CellError,
    raw: Any,
    *,
    file: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
) -> Defect:
    """Build the blocking defect for a cell that `read_cell` rejected."""
    return Defect(
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        value=describe(raw),
        rule=error.rule,
        severity=Severity.BLOCKING,
        message=error.message,
    )


def read_text(raw: Any) -> str:
    """Read text; a float that is a whole number loses its '.0' (Excel numbers)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    return normalise_text(raw)


def _number_text(raw: Any) -> str:
    """Return the digits of a numeric cell as a plain string, or raise."""
    if isinstance(raw, bool):
        raise CellError("cell.number", "应填写数字，不能填写是/否。")
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        # repr() is the shortest text that reads back as the same float, which
        # is what Excel shows for the cell; Decimal(float) would keep binary noise.
        return repr(raw)
    if isinstance(raw, Decimal):
        return str(raw)
    if isinstance(raw, (date, datetime)):
        raise CellError(
            "cell.number", "应填写数字，但单元格是日期格式，请改为常规或数值格式。"
        )
    text = normalise_text(raw).lower().replace(" ", "")
    text = _UNIT_SUFFIX.sub("", text)
    if _THOUSANDS.match(text):
        return text.replace(",", "")
    if _PLAIN_NUMBER.match(text):
        return text
    if "," in text:
        raise CellError(
            "cell.thousands",
            "千位分隔符位置不对（应每三位一个逗号，如 12,345），"
            "请改为不带分隔符的数字。",
        )
    raise CellError("cell.number", "不是数字，请只填写阿拉伯数字（可带小数点）。")


def read_decimal(raw: Any) -> Decimal:
    """Read a non-negative exact number; '1,234.5', '１２３４', '25℃' are accepted."""
    value = read_signed_decimal(raw)
    if value < 0:
        raise CellError("cell.negative", "不能为负数，请填写 0 或正数。")
    return value


def read_signed_decimal(raw: Any) -> Decimal:
    """Read an exact number that may be negative."""
    if isinstance(raw, str) and normalise_text(raw).endswith("%"):
        raise CellError("cell.percent", "此列不填百分比，请填写数值。")
    text = _number_text(raw)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above guard it
        raise CellError("cell.number", "不是数字，请只填写阿拉伯数字。") from exc
    if not value.is_finite():
        raise CellError("cell.number", "不是有限的数字，请填写实际数值。")
    return value


def read_int(raw: Any) -> int:
    """Read a non-negative whole number; '1,200', '1200.0' and '1200户' are accepted."""
    value = read_decimal(raw)
    if value != value.to_integral_value():
        raise CellError("cell.integer", "应填写整数（个数、户数、次数），不能有小数。")
    return int(value)


def read_share(raw: Any) -> Decimal:
    """Read a share between 0 and 1: '0.95', '95%', '95％' all give 0.95."""
    if isinstance(raw, str):
        text = normalise_text(raw).replace(" ", "")
        if text.endswith("%"):
            value = read_decimal(text[:-1]) / 100
            if value > 1:
                raise CellError("cell.share", "百分比不能超过 100%。")
            return value
    value = read_decimal(raw)
    if value > 1:
        raise CellError(
            "cell.share",
            "比例应在 0 到 1 之间（如 0.95），或写成百分数（如 95%）。",
        )
    return value


def read_bool(raw: Any) -> bool:
    """Read 是/否 (Excel TRUE/FALSE and yes/no are accepted too)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    word = normalise_text(raw).lower()
    if word in TRUE_WORDS or word == "1":
        return True
    if word in FALSE_WORDS or word == "0":
        return False
    raise CellError("cell.bool", "只能填写“是”或“否”，请从下拉列表中选择。")


def _date_from_serial(serial: Decimal, date1904: bool) -> datetime:
    if not MIN_DATE_SERIAL - (1462 if date1904 else 0) <= serial <= MAX_DATE_SERIAL:
        raise CellError(
            "cell.date",
            "不是有效日期，请按 2026-03-31 或 2026年3月31日 的格式填写。",
        )
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
    days = int(serial)
    seconds = round((serial - days) * 86400)
    start = datetime.combine(epoch, time())
    return start + timedelta(days=days, seconds=seconds)


def _parse_date_text(text: str) -> date | None:
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise CellError(
                    "cell.date", "日期不存在（月份或日期超出范围），请检查后重填。"
                ) from exc
    return None


def _parse_time_text(text: str) -> time | None:
    match = _TIME_PART.match(text)
    if not match:
        return None
    hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        return time(hour, minute, second)
    except ValueError as exc:
        raise CellError("cell.time", "时间不存在，请按 08:30 的格式填写。") from exc


def _to_local_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(LOCAL_ZONE).replace(tzinfo=None)


def read_datetime(raw: Any, *, date1904: bool = False) -> datetime:
    """Read a date and time as naive local time (Asia/Shanghai).

    Accepted: Excel date cells and serial numbers, ISO 8601 (an offset is converted
    to local time), '2026/1/5 8:30', '2026年1月5日 8时30分'. A date alone means 00:00.
    """
    if isinstance(raw, datetime):
        return _to_local_naive(raw)
    if isinstance(raw, date):
        return datetime.combine(raw, time())
    if isinstance(raw, time):
        raise CellError("cell.date", "只有时间没有日期，请填写完整的日期和时间。")
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        return _date_from_serial(Decimal(_number_text(raw)), date1904)

    text = normalise_text(raw)
    looks_like_serial = bool(_PLAIN_NUMBER.match(text)) and len(text.split(".")[0]) == 5
    if looks_like_serial:
        # A serial number typed as text, e.g. a date column pasted as values.
        return _date_from_serial(Decimal(text), date1904)
    try:
        return _to_local_naive(datetime.fromisoformat(text))
    except ValueError:
        pass

    date_text, _, time_text = text.replace("T", " ").partition(" ")
    if not time_text:
        # 2026年1月5日8时30分: the date ends at 日 or 号 with no space after it.
        match = re.match(r"^(.+?[日号])(.+)$", text)
        if match:
            date_text, time_text = match.groups()
    day = _parse_date_text(date_text.strip())
    if day is None:
        raise CellError(
            "cell.datetime",
            "无法识别的日期时间，请按 2026-01-05 08:30 的格式填写。",
        )
    clock = _parse_time_text(time_text.replace(" ", "")) if time_text else time()
    if clock is None:
        raise CellError(
            "cell.datetime", "无法识别的时间部分，请按 2026-01-05 08:30 的格式填写。"
        )
    return datetime.combine(day, clock)


def read_date(raw: Any, *, date1904: bool = False) -> date:
    """Read a date; a date-time that is not midnight is accepted and keeps its day."""
    if isinstance(raw, datetime):
        return _to_local_naive(raw).date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        text = normalise_text(raw)
        day = _parse_date_text(text)
        if day is not None:
            return day
    try:
        return read_datetime(raw, date1904=date1904).date()
    except CellError as exc:
        raise CellError(
            "cell.date",
            "无法识别的日期，请按 2026-03-31、2026/3/31 或 2026年3月31日 的格式填写。",
        ) from exc


def read_credit_code(raw: Any) -> str:
    """Read a unified social credit code (GB 32100) and verify its check character."""
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError

    text = normalise_text(raw).upper().replace(" ", "").replace("-", "")
    try:
        return uscc.validate(text)
    except ValidationError as exc:
        raise CellError(
            "cell.credit_code",
            "统一社会信用代码无效（应为18位，末位校验码须正确），请按营业执照填写。",
        ) from exc


_READERS = {
    Kind.TEXT: read_text,
    Kind.INT: read_int,
    Kind.DECIMAL: read_decimal,
    Kind.SIGNED_DECIMAL: read_signed_decimal,
    Kind.SHARE: read_share,
    Kind.BOOL: read_bool,
    Kind.DATE: read_date,
    Kind.DATETIME: read_datetime,
    Kind.CREDIT_CODE: read_credit_code,
}
