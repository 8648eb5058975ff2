"""Rulebook checks that go beyond types: sums, the measure's numbers, inputs, steps.

Each check returns a list of `RuleProblem`s rather than raising, so a broken rulebook
is reported with every problem at once. `rules.rulebook_structure` runs the same
checks on the parts of a structurally broken file that do validate.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import Enum

import annotated_types

from rules import measure
from rules.figures import Figures
from rules.rulebook import (
    BonusItem,
    Category,
    ChecklistItem,
    Condition,
    DeductionItem,
    DeductionRule,
    Direction,
    GradeBand,
    Quotient,
    RatioItem,
    Rulebook,
    RuleProblem,
    StepItem,
    SubItem,
)

_CJK = re.compile(r"[\u4e00-\u9fff]")


class InputKind(Enum):
    """Kind of Figures field that a rule input requires."""

    YES_NO = "a yes/no (bool) figure"
    COUNT = "a count or a yes/no figure"
    NUMBER = "a number (count or decimal)"
    SHARE = "a share between 0 and 1"


def _field_kind(name: str) -> tuple[type, Decimal | None] | None:
    """Return (type, upper bound) of a Figures field, or None when there is none."""
    field = Figures.model_fields.get(name)
    if field is None or name == "enterprise_type":
        return None
    upper = None
    for constraint in field.metadata:
        if isinstance(constraint, annotated_types.Le):
            upper = Decimal(constraint.le)
    return field.annotation, upper


def _input_problems(rule_id: str, name: str, kind: InputKind) -> list[RuleProblem]:
    found = _field_kind(name)
    if found is None:
        known = [field for field in Figures.model_fields if field != "enterprise_type"]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        message = f"unknown input {name!r}, not a field of rules.figures.Figures{hint}"
        return [RuleProblem(rule_id=rule_id, message=message)]
    annotation, upper = found
    fits = {
        InputKind.YES_NO: annotation is bool,
        InputKind.COUNT: annotation in (int, bool),
        InputKind.NUMBER: annotation in (int, Decimal),
        InputKind.SHARE: annotation is Decimal and upper is not None and upper <= 1,
    }[kind]
    if fits:
        return []
    message = f"input {name!r} must be {kind.value}, but it is {annotation.__name__}"
    return [RuleProblem(rule_id=rule_id, message=message)]


def _quotient_problems(rule_id: str, quotient: Quotient) -> list[RuleProblem]:
    return _input_problems(rule_id, quotient.numerator, InputKind.NUMBER) + (
        _input_problems(rule_id, quotient.denominator, InputKind.NUMBER)
    )


def _has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def _name_problems(rule_id: str, name: str) -> list[RuleProblem]:
    if _has_chinese(name):
        return []
    message = f"name {name!r} must be the Chinese name (name_en is the English one)"
    return [RuleProblem(rule_id=rule_id, message=message)]


def _steps_problems(item: StepItem) -> list[RuleProblem]:
    problems = []
    pairs = list(itertools.pairwise(item.steps))
    if item.direction is Direction.HIGHER_IS_BETTER:
        ordered = all(later.at < earlier.at for earlier, later in pairs)
        order_words = "strictly decreasing thresholds (best first)"
    else:
        ordered = all(later.at > earlier.at for earlier, later in pairs)
        order_words = "strictly increasing thresholds (best first)"
    if not ordered:
        thresholds = ", ".join(str(step.at) for step in item.steps)
        message = (
            f"steps must have {order_words} for {item.direction}, got {thresholds}"
        )
        problems.append(RuleProblem(rule_id=item.id, message=message))
    if not all(later.points < earlier.points for earlier, later in pairs):
        points = ", ".join(str(step.points) for step in item.steps)
        message = f"step points must fall strictly from the best step on, got {points}"
        problems.append(RuleProblem(rule_id=item.id, message=message))
    if item.steps[0].points != item.points:
        message = (
            f"the best step gives {item.steps[0].points} points but the sub-item is "
            f"worth {item.points}; make them equal so full points can be reached"
        )
        problems.append(RuleProblem(rule_id=item.id, message=message))
    return problems


def sub_item_problems(item: SubItem, category_id: str | None) -> list[RuleProblem]:
    """Check one sub-item: its id, Chinese name, inputs and step table."""
    problems = _name_problems(item.id, item.name)
    if category_id is not None and not item.id.startswith(f"{category_id}."):
        message = f"a sub-item of {category_id} must have an id {category_id}.N"
        problems.append(RuleProblem(rule_id=item.id, message=message))
    if isinstance(item, ChecklistItem):
        for name in item.items:
            problems += _input_problems(item.id, name, InputKind.YES_NO)
        if item.counted is not None:
            problems += _input_problems(item.id, item.counted.input, InputKind.COUNT)
    elif isinstance(item, RatioItem):
        if item.share is not None:
            problems += _input_problems(item.id, item.share, InputKind.SHARE)
        if item.quotient is not None:
            problems += _quotient_problems(item.id, item.quotient)
    elif isinstance(item, StepItem):
        if item.input is not None:
            problems += _input_problems(item.id, item.input, InputKind.NUMBER)
        if item.quotient is not None:
            problems += _quotient_problems(item.id, item.quotient)
        problems += _steps_problems(item)
    elif isinstance(item, DeductionItem):
        for unit in item.deduct:
            problems += _input_problems(item.id, unit.input, InputKind.COUNT)
    return problems


def category_problems(category: Category) -> list[RuleProblem]:
    """Check one category against the measure and its sub-items against it."""
    problems = _name_problems(category.id, category.name)
    fact = measure.CATEGORIES.get(category.id)
    if fact is None:
        known = ", ".join(measure.CATEGORIES)
        message = (
            f"the measure has no category {category.id}; its categories are {known}"
        )
        problems.append(RuleProblem(rule_id=category.id, message=message))
    else:
        if category.max != fact.max:
            message = (
                f"max is {category.max} but the measure gives {category.id} {fact.max}"
            )
            problems.append(RuleProblem(rule_id=category.id, message=message))
        if set(category.applies_to) != fact.applies_to:
            expected = ", ".join(sorted(fact.applies_to))
            given = ", ".join(category.applies_to)
            message = f"applies_to is [{given}] but the measure addresses [{expected}]"
            problems.append(RuleProblem(rule_id=category.id, message=message))
    total = sum((item.points for item in category.sub_items), Decimal(0))
    if total != category.max:
        parts = " + ".join(f"{item.id} {item.points}" for item in category.sub_items)
        message = (
            f"sub-item points add up to {total} ({parts}), not to max {category.max}"
        )
        problems.append(RuleProblem(rule_id=category.id, message=message))
    for item in category.sub_items:
        problems += sub_item_problems(item, category.id)
    return problems


def categories_problems(
    categories: Sequence[Category], scale: Decimal
) -> list[RuleProblem]:
    """Check that the categories are the measure's eight and add up to the scale."""
    problems = []
    present = {category.id for category in categories}
    missing = [
        category_id for category_id in measure.CATEGORIES if category_id not in present
    ]
    if missing:
        message = f"categories {', '.join(missing)} of the measure are missing"
        problems.append(RuleProblem(rule_id="categories", message=message))
    total = sum((category.max for category in categories), Decimal(0))
    if total != scale:
        message = f"category maxima add up to {total}, not to {scale} (the scale)"
        problems.append(RuleProblem(rule_id="categories", message=message))
    return problems


