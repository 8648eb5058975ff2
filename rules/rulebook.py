"""The rulebook: categories and their sub-items, bonus, deductions and grades.

A rulebook is a YAML file validated by the models below and in `rules.sub_items`
(the scoring methods). Every number in it is configuration. `load_rulebook` rejects
a broken file with a `RulebookError` that lists every problem by rule id, and a valid
rulebook's `version` is the SHA-256 of its canonical form, which each score sheet
stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from rules.exact import ExactDecimal, Points, load_exact_yaml
from rules.figures import EnterpriseType
from rules.sub_items import (
    METHODS,
    SUB_ITEM_ADAPTER,
    AppliesTo,
    ChecklistItem,
    CountedItems,
    DeductionItem,
    Direction,
    FrozenModel,
    InputName,
    PositivePoints,
    Quotient,
    RatioItem,
    Step,
    StepItem,
    SubItem,
    Text,
    UnitDeduction,
)
from storage.hashing import content_hash

__all__ = [
    "DEFAULT_RULEBOOK",
    "METHODS",
    "SUB_ITEM_ADAPTER",
    "BonusItem",
    "Category",
    "ChecklistItem",
    "Condition",
    "CountedItems",
    "DeductionItem",
    "DeductionRule",
    "Direction",
    "GradeBand",
    "Quotient",
    "RatioItem",
    "RuleProblem",
    "Rulebook",
    "RulebookError",
    "Step",
    "StepItem",
    "SubItem",
    "UnitDeduction",
    "load_rulebook",
    "parse_rulebook",
    "rulebook_from_data",
]

DEFAULT_RULEBOOK = Path(__file__).with_name("chifeng-default.yaml")

# Validation context flag: check types and shapes only, so that the loader can run the
# rulebook-wide checks itself and list every problem rather than the first one.
STRUCTURE_ONLY = "structure_only"


class Category(FrozenModel):
    """A category of the measure with its sub-items."""

    id: str = Field(pattern=r"^C\d+$")
    name: Text
    name_en: Text
    max: PositivePoints
    applies_to: AppliesTo
    sub_items: tuple[SubItem, ...] = Field(min_length=1)


class Condition(FrozenModel):
    """One condition of a bonus item.

    A yes/no input holds when it is true. A number (an input or a quotient) is
    compared with exactly one of `at_least`, `above`, `at_most` or `below`.
    """

    input: InputName | None = None
    quotient: Quotient | None = None
    at_least: ExactDecimal | None = None
    above: ExactDecimal | None = None
    at_most: ExactDecimal | None = None
    below: ExactDecimal | None = None

    @model_validator(mode="after")
    def _require_one_value(self) -> Self:
        if (self.input is None) == (self.quotient is None):
            raise ValueError("a condition needs exactly one of `input` or `quotient`")
        if len(self.comparisons()) > 1:
            raise ValueError(
                "a condition takes at most one of at_least, above, at_most, below"
            )
        return self

    def comparisons(self) -> list[tuple[str, Decimal]]:
        """Return the (operator, limit) pairs given, e.g. [("<", Decimal(5))]."""
        given = (
            (">=", self.at_least),
            (">", self.above),
            ("<=", self.at_most),
            ("<", self.below),
        )
        return [(op, limit) for op, limit in given if limit is not None]


class BonusItem(FrozenModel):
    """A bonus item: its points when every condition holds, otherwise 0."""

    id: str = Field(pattern=r"^B\d+$")
    name: Text
    name_en: Text
    points: PositivePoints
    applies_to: AppliesTo = (EnterpriseType.HEAT_SOURCE, EnterpriseType.HEATING)
    judgement: bool = False
    evidence: str = Field("", max_length=500)
    conditions: tuple[Condition, ...] = Field(min_length=1)


class DeductionRule(FrozenModel):
    """A deduction from the total: count × per_unit, at most `max`, with a grade cap."""

    id: str = Field(pattern=r"^D\d+$")
    name: Text
    name_en: Text
    input: InputName
    per_unit: PositivePoints
    max: PositivePoints | None = None
    grade_cap: str | None = Field(
        None, description="Best grade allowed once the count is above 0."
    )


class GradeBand(FrozenModel):
    """A grade for finals from `min` up to, not including, `below`."""

    grade: str = Field(pattern=r"^[A-Z]$")
    min: Points
    below: Points | None = None
    colour: str = Field(pattern=r"^[a-z]+$")
    colour_name: Text
    description: Text


class Rulebook(FrozenModel):
    """A complete, validated rulebook. Build it with `load_rulebook`."""

    title: Text
    edition: Text
    scale: PositivePoints
    bonus_cap: Points
    grades: tuple[GradeBand, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = Field(min_length=1)
    bonus: tuple[BonusItem, ...] = ()
    deductions: tuple[DeductionRule, ...] = ()

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> Self:
        if info.context and info.context.get(STRUCTURE_ONLY):
            return self
        from rules.rulebook_checks import rulebook_problems

        problems = rulebook_problems(self)
        if problems:
            raise ValueError("; ".join(str(problem) for problem in problems))
        return self

    @cached_property
    def version(self) -> str:
        """SHA-256 of the canonical form.

        Comments, key order and 3 written as 3.0 do not change it.
        """
        return content_hash(_canonical(self.model_dump(mode="python")))

    def sub_items(self) -> Iterator[tuple[Category, SubItem]]:
        """Yield every (category, sub-item) pair in rulebook order."""
        for category in self.categories:
            for item in category.sub_items:
                yield category, item

    def find_sub_item(self, rule_id: str) -> tuple[Category, SubItem] | None:
        """Return the sub-item `rule_id` with its category, or None."""
        for category, item in self.sub_items():
            if item.id == rule_id:
                return category, item
        return None

    def find_bonus(self, rule_id: str) -> BonusItem | None:
        """Return the bonus item `rule_id`, or None."""
        return next((item for item in self.bonus if item.id == rule_id), None)

    def band(self, grade: str) -> GradeBand:
        """Return the band of `grade`; raise KeyError for an unknown letter."""
        for band in self.grades:
            if band.grade == grade:
                return band
        raise KeyError(f"grade {grade!r} is not in this rulebook")


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


class RuleProblem(BaseModel):
    """One problem in a rulebook, named by the rule it concerns."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}"


