"""Fill the blank application workbook (`intake.template`) as an enterprise would.

The generator writes into the template that `heateval template` produces, so the
samples follow the same sheets, rows and drop-downs as a real submission. Values are
written the way people type them: shares as 96.5% text or as 0.965, yes/no as 是/否,
the county as the drop-down's '150402 红山区' or the bare code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake.cells import Kind
from intake.schema import (
    CLAIMS_SHEET,
    ENTERPRISE_TYPE_NAMES,
    IDENTITY_SHEET,
    KEY_FIGURES,
    KEY_FIGURES_SHEET,
    figure_kind,
)
from intake.template import build_template
from rules.rulebook import Rulebook
from samples.filewriters import xlsx_bytes
from samples.roster import Enterprise

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Claim:
    """One row of 自评分: the points the enterprise claims and its remark."""

    sub_item: str
    points: Decimal
    remark: str = ""


@dataclass(frozen=True)
class WorkbookStyle:
    """Habits of the clerk who fills one enterprise's workbook."""

    county_with_name: bool  # '150402 红山区' from the drop-down, else '150402'
    shares_as_percent_text: bool  # '96.5%' typed as text, else 0.965 as a number


def _show_share(value: Decimal, as_text: bool) -> Any:
    if not as_text:
        return value
    percent = (value * 100).normalize()
    return f"{percent:f}%"


def key_figure_cell(field: str, value: Any, style: WorkbookStyle) -> Any:
    """Return a key figure as the clerk types it into the 数值 column."""
    kind = figure_kind(field)
    if kind is Kind.BOOL:
        return "是" if value else "否"
    if kind is Kind.SHARE:
        return _show_share(Decimal(value), style.shares_as_percent_text)
    return value


def application_xlsx(
    enterprise: Enterprise,
    key_figures: dict[str, Any],
    claims: list[Claim],
    season: str,
    rulebook: Rulebook,
    moment: datetime,
    style: WorkbookStyle,
    *,
    credit_code: str | None = None,
    formulas: dict[str, str] | None = None,
) -> bytes:
    """Return application.xlsx bytes for the enterprise.

    `credit_code` overrides the code written, because a defect design types it
    wrong. `formulas` maps key figures to a formula written in place of the value.
    openpyxl saves a formula without a cached result, like a file never opened in
    Excel.
    """
    workbook = build_template(season, rulebook)
    county = enterprise.county
    identity = {
        "企业名称": enterprise.name,
        "统一社会信用代码": credit_code or enterprise.credit_code,
        "所属旗县区": f"{county.code} {county.name}"
        if style.county_with_name
        else county.code,
        "企业类型": ENTERPRISE_TYPE_NAMES[enterprise.kind],
        "供热季": season,
        "联系人": enterprise.contact.name,
        "联系电话": enterprise.phone,
        "电子邮箱": enterprise.email,
    }
    sheet = workbook[IDENTITY_SHEET]
    for row in range(2, sheet.max_row + 1):
        label = sheet.cell(row=row, column=1).value
        if label in identity:
            sheet.cell(row=row, column=2).value = identity[label]

    formulas = formulas or {}
    sheet = workbook[KEY_FIGURES_SHEET]
    for row in range(2, sheet.max_row + 1):
        field = sheet.cell(row=row, column=1).value
        if field not in KEY_FIGURES:
            continue
        cell = sheet.cell(row=row, column=3)
        cell.value = formulas.get(field) or key_figure_cell(
            field, key_figures[field], style
        )

    by_id = {claim.sub_item: claim for claim in claims}
    sheet = workbook[CLAIMS_SHEET]
    for row in range(2, sheet.max_row + 1):
        claim = by_id.get(sheet.cell(row=row, column=1).value)
        if claim is None:
            continue
        sheet.cell(row=row, column=5).value = claim.points
        if claim.remark:
            sheet.cell(row=row, column=6).value = claim.remark
    return xlsx_bytes(workbook, moment)


def claims_from_sheet(sheet: Any, optimism: int, rng: random.Random) -> list[Claim]:
    """Return the self-assessment: the engine's points, rounded as people round.

    `optimism` sub-items that lost points are claimed at full points instead, as a
    hopeful self-assessment does; the committee's scoring ignores claims anyway.
    """
    claims = []
    lost = [
        line.rule_id
        for line in sheet.lines
        if line.kind != "deduction" and line.applies and line.points < line.max
    ]
    hopeful = set(rng.sample(lost, min(optimism, len(lost))))
    for line in sheet.lines:
        if line.kind == "deduction":
            continue
        if not line.applies:
            claims.append(Claim(line.rule_id, Decimal(0), "不适用于本企业类型"))
            continue
        if line.rule_id in hopeful:
            claims.append(Claim(line.rule_id, line.max, "已整改，申请按满分计"))
            continue
        points = line.points.quantize(CENT, rounding=ROUND_HALF_UP).normalize()
        claims.append(Claim(line.rule_id, points if points else Decimal(0)))
    return claims
