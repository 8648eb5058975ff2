"""The scoring engine: figures, rulebook and committee adjustments in, a ScoreSheet out.

Pure: no I/O, no clock, no Prefect. Arithmetic is Decimal throughout, and rounding
happens once, on the totals, half-up to two decimals. The same inputs always give
an equal sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext

from rules.adjustments import AdjustmentError, check_adjustments
from rules.exact import SCORING_CONTEXT, format_exact, format_points, round_points
from rules.figures import Figures
from rules.measure import ENTERPRISE_TYPE_NAMES
from rules.methods import ZERO, evaluate_bonus, evaluate_deduction, evaluate_sub_item
from rules.rulebook import Category, GradeBand, Rulebook, SubItem
from rules.sheet import Adjustment, CategoryScore, Line, LineKind, ScoreSheet
from storage.hashing import content_hash

__all__ = ["Adjustment", "AdjustmentError", "ScoreSheet", "check_adjustments", "score"]


def _adjust(line: Line, adjustment: Adjustment | None) -> Line:
    if adjustment is None:
        return line
    computed = format_exact(line.points)
    reason = (
        f"{line.reason}。评审委员会成员 {adjustment.member} "
        f"调整为 {adjustment.points} 分（按数据计算为 {computed} 分），"
        f"理由：{adjustment.reason}"
    )
    return line.model_copy(
        update={
            "points": adjustment.points,
            "computed_points": line.points,
            "adjusted_by": adjustment.member,
            "adjustment_reason": adjustment.reason,
            "reason": reason,
        }
    )


def _sub_item_line(
    category: Category,
    item: SubItem,
    figures: Figures,
    applies: bool,
    adjustment: Adjustment | None,
) -> Line:
    common = {
        "rule_id": item.id,
        "kind": LineKind.SUB_ITEM,
        "category": category.id,
        "name": item.name,
        "name_en": item.name_en,
        "max": item.points,
    }
    if not applies:
        type_name = ENTERPRISE_TYPE_NAMES[figures.enterprise_type]
        reason = f"{category.name}不适用于{type_name}，不计分，满分不计入基础分"
        return Line(**common, points=ZERO, inputs={}, reason=reason, applies=False)
    evaluation = evaluate_sub_item(item, figures)
    line = Line(
        **common,
        points=evaluation.points,
        inputs=evaluation.inputs,
        reason=evaluation.reason,
    )
    return _adjust(line, adjustment)


def _bonus_lines(
    rulebook: Rulebook, figures: Figures, adjusted: dict[str, Adjustment]
) -> list[Line]:
    lines = []
    for item in rulebook.bonus:
        common = {
            "rule_id": item.id,
            "kind": LineKind.BONUS,
            "name": item.name,
            "name_en": item.name_en,
            "max": item.points,
        }
        if figures.enterprise_type not in item.applies_to:
            type_name = ENTERPRISE_TYPE_NAMES[figures.enterprise_type]
            reason = f"本加分项不适用于{type_name}：加 0 分"
            lines.append(
                Line(**common, points=ZERO, inputs={}, reason=reason, applies=False)
            )
            continue
        evaluation = evaluate_bonus(item, figures)
        line = Line(
            **common,
            points=evaluation.points,
            inputs=evaluation.inputs,
            reason=evaluation.reason,
        )
        lines.append(_adjust(line, adjusted.get(item.id)))
    return lines


def _deduction_lines(rulebook: Rulebook, figures: Figures) -> list[Line]:
    lines = []
    for rule in rulebook.deductions:
        evaluation = evaluate_deduction(rule, figures)
        lines.append(
            Line(
                rule_id=rule.id,
                kind=LineKind.DEDUCTION,
                name=rule.name,
                name_en=rule.name_en,
                max=rule.max,
                points=evaluation.points,
                inputs=evaluation.inputs,
                reason=evaluation.reason,
            )
        )
    return lines


def _band_for(final: Decimal, rulebook: Rulebook) -> GradeBand:
    for band in rulebook.grades:
        if final >= band.min:
            return band
    return rulebook.grades[-1]


def _category_scores(
    figures: Figures, rulebook: Rulebook, adjusted: dict[str, Adjustment]
) -> tuple[list[Line], list[CategoryScore]]:
    """Return the sub-item lines and each category's points, the sum of its lines."""
    lines: list[Line] = []
    categories: list[CategoryScore] = []
    for category in rulebook.categories:
        applies = figures.enterprise_type in category.applies_to
        category_lines = [
            _sub_item_line(category, item, figures, applies, adjusted.get(item.id))
            for item in category.sub_items
        ]
        lines += category_lines
        categories.append(
            CategoryScore(
                id=category.id,
                name=category.name,
                name_en=category.name_en,
                max=category.max,
                applies=applies,
                points=sum((line.points for line in category_lines), ZERO),
            )
        )
    return lines, categories


