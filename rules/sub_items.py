"""Scoring methods of a sub-item, as rulebook models.

- CHK, checklist: points × items met ÷ items.
- RATIO: points × min(value ÷ target, 1), where the value is a share input or a
  quotient of two inputs.
- THR, step table: the points of the first step that the value reaches.
- DED, per-incident deduction: points − Σ count × points per unit, floored at zero.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)

from rules.exact import ExactDecimal, Points
from rules.figures import EnterpriseType

Text = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
InputName = Annotated[str, Field(min_length=1, max_length=64)]
PositivePoints = Annotated[Points, Field(gt=0)]


def _sorted_types(value: tuple[EnterpriseType, ...]) -> tuple[EnterpriseType, ...]:
    return tuple(sorted(set(value)))


AppliesTo = Annotated[
    tuple[EnterpriseType, ...], Field(min_length=1), AfterValidator(_sorted_types)
]


class Direction(StrEnum):
    """Direction in which a step table's input improves."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class FrozenModel(BaseModel):
    """Base of the rulebook models: unknown keys rejected, instances immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Quotient(FrozenModel):
    """A computed input: numerator ÷ denominator × per.

    `when_denominator_zero` is the value used when the denominator is 0: for a
    RATIO it is usually 1 (nothing to do, so full points), for a complaint rate 0.
    """

    numerator: InputName
    denominator: InputName
    per: ExactDecimal = Field(Decimal(1), gt=0)
    when_denominator_zero: ExactDecimal = Field(ge=0)


class CountedItems(FrozenModel):
    """Checklist items given as one count, e.g. 3 of the 4 convenience measures."""

    input: InputName
    out_of: int = Field(ge=1, le=100)


class Step(FrozenModel):
    """One row of a step table: a value that reaches `at` earns `points`."""

    at: ExactDecimal
    points: Points


class UnitDeduction(FrozenModel):
    """Points deducted for each unit of a count input (a bool counts as 0 or 1)."""

    input: InputName
    points: PositivePoints


class _SubItem(FrozenModel):
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
