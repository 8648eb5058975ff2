"""Building blocks of the table suites: column specs, checks and the GX-ready frame.

A suite module describes its table's columns and returns `TableSuite`s. Each check
pairs a GX expectation with the rule id, severity and Chinese message that its
failures become as defects. GX validates `TableSuite.frame`: the table with every
value cleaned to its column's kind (a value of the wrong type becomes None there),
plus computed columns such as `<column>__day` and cross-table facts. Defects report
the value from `TableSuite.source`, the table as intake delivered it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from expectations.context import Cell
from expectations.gx_offline import load_great_expectations
from expectations.values import WRONG_TYPE, clean, to_day
from intake.cells import Kind
from intake.defects import Severity
from intake.schema import TableSpec

BLOCKING = Severity.BLOCKING
REVIEW = Severity.REVIEW

gx = load_great_expectations()
E = gx.expectations
_GX_SEVERITY = {BLOCKING: "critical", REVIEW: "warning"}


@dataclass(frozen=True)
class Column:
    """A column as the checks see it: template header, kind (None: any) and whether
    every row needs a value."""

    header: str
    kind: Kind | None
    required: bool = True


def columns_of(spec: TableSpec, optional: Iterable[str] = ()) -> dict[str, Column]:
    """Return the columns of an intake table spec; all but `optional` need values."""
    skip = set(optional)
    return {
        c.key: Column(c.header, c.kind, required=c.key not in skip)
        for c in spec.columns
    }


@dataclass(frozen=True)
class Check:
    """One GX expectation with the defect that each of its failures becomes.

    `at` is the column a defect points at and whose value it reports. `rule` and
    `message` are `str.format` templates. They may use {value} and {header} (of
    `at`), any column of the table or of the GX frame by name, and `params`.
    """

    rule: str
    severity: Severity
    expectation: Any
    at: str | None
    message: str
    needs: tuple[str, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)


Locator = Callable[[Any, str | None], tuple[Cell, str | None]]
"""Maps (row index, column key) to the cell and the column name a defect shows."""


@dataclass
class TableSuite:
    """A frame for GX and the checks to run on it.

    `locate` overrides how a row index and a column key become a cell; by default
    the row's `_file`, `_sheet` and `_row` are used. `headers` overrides the column
    name a defect shows, which is otherwise the column's template header.
    """

    name: str
    table: str
    source: pd.DataFrame
    frame: pd.DataFrame
    columns: Mapping[str, Column]
    checks: list[Check]
    file: str
    sheet: str | None
    locate: Locator | None = None
    headers: Mapping[str, str | None] = field(default_factory=dict)

    def runnable_checks(self) -> list[Check]:
        """Return the checks whose source columns all exist in the table."""
        present = set(self.source.columns)
        return [c for c in self.checks if set(c.needs) <= present]

    def header(self, key: str | None) -> str | None:
        """Return the column name that a defect on column `key` shows."""
        if key in self.headers:
            return self.headers[key]
        if key in self.columns:
            return self.columns[key].header
        return key


def check(
    rule: str,
    severity: Severity,
    expectation_class: Any,
    *,
    at: str | None,
    message: str,
    needs: Iterable[str] = (),
    params: Mapping[str, str] | None = None,
    **gx_kwargs: Any,
) -> Check:
    """Create a `Check` around a new GX expectation of `expectation_class`.

    The expectation's meta carries the rule id, which maps GX's results back to
    checks, and its GX severity mirrors ours (critical or warning).
    """
    expectation = expectation_class(
        **gx_kwargs, meta={"rule": rule}, severity=_GX_SEVERITY[severity]
    )
    return Check(
        rule=rule,
        severity=severity,
        expectation=expectation,
        at=at,
        message=message,
        needs=tuple(needs),
        params=dict(params or {}),
    )


def table_location(
    source: pd.DataFrame, default_file: str, default_sheet: str | None
) -> tuple[str, str | None]:
    """Return the file and sheet a table came from, for defects without a row.

    Intake may set `source.attrs["file"]` and `["sheet"]`; otherwise the first row's
    `_file` and `_sheet` are used, and for an empty table the template's names.
    """
    if "file" in source.attrs:
        return str(source.attrs["file"]), source.attrs.get("sheet")
    if len(source) and "_file" in source.columns:
        first = source.iloc[0]
        sheet = first.get("_sheet")
        return str(first["_file"]), sheet if isinstance(sheet, str) else None
    return default_file, default_sheet


def prepare(
    source: pd.DataFrame,
    columns: Mapping[str, Column],
    row_kinds: Mapping[str, list[Kind | None]] | None = None,
) -> pd.DataFrame:
    """Return the GX frame: each present column cleaned, with `__type_ok` and `__day`.

    `row_kinds` gives a column a kind per row instead of the column's kind.
    """
    frame = pd.DataFrame(index=source.index)
    for key, spec in columns.items():
        if key not in source.columns:
            continue
        kinds = (row_kinds or {}).get(key) or [spec.kind] * len(source)
        cleaned = [clean(v, k) for v, k in zip(source[key], kinds, strict=True)]
        type_ok = [None if v is None else v is not WRONG_TYPE for v in cleaned]
        frame[f"{key}__type_ok"] = object_column(type_ok, source)
        values = [None if v is WRONG_TYPE else v for v in cleaned]
        frame[key] = object_column(values, source)
        if spec.kind in (Kind.DATE, Kind.DATETIME):
            frame[f"{key}__day"] = object_column([to_day(v) for v in values], source)
    return frame


def object_column(values: Iterable[Any], like: pd.DataFrame) -> pd.Series:
    """Return `values` as a column on `like`'s index, kept as Python objects."""
    # dtype=object keeps dates, Decimals and None as they are, so that GX compares
    # them with Python semantics instead of pandas' coerced dtypes.
    return pd.Series(list(values), index=like.index, dtype=object)


def new_suite(
    table: str,
    source: pd.DataFrame,
    frame: pd.DataFrame,
    columns: Mapping[str, Column],
    checks: list[Check],
    *,
    default_file: str,
    default_sheet: str | None = None,
    name: str | None = None,
    locate: Locator | None = None,
    headers: Mapping[str, str | None] | None = None,
) -> TableSuite:
    """Assemble a `TableSuite`, taking the file and sheet from the table."""
    file, sheet = table_location(source, default_file, default_sheet)
    return TableSuite(
        name=name or table,
        table=table,
        source=source,
        frame=frame,
        columns=columns,
        checks=checks,
        file=file,
        sheet=sheet,
        locate=locate,
        headers=dict(headers or {}),
    )
