"""Suite of the self-assessment (申报表「自评分」): claimed points per sub-item, and the
evidence each claim above zero needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from expectations.context import CheckContext, EvidenceKind, SubItem
from expectations.reconcile import (
    evidence_present,
    households_served,
    identifier_key,
    ledger_points,
)
from expectations.suites.base import (
    BLOCKING,
    REVIEW,
    Check,
    E,
    TableSuite,
    check,
    columns_of,
    new_suite,
    object_column,
    prepare,
)
from expectations.suites.common import non_negative_check, unique_check
from expectations.suites.identity import TYPE_CODES
from intake.schema import CLAIM_COLUMNS, CLAIMS_SHEET, TableSpec

TABLE = "claims"
COLUMNS = columns_of(
    TableSpec(TABLE, CLAIMS_SHEET, CLAIM_COLUMNS),
    optional=("category", "name", "remark"),
)
KIND_LABELS = {
    EvidenceKind.PDF: "PDF 文件",
    EvidenceKind.IMAGE: "图片（JPEG、PNG）",
    EvidenceKind.OFFICE: "Word 或 Excel 文件（DOCX、XLSX）",
}


def build(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check sub-item ids, points against the maxima, applicability and evidence."""
    frame = prepare(source, COLUMNS)
    if "sub_item" in frame:
        # c1.1 and "C1.1 " name the same sub-item; defects still show the raw text.
        ids = (identifier_key(s) for s in frame["sub_item"])
        frame["sub_item"] = object_column(ids, frame)
    checks = [
        unique_check(TABLE, "sub_item"),
        check(
            "claims.sub_item.known",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at="sub_item",
            needs=["sub_item"],
            message="细项编号「{value}」不在评分细则中。请使用模板中的细项编号"
            "（如 C1.1、B2），不要修改。",
            column="sub_item",
            value_set=sorted(ctx.sub_items),
        ),
        non_negative_check(TABLE, "claimed"),
        check(
            "claims.claimed.within_max",
            BLOCKING,
            E.ExpectColumnPairValuesAToBeGreaterThanB,
            at="claimed",
            needs=["claimed", "max_points"],
            message="细项 {sub_item} 自评 {value} 分，超过满分 {max_points} 分。"
            "请改为不超过满分的分数。",
            column_A="max_points",
            column_B="claimed",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]
    if {"sub_item", "claimed"} <= set(frame.columns):
        checks += _rulebook_checks(frame, ctx, _enterprise_type(ctx, tables))
        present = evidence_present(
            frame["sub_item"], frame["claimed"], tables.get("evidence"), ctx.sub_items
        )
        frame["claimed__evidence"] = object_column(present, frame)
        frame["claimed__expected"] = object_column(
            (_expected_text(s, ctx.sub_items) for s in frame["sub_item"]), frame
        )
        checks.append(_evidence_check())
        checks += _ledger_checks(frame, ctx, tables)
    return [
        new_suite(
            TABLE,
            source,
            frame,
            COLUMNS,
            checks,
            default_file="application.xlsx",
            default_sheet=CLAIMS_SHEET,
        )
    ]


def _rulebook_checks(
    frame: pd.DataFrame, ctx: CheckContext, enterprise_type: str | None
) -> list[Check]:
    """Maxima must be the rulebook's; claims above zero must apply to the type."""
    items = [
        ctx.sub_items.get(s) if isinstance(s, str) else None for s in frame["sub_item"]
    ]
    frame["max_points__rulebook"] = object_column(
        (item.max_points if item else None for item in items), frame
    )
    applies = []
    for item, points in zip(items, frame["claimed"], strict=True):
        if item is None or enterprise_type is None or not points:
            applies.append(None)
        else:
            applies.append(enterprise_type in item.applies_to)
    frame["claimed__applies"] = object_column(applies, frame)
    return [
        check(
            "claims.max_points.rulebook",
            BLOCKING,
            E.ExpectColumnPairValuesToBeEqual,
            at="max_points",
            needs=["max_points", "sub_item"],
            message="细项 {sub_item} 的满分填为 {value}，评分细则规定为 "
            "{max_points__rulebook} 分。请使用本供热季的模板，不要修改满分。",
            column_A="max_points",
            column_B="max_points__rulebook",
            ignore_row_if="either_value_is_missing",
        ),
        check(
            "claims.claimed.applies",
            REVIEW,
            E.ExpectColumnValuesToBeInSet,
            at="claimed",
            needs=["claimed", "sub_item"],
            message="细项 {sub_item} 不适用于本企业的类型，自评得分 {value} 不计入。"
            "请改为 0，或由评价委员会复核。",
            column="claimed__applies",
            value_set=[True],
        ),
    ]


def _evidence_check() -> Check:
    return check(
        "claims.claimed.evidence",
        BLOCKING,
        E.ExpectColumnValuesToBeInSet,
        at="claimed",
        needs=["claimed", "sub_item"],
        message="细项 {sub_item} 自评 {value} 分，但 evidence/{sub_item}/ 文件夹中没有"
        "{claimed__expected}。请补交证明材料，或把自评得分改为 0。",
        column="claimed__evidence",
        value_set=[True],
    )


def _ledger_checks(
    frame: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[Check]:
    """Claims that the complaint ledger decides must not exceed what it supports."""
    scored = ledger_points(
        frame["sub_item"],
        frame["claimed"],
        tables.get("complaints"),
        ctx.rulebook,
        _enterprise_type(ctx, tables),
        households_served(ctx, tables.get("key_figures")),
    )
    frame["claimed__ledger"] = object_column(
        (s[0] if s else None for s in scored), frame
    )
    frame["claimed__ledger_reason"] = object_column(
        (s[1] if s else None for s in scored), frame
    )
    return [
        check(
            "claims.claimed.ledger",
            REVIEW,
            E.ExpectColumnPairValuesAToBeGreaterThanB,
            at="claimed",
            needs=["claimed", "sub_item"],
            message="细项 {sub_item} 自评 {value} 分，按投诉台账计算为 "
            "{claimed__ledger} 分（{claimed__ledger_reason}）。请核对自评得分和投诉"
            "台账，由评价委员会复核。",
            column_A="claimed__ledger",
            column_B="claimed",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        )
    ]


def _expected_text(sub_item: Any, sub_items: Mapping[str, SubItem]) -> str:
    """Describe in Chinese the evidence a sub-item expects."""
    item = sub_items.get(sub_item) if isinstance(sub_item, str) else None
    if item is None or not item.evidence_kinds:
        kinds = "证明材料"
    else:
        kinds = "或".join(KIND_LABELS[k] for k in sorted(item.evidence_kinds))
    if item is not None and item.evidence:
        return f"{kinds}（应提交：{item.evidence}）"
    return kinds


def _enterprise_type(
    ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> str | None:
    """Return the registered type, else the one the identity declares."""
    if ctx.enterprise_type is not None:
        return ctx.enterprise_type.value
    identity = tables.get("identity")
    if identity is None or "type" not in identity or identity.empty:
        return None
    declared = identity["type"].iloc[0]
    return TYPE_CODES.get(declared) if isinstance(declared, str) else None