def _condition_problems(rule_id: str, condition: Condition) -> list[RuleProblem]:
    if condition.quotient is not None:
        problems = _quotient_problems(rule_id, condition.quotient)
        if not condition.comparisons():
            message = (
                "a quotient condition needs one of at_least, above, at_most, below"
            )
            problems.append(RuleProblem(rule_id=rule_id, message=message))
        return problems
    name = condition.input or ""
    found = _field_kind(name)
    if found is not None and found[0] is bool:
        if condition.comparisons():
            message = (
                f"yes/no input {name!r} is met when true and takes no comparison; "
                "remove at_least, above, at_most or below"
            )
            return [RuleProblem(rule_id=rule_id, message=message)]
        return []
    problems = _input_problems(rule_id, name, InputKind.NUMBER)
    if found is not None and not condition.comparisons():
        message = f"number input {name!r} needs one of at_least, above, at_most, below"
        problems.append(RuleProblem(rule_id=rule_id, message=message))
    return problems


def bonus_item_problems(item: BonusItem, cap: Decimal | None) -> list[RuleProblem]:
    """Check one bonus item's name, inputs and points."""
    problems = _name_problems(item.id, item.name)
    if cap is not None and item.points > cap:
        message = f"points {item.points} exceed the bonus cap {cap}"
        problems.append(RuleProblem(rule_id=item.id, message=message))
    for condition in item.conditions:
        problems += _condition_problems(item.id, condition)
    return problems


