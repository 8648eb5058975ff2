"""The rulebook: categories, sub-items and scoring methods, bonus, deductions, grades.

A rulebook is a YAML file validated by the models below. Every number in it is
configuration. `load_rulebook` rejects a broken file with a `RulebookError` that lists
every problem by rule id, and a valid rulebook's `version` is the SHA-256 of its
canonical form, which each score sheet stores.

Methods of a sub-item:

- CHK, checklist: points × items met ÷ items.
- RATIO: points × min(value ÷ target, 1), where the value is a share input or a
  quotient of two inputs.
- THR, step table: the points of the first step that the value reaches.
- DED, per-incident deduction: points − Σ count × points per unit, floored at zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from rules.exact import ExactDecimal, Points, load_exact_yaml
from rules.figures import EnterpriseType
from storage.hashing import content_hash

DEFAULT_RULEBOOK = Path(__file__).with_name("chifeng-default.yaml")

# Validation context flag: check types and shapes only, so that the loader can run the
# rulebook-wide checks itself and list every problem rather than the first one.
STRUCTURE_ONLY = "structure_only"

Text = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
InputName = Annotated[str, Field(min_length=1, max_length=64)]
PositivePoints = Annotated[Points, Field(gt=0)]


def _sorted_types(value: tuple[EnterpriseType, ...]) -> tuple[EnterpriseType, ...]:
    return tuple(sorted(set(value)))


AppliesTo = Annotated[
    tuple[EnterpriseType, ...], Field(min_length=1), AfterValidator(_sorted_types)
]


class Direction(StrEnum):
    """Which way a step table's input improves."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quotient(_Frozen):
    """A computed input: numerator ÷ denominator × per.

    `when_denominator_zero` is the value used when the denominator is 0: for a
    RATIO it is usually 1 (nothing to do, so full points), for a complaint rate 0.
    """

    numerator: InputName
    denominator: InputName
    per: ExactDecimal = Field(Decimal(1), gt=0)
    when_denominator_zero: ExactDecimal = Field(ge=0)


class CountedItems(_Frozen):
    """Checklist items given as one count, e.g. 3 of the 4 convenience measures."""

    input: InputName
    out_of: int = Field(ge=1, le=100)


class Step(_Frozen):
    """One row of a step table: a value that reaches `at` earns `points`."""

    at: ExactDecimal
    points: Points


class UnitDeduction(_Frozen):
    """Points deducted for each unit of a count input (a bool counts as 0 or 1)."""

    input: InputName
    points: PositivePoints


class _SubItem(_Frozen):
    id: str = Field(pattern=r"^C\d+\.\d+$")
    name: Text
    name_en: Text
    points: PositivePoints
    judgement: bool = Field(
        False, description="The committee may set the points by an adjustment."
    )
    evidence: str = Field("", max_length=500, description="What proves the sub-item.")


class ChecklistItem(_SubItem):
    """CHK: points × items met ÷ items."""

    method: Literal["CHK"]
    items: tuple[InputName, ...] = ()
    counted: CountedItems | None = None

    @model_validator(mode="after")
    def _require_items(self) -> Self:
        if not self.items and self.counted is None:
            raise ValueError("a CHK sub-item needs `items`, `counted` or both")
        return self


class RatioItem(_SubItem):
    """RATIO: points × min(value ÷ target, 1)."""

    method: Literal["RATIO"]
    share: InputName | None = None
    quotient: Quotient | None = None
    target: ExactDecimal = Field(Decimal(1), gt=0)

    @model_validator(mode="after")
    def _require_one_value(self) -> Self:
        if (self.share is None) == (self.quotient is None):
            raise ValueError(
                "a RATIO sub-item needs exactly one of `share` or `quotient`"
            )
        return self


class StepItem(_SubItem):
    """THR: the points of the first step, best first, that the value reaches; else 0."""

    method: Literal["THR"]
    input: InputName | None = None
    quotient: Quotient | None = None
    direction: Direction
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _require_one_value(self) -> Self:
        if (self.input is None) == (self.quotient is None):
            raise ValueError(
                "a THR sub-item needs exactly one of `input` or `quotient`"
            )
        return self


class DeductionItem(_SubItem):
    """DED: points − Σ count × points per unit, floored at zero."""

    method: Literal["DED"]
    deduct: tuple[UnitDeduction, ...] = Field(min_length=1)


SubItem = Annotated[
    ChecklistItem | RatioItem | StepItem | DeductionItem, Field(discriminator="method")
]
SUB_ITEM_ADAPTER: TypeAdapter[SubItem] = TypeAdapter(SubItem)
METHODS = ("CHK", "RATIO", "THR", "DED")


class Category(_Frozen):
    """A category of the measure with its sub-items."""

    id: str = Field(pattern=r"^C\d+$")
    name: Text
    name_en: Text
    max: PositivePoints
    applies_to: AppliesTo
    sub_items: tuple[SubItem, ...] = Field(min_length=1)


class Condition(_Frozen):
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


class BonusItem(_Frozen):
    """A bonus item: its points when every condition holds, otherwise 0."""

    id: str = Field(pattern=r"^B\d+$")
    name: Text
    name_en: Text
    points: PositivePoints
    applies_to: AppliesTo = (EnterpriseType.HEAT_SOURCE, EnterpriseType.HEATING)
    judgement: bool = False
    evidence: str = Field("", max_length=500)
    conditions: tuple[Condition, ...] = Field(min_length=1)


class DeductionRule(_Frozen):
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


class GradeBand(_Frozen):
    """A grade for finals from `min` up to, not including, `below`."""

    grade: str = Field(pattern=r"^[A-Z]$")
    min: Points
    below: Points | None = None
    colour: str = Field(pattern=r"^[a-z]+$")
    colour_name: Text
    description: Text


class Rulebook(_Frozen):
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
    return parse_rulebook(text, source=str(path))


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
    from rules.rulebook_checks import (
        partial_problems,
        rulebook_problems,
        structure_problems,
    )

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
