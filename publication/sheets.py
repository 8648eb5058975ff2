"""Read a stored score sheet's `categories` and `lines` JSON into view values.

The JSON columns hold the scoring engine's `rules.sheet.CategoryScore` and
`rules.sheet.Line` values (dumped with `model_dump(mode="json")`, so numbers are
strings); they are validated with those models here. `categories` may be a list or
a mapping from category id to the category.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from publication.views import CategoryScore, ScoreLine, SheetView
from rules.sheet import CategoryScore as EngineCategory
from rules.sheet import Line as EngineLine

LINE_KINDS = {"sub_item": "item", "bonus": "bonus", "deduction": "deduction"}


class SheetFormatError(ValueError):
    """A stored score sheet's JSON does not match the engine's models."""


def _items(raw: Any, sheet_id: int, column: str) -> list[Any]:
    if isinstance(raw, Mapping):
        return [raw[key] for key in sorted(raw)]
    if isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        return list(raw)
    raise SheetFormatError(
        f"score sheet {sheet_id}: column {column} contains {type(raw).__name__}, "
        "expected a list of the engine's values"
    )


def parse_categories(raw: Any, sheet_id: int) -> tuple[CategoryScore, ...]:
    """Read the categories of sheet `sheet_id`, in category-id order C1 … C8."""
    result = []
    for index, item in enumerate(_items(raw, sheet_id, "categories")):
        try:
            category = EngineCategory.model_validate(item)
        except ValidationError as error:
            raise SheetFormatError(
                f"score sheet {sheet_id}: category {index + 1} is invalid: {error}"
            ) from error
        result.append(
            CategoryScore(
                code=category.id,
                name=category.name,
                points=category.points,
                max=category.max,
                applicable=category.applies,
            )
        )
    return tuple(sorted(result, key=lambda c: code_key(c.code)))


def parse_lines(raw: Any, sheet_id: int) -> tuple[ScoreLine, ...]:
    """Read the explained lines of sheet `sheet_id`: sub-items, bonus, deductions."""
    result = []
    for index, item in enumerate(_items(raw, sheet_id, "lines")):
        try:
            line = EngineLine.model_validate(item)
        except ValidationError as error:
            raise SheetFormatError(
                f"score sheet {sheet_id}: line {index + 1} is invalid: {error}"
            ) from error
        result.append(
            ScoreLine(
                code=line.rule_id,
                category=line.category or "",
                kind=LINE_KINDS[line.kind.value],
                name=line.name,
                points=line.points,
                max=line.max,
                reason=line.reason,
                applicable=line.applies,
                computed_points=line.computed_points,
                adjustment_reason=line.adjustment_reason or "",
            )
        )
    return tuple(sorted(result, key=lambda line: code_key(line.code)))


def code_key(code: str) -> tuple[int, tuple[int, ...], str]:
    """Sort C1.1 < C1.2 < C2.1 < … < B1 < D1, and C1.10 after C1.9."""
    order = {"C": 0, "B": 1, "D": 2}.get(code[:1], 3)
    numbers = tuple(int(part) for part in code[1:].split(".") if part.isdigit())
    return order, numbers, code


def sheet_view(sheet: Any) -> SheetView:
    """Build a `SheetView` from a `storage.models.ScoreSheet` row."""
    return SheetView(
        version=sheet.version,
        reason=sheet.reason,
        rulebook_version=sheet.rulebook_version,
        base=sheet.base,
        bonus=sheet.bonus,
        deductions=sheet.deductions,
        final=sheet.final,
        grade=sheet.grade,
        categories=parse_categories(sheet.categories, sheet.id),
        lines=parse_lines(sheet.lines, sheet.id),
    )
