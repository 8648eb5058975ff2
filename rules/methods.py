"""Evaluation of each scoring method: figures in, points and a Chinese reason out.

Every function here must run inside `decimal.localcontext(SCORING_CONTEXT)`, which
`rules.engine.score` sets up, and returns exact (unrounded) points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rules.exact import format_exact
from rules.figures import Figures
from rules.rulebook import (
    BonusItem,
    ChecklistItem,
    Condition,
    DeductionItem,
    DeductionRule,
    Direction,
    Quotient,
    RatioItem,
    StepItem,
    SubItem,
)

ONE = Decimal(1)
ZERO = Decimal(0)
_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


@dataclass
class Evaluation:
    """Points a rule earned (or deducted), the inputs it read and the reason."""

    points: Decimal
    reason: str
    inputs: dict[str, str] = field(default_factory=dict)


def label(name: str) -> str:
    """Return the Chinese label of a Figures field, or the field name without one."""
    field_info = Figures.model_fields.get(name)
    return field_info.title if field_info is not None and field_info.title else name


def _show(value: bool | int | Decimal) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format_exact(value)
    return str(value)


class _Reader:
    """Reader of figures as Decimals that records every value read."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures
        self.inputs: dict[str, str] = {}

    def raw(self, name: str) -> bool | int | Decimal:
        value = getattr(self.figures, name)
        self.inputs[name] = _show(value)
        return value

    def number(self, name: str) -> Decimal:
        value = self.raw(name)
        if isinstance(value, Decimal):
            return value
        return Decimal(int(value))  # a count, or a yes/no figure counted as 0 or 1

    def quotient(self, quotient: Quotient) -> tuple[Decimal, str]:
        """Return the quotient's value and its arithmetic in words."""
        numerator = self.number(quotient.numerator)
        denominator = self.number(quotient.denominator)
        if denominator == 0:
            value = quotient.when_denominator_zero
            text = f"{label(quotient.denominator)}为 0，按 {format_exact(value)} 计"
            return value, text
        value = numerator / denominator * quotient.per
        per = "" if quotient.per == 1 else f" × {format_exact(quotient.per)}"
        text = (
            f"{label(quotient.numerator)} {format_exact(numerator)} ÷ "
            f"{label(quotient.denominator)} {format_exact(denominator)}{per} = "
            f"{format_exact(value)}"
        )
        return value, text

    def value(self, name: str | None, quotient: Quotient | None) -> tuple[Decimal, str]:
        """Return an input's or a quotient's value with its text."""
        if quotient is not None:
            return self.quotient(quotient)
        assert name is not None  # the rulebook models require one of the two
        value = self.number(name)
        return value, f"{label(name)} {format_exact(value)}"


def _checklist(item: ChecklistItem, read: _Reader) -> Evaluation:
    met, total, parts = ZERO, ZERO, []
    for name in item.items:
        ticked = bool(read.raw(name))
        met += 1 if ticked else 0
        total += 1
        parts.append(f"{label(name)}：{_show(ticked)}")
    if item.counted is not None:
        count = read.number(item.counted.input)
        out_of = Decimal(item.counted.out_of)
        counted = min(count, out_of)
        met += counted
        total += out_of
        parts.append(
            f"{label(item.counted.input)} {format_exact(count)}（共 {out_of} 项）"
        )
    points = item.points * met / total
    reason = (
        f"{'；'.join(parts)}。满足 {format_exact(met)}/{format_exact(total)} 项："
        f"{item.points} × {format_exact(met)} ÷ {format_exact(total)} = "
        f"{format_exact(points)}"
    )
    return Evaluation(points, reason)


def _ratio(item: RatioItem, read: _Reader) -> Evaluation:
    value, text = read.value(item.share, item.quotient)
    fraction = min(value / item.target, ONE)
    if item.target == 1:
        formula = f"{item.points} × min({format_exact(value)}, 1)"
    else:
        target = format_exact(item.target)
        formula = f"{item.points} × min({format_exact(value)} ÷ {target}, 1)"
    points = item.points * fraction
    return Evaluation(points, f"{text}：{formula} = {format_exact(points)}")


def _reaches(value: Decimal, at: Decimal, direction: Direction) -> bool:
    if direction is Direction.HIGHER_IS_BETTER:
        return value >= at
    return value <= at