def _grade(
    final: Decimal, rulebook: Rulebook, deduction_lines: list[Line]
) -> tuple[GradeBand, GradeBand, list[str], str]:
    """Grade a rounded final, then apply the grade caps of deductions that were made.

    Returns the band by points, the band after the caps, the ids of the capping
    deductions and the explanation in Chinese.
    """
    by_points = _band_for(final, rulebook)
    order = [band.grade for band in rulebook.grades]
    capped_by = []
    worst = order.index(by_points.grade)
    for rule, line in zip(rulebook.deductions, deduction_lines, strict=True):
        if rule.grade_cap is not None and line.points > 0:
            capped_by.append(rule.id)
            worst = max(worst, order.index(rule.grade_cap))
    band = rulebook.grades[worst]
    text = f"等级 {by_points.grade}（总分 {format_points(final)} ≥ {by_points.min}）"
    if band.grade != by_points.grade:
        text += (
            f"，因 {'、'.join(capped_by)} 等级最高为 {band.grade}，定为 {band.grade}"
        )
    return by_points, band, capped_by, f"{text}：{band.grade}级-{band.colour_name}"


def score(
    figures: Figures, rulebook: Rulebook, adjustments: Sequence[Adjustment] = ()
) -> ScoreSheet:
    """Score one enterprise's figures under `rulebook`, applying committee adjustments.

    Raises:
        AdjustmentError: an adjustment names an unknown, non-judgement or
            non-applicable item, or points above the item's full points.
    """
    if not isinstance(figures, Figures):
        raise TypeError(
            f"figures must be rules.figures.Figures, not {type(figures).__name__}"
        )
    decisions = tuple(adjustments)
    adjusted = check_adjustments(decisions, rulebook, figures.enterprise_type)
    with localcontext(SCORING_CONTEXT):
        return _score(figures, rulebook, adjusted, decisions)


def _score(
    figures: Figures,
    rulebook: Rulebook,
    adjusted: dict[str, Adjustment],
    adjustments: tuple[Adjustment, ...],
) -> ScoreSheet:
    enterprise_type = figures.enterprise_type
    type_name = ENTERPRISE_TYPE_NAMES[enterprise_type]

    lines, categories = _category_scores(figures, rulebook, adjusted)

    # Base: rescaled to the scale over the categories that apply.
    applicable = [category for category in categories if category.applies]
    raw = sum((category.points for category in applicable), ZERO)
    applicable_max = sum((category.max for category in applicable), ZERO)
    if applicable_max == 0:
        raise ValueError(f"no category of the rulebook applies to a {enterprise_type}")
    base_unrounded = raw * rulebook.scale / applicable_max
    skipped = [category.id for category in categories if not category.applies]
    summary = [
        f"适用类别满分合计 {applicable_max}"
        + (f"（{'、'.join(skipped)} 不适用于{type_name}）" if skipped else "")
        + f"，得分合计 {format_exact(raw)}"
    ]
    if applicable_max == rulebook.scale:
        summary.append(f"基础分 = {format_exact(base_unrounded)}")
    else:
        summary.append(
            f"基础分 = {format_exact(raw)} × {rulebook.scale} ÷ {applicable_max} = "
            f"{format_exact(base_unrounded)}"
        )

    # Bonus, capped; deductions.
    bonus_lines = _bonus_lines(rulebook, figures, adjusted)
    bonus_uncapped = sum((line.points for line in bonus_lines), ZERO)
    bonus = min(bonus_uncapped, rulebook.bonus_cap)
    summary.append(
        f"加分 {format_exact(bonus_uncapped)}"
        + (
            f"，超过上限 {rulebook.bonus_cap}，按 {rulebook.bonus_cap} 计"
            if bonus < bonus_uncapped
            else ""
        )
    )
    deduction_lines = _deduction_lines(rulebook, figures)
    deductions = sum((line.points for line in deduction_lines), ZERO)
    summary.append(f"减分 {format_exact(deductions)}")

    # Final, floored at zero and rounded once.
    total = base_unrounded + bonus - deductions
    final_unrounded = max(total, ZERO)
    final = round_points(final_unrounded)
    summary.append(
        f"总分 = {format_exact(base_unrounded)} + {format_exact(bonus)} − "
        f"{format_exact(deductions)} = {format_exact(total)}"
        + ("，低于 0 按 0 计" if total < 0 else "")
        + f"，四舍五入保留两位小数为 {format_points(final)}"
    )

    by_points, band, capped_by, grade_text = _grade(final, rulebook, deduction_lines)
    summary.append(grade_text)

    return ScoreSheet(
        rulebook_version=rulebook.version,
        input_hash=content_hash(figures),
        enterprise_type=enterprise_type,
        categories=tuple(categories),
        lines=tuple(lines + bonus_lines + deduction_lines),
        raw_points=raw,
        applicable_max=applicable_max,
        base_unrounded=base_unrounded,
        base=round_points(base_unrounded),
        bonus_uncapped=bonus_uncapped,
        bonus=round_points(bonus),
        deductions=round_points(deductions),
        final_unrounded=final_unrounded,
        final=final,
        grade=band.grade,
        grade_by_points=by_points.grade,
        grade_capped_by=tuple(capped_by),
        colour=band.colour,
        colour_name=band.colour_name,
        adjustments=adjustments,
        summary=tuple(summary),
    )
