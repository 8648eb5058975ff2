"""Suite of the enterprise identity (申报表「基本信息」): one row of eight fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from expectations.context import Cell, CheckContext
from expectations.suites.base import (
    BLOCKING,
    REVIEW,
    Check,
    Column,
    E,
    TableSuite,
    check,
    new_suite,
    object_column,
    prepare,
)
from expectations.suites.common import credit_code_checks
from expectations.values import row_number
from intake.schema import ENTERPRISE_TYPE_NAMES, IDENTITY_FIELDS, IDENTITY_SHEET

TABLE = "identity"
COLUMNS = {c.key: Column(c.header, c.kind) for c in IDENTITY_FIELDS}
# Keys that the checks below name; a test keeps them in step with intake.schema.
COUNTY, TYPE, SEASON = "county", "type", "season"
# The identity sheet has two columns, 项目 and 内容; every value is in 内容.
VALUE_HEADER = "内容"
DEFAULT_FILE = "application.xlsx"

# Intake writes the type as heat_source or heating; the template's labels are
# accepted too.
TYPE_CODES = {
    **{code: code for code in ENTERPRISE_TYPE_NAMES},
    **{label: code for code, label in ENTERPRISE_TYPE_NAMES.items()},
}
# Mobile numbers, landlines with area code and optional extension, 400 numbers,
# each optionally after +86.
PHONE_PATTERN = (
    r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}(?:[- ]\d{1,6})?"
    r"|400[- ]?\d{3}[- ]?\d{4})$"
)
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"


def build(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check the identity against the context: code, county, type and season."""
    frame = prepare(source, COLUMNS)
    checks = [
        *credit_code_checks(TABLE, "credit_code", frame),
        *_context_checks(ctx, frame),
        check(
            "identity.contact_email.format",
            BLOCKING,
            E.ExpectColumnValuesToMatchRegex,
            at="contact_email",
            needs=["contact_email"],
            message="电子邮箱「{value}」格式不对。评价过程中的通知都发到这个邮箱，"
            "请填写有效的邮箱地址，如 name@example.com。",
            column="contact_email",
            regex=EMAIL_PATTERN,
        ),
        check(
            "identity.contact_phone.format",
            REVIEW,
            E.ExpectColumnValuesToMatchRegex,
            at="contact_phone",
            needs=["contact_phone"],
            message="联系电话「{value}」不像手机号或带区号的固定电话。请核对，"
            "如 13800000000 或 0476-8888888。",
            column="contact_phone",
            regex=PHONE_PATTERN,
        ),
    ]
    return [
        new_suite(
            TABLE,
            source,
            frame,
            COLUMNS,
            checks,
            default_file=DEFAULT_FILE,
            default_sheet=IDENTITY_SHEET,
            locate=lambda index, key: _locate(source, index, key),
            headers=dict.fromkeys(COLUMNS, VALUE_HEADER),
        )
    ]


def _context_checks(ctx: CheckContext, frame: pd.DataFrame) -> list[Check]:
    """County, type, season and code must match the context."""
    if TYPE in frame:
        codes = (TYPE_CODES.get(v) if isinstance(v, str) else None for v in frame[TYPE])
        frame[f"{TYPE}__code"] = object_column(codes, frame)
    checks = [
        check(
            "identity.county.allowed",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at=COUNTY,
            needs=[COUNTY],
            message="所属旗县区「{value}」不是赤峰市的旗县区代码。请填写 6 位行政区划"
            "代码（如 150402），或从下拉列表选择。",
            column=COUNTY,
            value_set=sorted(ctx.county_codes),
        ),
        check(
            "identity.type.allowed",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at=TYPE,
            needs=[TYPE],
            message="企业类型「{value}」无效。只能是“热源单位”或“供热单位”，请从下拉"
            "列表选择。",
            column=TYPE,
            value_set=sorted(TYPE_CODES),
        ),
        check(
            "identity.season.current",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at=SEASON,
            needs=[SEASON],
            params={"season": ctx.season},
            message="供热季「{value}」与本次评价的供热季 {season} 不一致。请改为 "
            "{season}；其他供热季的材料请分开提交。",
            column=SEASON,
            value_set=[ctx.season],
        ),
    ]
    if ctx.county_code is not None:
        checks.append(_equals("county", COUNTY, ctx.county_code, "所属旗县区"))
    if ctx.enterprise_type is not None:
        expected = ENTERPRISE_TYPE_NAMES[ctx.enterprise_type.value]
        checks.append(
            check(
                "identity.type.registered",
                BLOCKING,
                E.ExpectColumnValuesToBeInSet,
                at=TYPE,
                needs=[TYPE],
                params={"expected": expected},
                message="企业类型「{value}」与登记的类型（{expected}）不一致。请核对；"
                "类型有变更的，请先向县级供热主管部门办理变更。",
                column=f"{TYPE}__code",
                value_set=[ctx.enterprise_type.value],
            )
        )
    if ctx.credit_code is not None:
        checks.append(
            _equals("credit_code", "credit_code", ctx.credit_code, "统一社会信用代码")
        )
    return checks


def _equals(name: str, key: str, expected: str, label: str) -> Check:
    return check(
        f"identity.{name}.registered",
        BLOCKING,
        E.ExpectColumnValuesToBeInSet,
        at=key,
        needs=[key],
        params={"expected": expected, "label": label},
        message="{label}「{value}」与平台登记的 {expected} 不一致。请核对后重新"
        "提交；登记信息有误的，请联系县级供热主管部门更正。",
        column=key,
        value_set=[expected],
    )


def _locate(source: pd.DataFrame, index: Any, key: str | None) -> tuple[Cell, str]:
    """Return the cell of an identity field and the column name it shows.

    Each field sits on its own row of the sheet, and intake keeps that row in
    `_row_<key>`.
    """
    row = source.at[index, f"_row_{key}"] if f"_row_{key}" in source else None
    if row_number(row) is None and "_row" in source:
        row = source.at[index, "_row"]
    file = source.at[index, "_file"] if "_file" in source else None
    sheet = source.at[index, "_sheet"] if "_sheet" in source else None
    cell = (
        file if isinstance(file, str) else DEFAULT_FILE,
        sheet if isinstance(sheet, str) else IDENTITY_SHEET,
        row_number(row),
        key,
    )
    return cell, VALUE_HEADER