class RulebookError(ValueError):
    """A rulebook that cannot be used; `problems` lists every problem found."""

    def __init__(self, source: str, problems: list[RuleProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"{source}: the rulebook is invalid, {len(self.problems)} problem(s):\n"
            f"{listing}"
        )


def load_rulebook(path: Path | str | None = None) -> Rulebook:
    """Read and validate a rulebook file; the default is the Chifeng rulebook.

    Raises:
        RulebookError: the file is missing, not YAML, or breaks any rule. The error
            lists every problem by rule id.
    """
    path = Path(path) if path is not None else DEFAULT_RULEBOOK
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = RuleProblem(rule_id="file", message="not found; check the path")
        raise RulebookError(str(path), [problem]) from None
    except (OSError, UnicodeDecodeError) as error:
        problem = RuleProblem(
            rule_id="file", message=f"cannot be read as UTF-8 text: {error}"
        )
        raise RulebookError(str(path), [problem]) from None
    return _parse_once(text, str(path))


@lru_cache(maxsize=8)
def _parse_once(text: str, source: str) -> Rulebook:
    """Parse each rulebook text once per process.

    Every received package needs the rulebook, and validating it costs more than
    reading the file. The returned model is frozen, so callers can share it.
    """
    return parse_rulebook(text, source=source)


def parse_rulebook(text: str, source: str = "<rulebook>") -> Rulebook:
    """Validate rulebook YAML text; `source` names it in errors."""
    try:
        data = load_exact_yaml(text)
    except yaml.YAMLError as error:
        problem = RuleProblem(rule_id="file", message=f"invalid YAML: {error}")
        raise RulebookError(source, [problem]) from None
    return rulebook_from_data(data, source)


def rulebook_from_data(data: Any, source: str = "<rulebook>") -> Rulebook:
    """Validate parsed rulebook data, collecting every problem before raising."""
    from rules.rulebook_checks import rulebook_problems
    from rules.rulebook_structure import partial_problems, structure_problems

    if not isinstance(data, dict):
        problem = RuleProblem(
            rule_id="file",
            message="the top level must be a mapping with title, edition, scale, ...",
        )
        raise RulebookError(source, [problem])
    try:
        book = Rulebook.model_validate(data, context={STRUCTURE_ONLY: True})
    except ValidationError as error:
        problems = structure_problems(error, data) + partial_problems(data)
        raise RulebookError(source, problems) from None
    problems = rulebook_problems(book)
    if problems:
        raise RulebookError(source, problems)
    return book
