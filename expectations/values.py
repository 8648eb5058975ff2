"""Cell values as the checks see them: cleaned for comparison, rendered for messages.

Intake hands over typed values (date, datetime, bool, int, Decimal, str, None). pandas
may still turn a missing value into NaN, NaT or pd.NA and a whole-number column with
gaps into floats, so every value passes through `clean` before GX compares it.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from intake.cells import LOCAL_ZONE, Kind

KIND_NAMES = {
    Kind.TEXT: "文本",
    Kind.INT: "整数",
    Kind.DECIMAL: "数字",
    Kind.SIGNED_DECIMAL: "数字",
    Kind.SHARE: "0 到 1 之间的比例",
    Kind.BOOL: "“是”或“否”",
    Kind.DATE: "日期",
    Kind.DATETIME: "日期时间",
    Kind.CREDIT_CODE: "统一社会信用代码",
}
"""Chinese name of each kind, as used in defect messages."""

_TEXT_KINDS = frozenset({Kind.TEXT, Kind.CREDIT_CODE})
_DECIMAL_KINDS = frozenset({Kind.DECIMAL, Kind.SIGNED_DECIMAL, Kind.SHARE})

MAX_RENDERED = 200


class WrongType:
    """Marker for a value that is present but not of its column's kind."""

    def __repr__(self) -> str:
        return "WRONG_TYPE"


WRONG_TYPE = WrongType()


def is_missing(value: Any) -> bool:
    """Tell whether `value` is None or one of pandas' missing markers (NaN, NaT, NA)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    # pd.NaT compares unequal to itself, and pd.NA raises TypeError on bool().
    try:
        return bool(value != value)
    except TypeError:
        return True
    except ValueError:  # an array's truth value is ambiguous, but it is present
        return False


def clean(value: Any, kind: Kind | None) -> Any:
    """Return `value` as its kind's Python type, None when missing, or WRONG_TYPE.

    Ranges are not checked here. A kind of None accepts any present value.
    """
    if is_missing(value):
        return None
    if kind is None:
        return value
    if kind in _TEXT_KINDS:
        return value if isinstance(value, str) else WRONG_TYPE
    if kind is Kind.BOOL:
        return value if isinstance(value, bool) else WRONG_TYPE
    if kind is Kind.INT:
        return _clean_int(value)
    if kind in _DECIMAL_KINDS:
        return _clean_decimal(value)
    if kind is Kind.DATE:
        return to_day(value)
    return _clean_datetime(value)


def _clean_int(value: Any) -> Any:
    if isinstance(value, bool):
        return WRONG_TYPE
    if isinstance(value, int):
        return value
    # A whole-number column with gaps arrives as float64 (2.0, NaN) from pandas.
    finite = (isinstance(value, float) and math.isfinite(value)) or (
        isinstance(value, Decimal) and value.is_finite()
    )
    if finite and value == int(value):
        return int(value)
    return WRONG_TYPE


def _clean_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        return WRONG_TYPE
    if isinstance(value, Decimal):
        return value if value.is_finite() else WRONG_TYPE
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        # Only for range checks: repr() gives the shortest text that reads back as
        # the same float, so 0.95 stays 0.95 instead of its binary expansion.
        return Decimal(repr(value))
    return WRONG_TYPE


def _clean_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        # pandas.Timestamp is a datetime subclass; GX compares plain datetimes.
        if hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime()
        if value.tzinfo is not None:
            # Intake gives naive local time; an aware value cannot be compared
            # with those, so it is converted the same way.
            value = value.astimezone(LOCAL_ZONE).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    return WRONG_TYPE


def to_day(value: Any) -> Any:
    """Return the calendar day of a date or date-time, None, or WRONG_TYPE."""
    if is_missing(value):
        return None
    if isinstance(value, datetime):
        cleaned = _clean_datetime(value)
        return cleaned.date() if isinstance(cleaned, datetime) else WRONG_TYPE
    if isinstance(value, date):
        return value
    return WRONG_TYPE


def render(value: Any) -> str | None:
    """Render a cell value for a defect: 是/否, ISO dates, exact decimals, at most
    200 characters."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    text = str(value)
    if len(text) > MAX_RENDERED:
        return text[:MAX_RENDERED] + "…"
    return text


def row_number(value: Any) -> int | None:
    """Return a spreadsheet row number as int (numpy and float forms too), or None."""
    if is_missing(value) or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
