"""Checks that several tables share: unique ids, dates, counts and credit codes."""

from __future__ import annotations

import re

import pandas as pd
from stdnum.cn import uscc

from expectations.context import CheckContext
from expectations.suites.base import BLOCKING, Check, E, check, object_column
from intake.defects import Severity


def unique_check(table: str, key: str, severity: Severity = BLOCKING) -> Check:
    """Values of `key` must not repeat within the table."""
    return check(
        f"{table}.{key}.unique",
        severity,
        E.ExpectColumnValuesToBeUnique,
        at=key,
        needs=[key],
        message="「{header}」的值「{value}」在本表中出现了不止一次，每行的"
        "「{header}」应唯一。请删除重复的行或改正编号。",
        column=key,
    )


def date_checks(table: str, key: str, ctx: CheckContext) -> list[Check]:
    """A date must fall between the preparation start and the season end, and never
    after today."""
    params = {
        "first": ctx.preparation_start.isoformat(),
        "season_start": ctx.season_start.isoformat(),
        "season_end": ctx.season_end.isoformat(),
    }
    in_season = check(
        f"{table}.{key}.in_season",
        BLOCKING,
        E.ExpectColumnValuesToBeBetween,
        at=key,
        needs=[key],
        params=params,
        message="「{header}」{value} 不在本供热季（{season_start} 至 "
        "{season_end}）及其准备期（自 {first} 起）内。请核对日期；不属于本供热季"
        "的记录请删除。",
        column=f"{key}__day",
        min_value=ctx.preparation_start,
        max_value=ctx.season_end,
    )
    if ctx.today >= ctx.season_end:
        # Once the season is over, a date after today is after the season end too.
        return [in_season]
    return [in_season, not_future_check(table, key, ctx)]


def not_future_check(table: str, key: str, ctx: CheckContext) -> Check:
    """A date must not lie after `ctx.today`."""
    return check(
        f"{table}.{key}.not_future",
        BLOCKING,
        E.ExpectColumnValuesToBeBetween,
        at=key,
        needs=[key],
        params={"today": ctx.today.isoformat()},
        message="「{header}」{value} 晚于今天（{today}），记录不能发生在未来。"
        "请核对日期。",
        column=f"{key}__day",
        max_value=ctx.today,
    )


def non_negative_check(table: str, key: str) -> Check:
    """A count or amount must be 0 or more."""
    return check(
        f"{table}.{key}.non_negative",
        BLOCKING,
        E.ExpectColumnValuesToBeBetween,
        at=key,
        needs=[key],
        message="「{header}」为 {value}，不能为负数。请填写 0 或正数。",
        column=key,
        min_value=0,
    )


# GB 32100 codes have 18 characters: digits and the capital letters other than I,
# O, Z, S and V. Characters 3 to 8 are the region code, in digits. The last one is
# a check character computed over the first 17.
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


def credit_code_checks(table: str, key: str, frame: pd.DataFrame) -> list[Check]:
    """The code must have the GB 32100 form and a correct check character.

    Adds `<key>__check_ok` to `frame`: None where the form is wrong, so that the
    check character is judged only on codes of the right form.
    """
    if key in frame:
        frame[f"{key}__check_ok"] = object_column(
            (_check_character_ok(v) for v in frame[key]), frame
        )
    return [
        check(
            f"{table}.{key}.format",
            BLOCKING,
            E.ExpectColumnValuesToMatchRegex,
            at=key,
            needs=[key],
            message="统一社会信用代码「{value}」格式不对：应为 18 位，由数字和大写字母"
            "组成（不含 I、O、Z、S、V），第 3 至 8 位是数字。请按营业执照填写。",
            column=key,
            regex=CREDIT_CODE_PATTERN,
        ),
        check(
            f"{table}.{key}.check_character",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at=key,
            needs=[key],
            message="统一社会信用代码「{value}」的最后一位校验码不对，代码中可能有"
            "写错的字符。请按营业执照逐位核对。",
            column=f"{key}__check_ok",
            value_set=[True],
        ),
    ]


def _check_character_ok(code: object) -> bool | None:
    if not isinstance(code, str) or re.fullmatch(CREDIT_CODE_PATTERN, code) is None:
        return None
    # stdnum's is_valid also demands digits in the first two places, which
    # GB 32100 does not (e.g. Y for "other" registering authorities), so only
    # its check character computation is used.
    return uscc.calc_check_digit(code[:17]) == code[17]
