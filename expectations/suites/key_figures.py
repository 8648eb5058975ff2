"""Suite of the key figures (申报表「关键数据」): one row per `Figures` field.

Each row's value has the kind of its field, its range comes from the bounds on the
`Figures` field, and a part (meetings attended) may not exceed its whole (meetings
called). Computed columns carry each row's bounds and whole, so that one GX
expectation covers every field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from annotated_types import Ge, Le

from expectations.context import CheckContext
from expectations.suites.base import (
    BLOCKING,
    REVIEW,
    Column,
    E,
    TableSuite,
    check,
    new_suite,
    object_column,
    prepare,
)
from expectations.suites.common import unique_check
from intake.schema import (
    KEY_FIGURE_COLUMNS,
    KEY_FIGURES,
    KEY_FIGURES_SHEET,
    figure_kind,
    figure_label,
)
from rules.figures import PARTS_OF_WHOLES, Figures

TABLE = "key_figures"
_HEADERS = {c.key: c.header for c in KEY_FIGURE_COLUMNS}
COLUMNS = {
    "field": Column(_HEADERS["field"], None),
    "value": Column(_HEADERS["value"], None),
}
REQUIRED_FIGURES = ("households_served",)
# More retrofits done than planned is possible but rare, so the committee looks at
# it instead of rejecting it.
REVIEW_PARTS = (("retrofits_done", "retrofits_planned"),)
BLOCKING_PARTS = tuple(
    (part, whole)
    for part, whole in PARTS_OF_WHOLES
    if part in KEY_FIGURES and whole in KEY_FIGURES
)


def build(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check field names, value kinds and ranges, and parts against wholes."""
    fields = list(source["field"]) if "field" in source else [None] * len(source)
    kinds = [figure_kind(f) if f in KEY_FIGURES else None for f in fields]
    frame = prepare(source, COLUMNS, row_kinds={"value": kinds})
    frame["value__kind"] = object_column(kinds, frame)
    if "value" in frame:
        _add_computed(frame, fields)
    checks = [
        unique_check(TABLE, "field"),
        check(
            "key_figures.field.known",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at="field",
            needs=["field"],
            message="指标代码「{value}」不是关键数据的指标。请使用模板中的指标代码，"
            "不要修改。",
            column="field",
            value_set=list(KEY_FIGURES),
        ),
        check(
            "key_figures.households_served.present",
            BLOCKING,
            E.ExpectColumnDistinctValuesToContainSet,
            at="field",
            needs=["field"],
            message="关键数据中缺少「供热户数」（households_served）。请按模板补上"
            "这一行并填写数值。",
            column="field",
            value_set=list(REQUIRED_FIGURES),
        ),
        *_value_checks(),
    ]
    return [
        new_suite(
            TABLE,
            source,
            frame,
            COLUMNS,
            checks,
            default_file="application.xlsx",
            default_sheet=KEY_FIGURES_SHEET,
        )
    ]


def _add_computed(frame: pd.DataFrame, fields: list[Any]) -> None:
    """Add each row's label, bounds and the value of its whole."""
    values: dict[str, Any] = {}
    for field, value in zip(fields, frame["value"], strict=True):
        if isinstance(field, str):
            values.setdefault(field, value)
    blocking, review = dict(BLOCKING_PARTS), dict(REVIEW_PARTS)
    labels, minima, maxima = [], [], []
    for field in fields:
        known = field in KEY_FIGURES
        labels.append(figure_label(field) if known else "")
        low, high = _bounds(field) if known else (None, None)
        minima.append(low)
        maxima.append(high)
    frame["field__label"] = object_column(labels, frame)
    frame["value__min"] = object_column(minima, frame)
    frame["value__max"] = object_column(maxima, frame)
    for prefix, parts in (("whole", blocking), ("review_whole", review)):
        wholes = [parts.get(f) if isinstance(f, str) else None for f in fields]
        frame[f"{prefix}_field"] = object_column(wholes, frame)
        frame[f"{prefix}_label"] = object_column(
            (figure_label(w) if w else None for w in wholes), frame
        )
        frame[f"value__{prefix}"] = object_column(
            (values.get(w) if w else None for w in wholes), frame
        )


def _bounds(field: str) -> tuple[Any, Any]:
    """Return the (minimum, maximum) that `Figures` allows for `field`; None if open."""
    info = Figures.model_fields[field]
    if info.annotation is bool:
        return None, None
    low = next((m.ge for m in info.metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in info.metadata if isinstance(m, Le)), None)
    return low, high


def _value_checks() -> list:
    needs = ["field", "value"]
    return [
        check(
            "key_figures.{field}.minimum",
            BLOCKING,
            E.ExpectColumnPairValuesAToBeGreaterThanB,
            at="value",
            needs=needs,
            message="「{field__label}」（{field}）为 {value}，不能小于 {value__min}。"
            "请核对后改正。",
            column_A="value",
            column_B="value__min",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        check(
            "key_figures.{field}.maximum",
            BLOCKING,
            E.ExpectColumnPairValuesAToBeGreaterThanB,
            at="value",
            needs=needs,
            message="「{field__label}」（{field}）为 {value}，不能大于 {value__max}。"
            "请核对后改正；比例请写成 0 到 1 之间的小数或百分数。",
            column_A="value__max",
            column_B="value",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        check(
            "key_figures.{field}.not_above_{whole_field}",
            BLOCKING,
            E.ExpectColumnPairValuesAToBeGreaterThanB,
            at="value",
            needs=needs,
            message="「{field__label}」{value} 大于「{whole_label}」{value__whole}，"
            "部分不能多于总数。请核对这两项数据。",
            column_A="value__whole",
            column_B="value",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        check(
            "key_figures.{field}.not_above_{review_whole_field}",
            REVIEW,
            E.ExpectColumnPairValuesAToBeGreaterThanB,
            at="value",
            needs=needs,
            message="「{field__label}」{value} 大于「{review_whole_label}」"
            "{value__review_whole}。请核对，超出计划的部分由评价委员会复核。",
            column_A="value__review_whole",
            column_B="value",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]