def _steps(item: StepItem, read: _Reader) -> Evaluation:
    value, text = read.value(item.input, item.quotient)
    symbol = "≥" if item.direction is Direction.HIGHER_IS_BETTER else "≤"
    table = "，".join(
        f"{symbol}{format_exact(step.at)} 得 {step.points}" for step in item.steps
    )
    for step in item.steps:
        if _reaches(value, step.at, item.direction):
            reason = (
                f"{text} {symbol} {format_exact(step.at)}：得 {step.points} 分"
                f"（分档：{table}，其余 0）"
            )
            return Evaluation(step.points, reason)
    last = item.steps[-1]
    lowest = f"{symbol}{format_exact(last.at)}"
    reason = f"{text}，未达到最低档 {lowest}：得 0 分（分档：{table}）"
    return Evaluation(ZERO, reason)


def _deduction(item: DeductionItem, read: _Reader) -> Evaluation:
    deducted, parts, counts = ZERO, [], []
    for unit in item.deduct:
        count = read.number(unit.input)
        deducted += count * unit.points
        counts.append(f"{label(unit.input)} {format_exact(count)}")
        parts.append(f"{counts[-1]} × {unit.points}")
    if deducted == 0:
        reason = f"无扣分情形（{'，'.join(counts)}）：得 {item.points} 分"
        return Evaluation(item.points, reason)
    left = item.points - deducted
    points = max(left, ZERO)
    reason = (
        f"扣分 {' + '.join(parts)} = {format_exact(deducted)}："
        f"{item.points} − {format_exact(deducted)} = {format_exact(left)}"
    )
    if left < 0:
        reason += "，扣完为止，得 0 分"
    return Evaluation(points, reason)


def evaluate_sub_item(item: SubItem, figures: Figures) -> Evaluation:
    """Score one sub-item from the figures."""
    read = _Reader(figures)
    if isinstance(item, ChecklistItem):
        evaluation = _checklist(item, read)
    elif isinstance(item, RatioItem):
        evaluation = _ratio(item, read)
    elif isinstance(item, StepItem):
        evaluation = _steps(item, read)
    else:
        evaluation = _deduction(item, read)
    evaluation.inputs = read.inputs
    return evaluation


def _condition_holds(condition: Condition, read: _Reader) -> tuple[bool, str]:
    comparisons = condition.comparisons()
    if not comparisons:
        assert condition.input is not None  # checked when the rulebook loads
        holds = bool(read.raw(condition.input))
        return holds, f"{label(condition.input)}：{_show(holds)}"
    value, text = read.value(condition.input, condition.quotient)
    operator, limit = comparisons[0]
    holds = {
        ">=": value >= limit,
        ">": value > limit,
        "<=": value <= limit,
        "<": value < limit,
    }[operator]
    verdict = "满足" if holds else "不满足"
    return holds, f"{text}，要求 {_SYMBOLS[operator]} {format_exact(limit)}，{verdict}"


def evaluate_bonus(item: BonusItem, figures: Figures) -> Evaluation:
    """Award a bonus item's points when all of its conditions hold."""
    read = _Reader(figures)
    results = [_condition_holds(condition, read) for condition in item.conditions]
    texts = "；".join(text for _, text in results)
    if all(holds for holds, _ in results):
        evaluation = Evaluation(
            item.points, f"{texts}。条件全部满足：加 {item.points} 分"
        )
    else:
        evaluation = Evaluation(ZERO, f"{texts}。条件未全部满足：加 0 分")
    evaluation.inputs = read.inputs
    return evaluation


def evaluate_deduction(rule: DeductionRule, figures: Figures) -> Evaluation:
    """Compute the points a deduction rule takes off the total."""
    read = _Reader(figures)
    count = read.number(rule.input)
    amount = count * rule.per_unit
    points = amount if rule.max is None else min(amount, rule.max)
    reason = f"{label(rule.input)} {_show(read.raw(rule.input))}"
    if count == 0:
        reason += "：不扣分"
    else:
        reason += f"：{format_exact(count)} × {rule.per_unit} = {format_exact(amount)}"
        if points < amount:
            reason += f"，本项最多扣 {rule.max}"
        reason += f"，扣 {format_exact(points)} 分"
        if rule.grade_cap is not None:
            reason += f"，等级最高为 {rule.grade_cap}"
    return Evaluation(points, reason, read.inputs)
