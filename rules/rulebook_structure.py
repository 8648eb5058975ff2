"""Problems of a rulebook whose structure is broken, named by rule id.

pydantic stops at the first broken level, so `structure_problems` turns its errors
into rule-id problems, and `partial_problems` runs the rule checks of
`rules.rulebook_checks` on every part that validates on its own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from rules.figures_file import short_repr
from rules.rulebook import (
    METHODS,
    SUB_ITEM_ADAPTER,
    BonusItem,
    Category,
    DeductionRule,
    GradeBand,
    RuleProblem,
)
from rules.rulebook_checks import (
    bonus_item_problems,
    categories_problems,
    category_problems,
    deduction_problems,
    grade_problems,
    scalar_problems,
    sub_item_problems,
)

_LISTS = ("categories", "sub_items", "bonus", "deductions", "grades")


# Errors whose input is the whole enclosing mapping, which is too long to repeat.
_NO_VALUE_SHOWN = frozenset(
    {"missing", "model_type", "union_tag_not_found", "union_tag_invalid", "value_error"}
)


def _locate(loc: tuple[int | str, ...], data: Any) -> tuple[str, str]:
    """Turn a pydantic error location into (rule id, field path within the rule)."""
    rule_id, path, node = "rulebook", [], data
    index = 0
    while index < len(loc):
        key = loc[index]
        following = loc[index + 1] if index + 1 < len(loc) else None
        if key in _LISTS and isinstance(following, int):
            container = node.get(key) if isinstance(node, dict) else None
            item = None
            if isinstance(container, list) and following < len(container):
                item = container[following]
            ident = None
            if isinstance(item, dict) and key == "grades" and "grade" in item:
                ident = f"grade {item['grade']}"
            elif isinstance(item, dict):
                ident = item.get("id")
            if ident is not None:
                rule_id = str(ident)[:20]
            else:
                prefix = "" if rule_id == "rulebook" else f"{rule_id}."
                rule_id = f"{prefix}{key}[{following}]"
            node, path = item, []
            index += 2
            if key == "sub_items" and index < len(loc) and loc[index] in METHODS:
                index += 1  # skip the discriminator tag pydantic adds
            continue
        path.append(f"[{key}]" if isinstance(key, int) else str(key))
        index += 1
    return rule_id, ".".join(path).replace(".[", "[")


def structure_problems(error: ValidationError, data: Any) -> list[RuleProblem]:
    """Turn a pydantic ValidationError into problems named by rule id."""
    problems = []
    for detail in error.errors(include_url=False):
        rule_id, path = _locate(tuple(detail["loc"]), data)
        message = detail["msg"]
        if detail["type"] not in _NO_VALUE_SHOWN:
            message += f" (value {short_repr(detail['input'])})"
        if path:
            message = f"{path}: {message}"
        problems.append(RuleProblem(rule_id=rule_id, message=message))
    return problems


def _parse(adapter: TypeAdapter[Any] | type[BaseModel], value: Any) -> Any:
    try:
        if isinstance(adapter, TypeAdapter):
            return adapter.validate_python(value)
        return adapter.model_validate(value)
    except ValidationError:
        return None


_DECIMAL = TypeAdapter(Decimal)
_GRADES = TypeAdapter(tuple[GradeBand, ...])


def _partial_category_problems(raw_categories: list[Any]) -> list[RuleProblem]:
    """Check each category that validates, or else each of its sub-items that does."""
    problems = []
    for raw in raw_categories:
        category = _parse(Category, raw)
        if category is not None:
            problems += category_problems(category)
            continue
        if not isinstance(raw, dict):
            continue
        category_id = raw.get("id")
        raw_items = raw.get("sub_items")
        for raw_item in raw_items if isinstance(raw_items, list) else []:
            item = _parse(SUB_ITEM_ADAPTER, raw_item)
            if item is not None:
                problems += sub_item_problems(
                    item, str(category_id) if category_id else None
                )
    return problems


def partial_problems(data: dict[str, Any]) -> list[RuleProblem]:
    """Check every part of a structurally broken rulebook that validates on its own."""
    scale = _parse(_DECIMAL, data.get("scale"))
    cap = _parse(_DECIMAL, data.get("bonus_cap"))
    problems = scalar_problems(scale, cap)

    bands = _parse(_GRADES, data.get("grades"))
    if bands:
        problems += grade_problems(bands)

    raw_categories = data.get("categories")
    raw_categories = raw_categories if isinstance(raw_categories, list) else []
    problems += _partial_category_problems(raw_categories)
    categories = [_parse(Category, raw) for raw in raw_categories]
    if categories and None not in categories and scale is not None:
        problems += categories_problems(categories, scale)

    raw_bonus = data.get("bonus")
    for raw in raw_bonus if isinstance(raw_bonus, list) else []:
        item = _parse(BonusItem, raw)
        if item is not None:
            problems += bonus_item_problems(item, cap)

    grades = [band.grade for band in bands] if bands else None
    raw_deductions = data.get("deductions")
    for raw in raw_deductions if isinstance(raw_deductions, list) else []:
        rule = _parse(DeductionRule, raw)
        if rule is not None:
            problems += deduction_problems(rule, grades)
    return problems