def deduction_problems(
    rule: DeductionRule, grades: Iterable[str] | None
) -> list[RuleProblem]:
    """Check one deduction's name, input, cap and grade cap."""
    problems = _name_problems(rule.id, rule.name)
    problems += _input_problems(rule.id, rule.input, InputKind.COUNT)
    if rule.max is not None and rule.max < rule.per_unit:
        message = f"max {rule.max} is below per_unit {rule.per_unit}"
        problems.append(RuleProblem(rule_id=rule.id, message=message))
    known = list(grades) if grades is not None else None
    if rule.grade_cap is not None and known is not None and rule.grade_cap not in known:
        message = (
            f"grade_cap {rule.grade_cap!r} is not one of the grades {', '.join(known)}"
        )
        problems.append(RuleProblem(rule_id=rule.id, message=message))
    return problems


def grade_problems(bands: Sequence[GradeBand]) -> list[RuleProblem]:
    """Check that the bands run best first without gaps and match the measure."""
    problems = []
    if bands[0].below is not None:
        message = f"the best grade {bands[0].grade} must have no `below` bound"
        problems.append(RuleProblem(rule_id=f"grade {bands[0].grade}", message=message))
    for better, worse in itertools.pairwise(bands):
        if worse.below != better.min:
            message = (
                f"below is {worse.below} but the next better grade {better.grade} "
                f"starts at {better.min}; bands must be ordered best first, no gaps"
            )
            problems.append(
                RuleProblem(rule_id=f"grade {worse.grade}", message=message)
            )
    for band in bands:
        if band.below is not None and band.min >= band.below:
            message = f"min {band.min} must be below `below` {band.below}"
            problems.append(RuleProblem(rule_id=f"grade {band.grade}", message=message))
    if bands[-1].min != 0:
        message = f"the lowest grade must start at 0, not at {bands[-1].min}"
        problems.append(
            RuleProblem(rule_id=f"grade {bands[-1].grade}", message=message)
        )
    letters = [band.grade for band in bands]
    expected = [fact.grade for fact in measure.GRADES]
    if letters != expected:
        message = (
            f"grades are {', '.join(letters)} but the measure has "
            f"{', '.join(expected)}, best first"
        )
        problems.append(RuleProblem(rule_id="grades", message=message))
        return problems
    for band, fact in zip(bands, measure.GRADES, strict=True):
        given = (band.min, band.colour, band.colour_name)
        wanted = (fact.min, fact.colour, fact.colour_name)
        if given != wanted:
            message = (
                f"min, colour and plate are {' '.join(map(str, given))} but the "
                f"measure gives {' '.join(map(str, wanted))}"
            )
            problems.append(RuleProblem(rule_id=f"grade {band.grade}", message=message))
    return problems


def scalar_problems(scale: Decimal | None, cap: Decimal | None) -> list[RuleProblem]:
    """Check the scale and the bonus cap against the measure; None skips a value."""
    problems = []
    if scale is not None and scale != measure.SCALE:
        message = f"scale is {scale} but the measure scores out of {measure.SCALE}"
        problems.append(RuleProblem(rule_id="scale", message=message))
    if cap is not None and cap != measure.BONUS_CAP:
        message = f"bonus_cap is {cap} but the measure caps it at {measure.BONUS_CAP}"
        problems.append(RuleProblem(rule_id="bonus_cap", message=message))
    return problems


def _duplicate_problems(ids: Iterable[str]) -> list[RuleProblem]:
    counts = Counter(ids)
    return [
        RuleProblem(
            rule_id=rule_id, message=f"id used {count} times; ids must be unique"
        )
        for rule_id, count in counts.items()
        if count > 1
    ]


def rulebook_problems(book: Rulebook) -> list[RuleProblem]:
    """Return every problem of a rulebook whose structure is valid."""
    problems = scalar_problems(book.scale, book.bonus_cap)
    problems += grade_problems(book.grades)
    problems += categories_problems(book.categories, book.scale)
    for category in book.categories:
        problems += category_problems(category)
    for item in book.bonus:
        problems += bonus_item_problems(item, book.bonus_cap)
    grades = [band.grade for band in book.grades]
    for rule in book.deductions:
        problems += deduction_problems(rule, grades)
    ids = [category.id for category in book.categories]
    ids += [item.id for _, item in book.sub_items()]
    ids += [item.id for item in book.bonus] + [rule.id for rule in book.deductions]
    problems += _duplicate_problems(ids)
    problems += _duplicate_problems(grades)
    return problems
