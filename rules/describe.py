"""Short descriptions of rules for people: method, inputs and steps on one line."""

from __future__ import annotations

from rules.exact import format_exact
from rules.rulebook import (
    BonusItem,
    ChecklistItem,
    Condition,
    DeductionRule,
    Direction,
    Quotient,
    RatioItem,
    StepItem,
    SubItem,
)

_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def describe_quotient(quotient: Quotient) -> str:
    """Write a quotient as "numerator ÷ denominator [× per] (0 → value)"."""
    per = "" if quotient.per == 1 else f" × {format_exact(quotient.per)}"
    zero = format_exact(quotient.when_denominator_zero)
    return (
        f"{quotient.numerator} ÷ {quotient.denominator}{per} (denominator 0 → {zero})"
    )


def describe_sub_item(item: SubItem) -> str:
    """Write how a sub-item is scored, e.g. "≥0.98 → 6, ≥0.95 → 5, else 0"."""
    if isinstance(item, ChecklistItem):
        parts = list(item.items)
        if item.counted is not None:
            parts.append(f"{item.counted.input} of {item.counted.out_of}")
        return f"points × met ÷ items; items: {', '.join(parts)}"
    if isinstance(item, RatioItem):
        value = (
            item.share if item.share is not None else describe_quotient(item.quotient)
        )
        target = "" if item.target == 1 else f" ÷ target {format_exact(item.target)}"
        return f"points × min({value}{target}, 1)"
    if isinstance(item, StepItem):
        value = (
            item.input if item.input is not None else describe_quotient(item.quotient)
        )
        symbol = "≥" if item.direction is Direction.HIGHER_IS_BETTER else "≤"
        steps = ", ".join(
            f"{symbol}{format_exact(s.at)} → {s.points}" for s in item.steps
        )
        return f"{value}: {steps}, else 0"
    units = ", ".join(f"−{unit.points} per {unit.input}" for unit in item.deduct)
    return f"{units}; floored at 0"


def describe_condition(condition: Condition) -> str:
    """Write one bonus condition, e.g. "metering_energy_saving ≥ 0.05"."""
    if condition.quotient is not None:
        value = describe_quotient(condition.quotient)
    else:
        value = condition.input or ""
    comparisons = condition.comparisons()
    if not comparisons:
        return f"{value} is true"
    operator, limit = comparisons[0]
    return f"{value} {_SYMBOLS[operator]} {format_exact(limit)}"


def describe_bonus(item: BonusItem) -> str:
    """Write a bonus item's conditions joined by "and"."""
    return " and ".join(describe_condition(condition) for condition in item.conditions)


def describe_deduction(rule: DeductionRule) -> str:
    """Write a deduction, e.g. "−3 per serious_petitions, at most 10"."""
    text = f"−{rule.per_unit} per {rule.input}"
    if rule.max is not None:
        text += f", at most {rule.max}"
    if rule.grade_cap is not None:
        text += f"; grade at best {rule.grade_cap}"
    return text
