"""The engine's output and the committee's input: ScoreSheet, Line and Adjustment.

Points in lines and categories are exact (unrounded) Decimals. Only the totals
`base`, `bonus`, `deductions` and `final` are rounded, once, half-up to two decimals.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from rules.exact import Points, TidyDecimal
from rules.figures import EnterpriseType

# Control characters other than tab and newline could break a CSV row, a mail body or
# a terminal, and no committee member types them on purpose.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


class Adjustment(BaseModel):
    """A committee member's decision on a judgement-based sub-item or bonus item.

    The points replace what the figures give. `score` rejects an adjustment whose
    points lie outside [0, the item's points] and one whose item is unknown, not
    judgement-based or not applicable to the enterprise type.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    sub_item: str = Field(
        min_length=1, max_length=16, description="Rule id, e.g. C6.1."
    )
    points: Points
    reason: str = Field(max_length=2000, description="Why, in the member's words.")
    member: str = Field(max_length=100, description="Name of the committee member.")

    @field_validator("sub_item")
    @classmethod
    def _strip_id(cls, value: str) -> str:
        return value.strip()

    @field_validator("reason", "member")
    @classmethod
    def _require_text(cls, value: str, info: ValidationInfo) -> str:
        name = info.field_name
        text = value.strip()
        if not text:
            raise ValueError(
                f"{name} is blank; an adjustment needs the {name} in writing"
            )
        if _CONTROL.search(text):
            raise ValueError(f"{name} contains control characters; remove them")
        if name == "member" and "\n" in text:
            raise ValueError("member must be a name on one line")
        return text


class LineKind(StrEnum):
    """Kind of rule that a score-sheet line explains."""

    SUB_ITEM = "sub_item"
    BONUS = "bonus"
    DEDUCTION = "deduction"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Line(_Frozen):
    """One rule's contribution, with the inputs used and the reason in Chinese.

    `points` is what the rule earned (sub-item, bonus) or deducted (deduction),
    unrounded. A sub-item whose category does not apply has `applies` false and 0.
    """

    rule_id: str
    kind: LineKind
    category: str | None = None
    name: str
    name_en: str
    max: Decimal | None = Field(
        description="The rule's full points; for a deduction its cap, None if none."
    )
    points: TidyDecimal
    inputs: dict[str, str] = Field(description="Figures field → value used, as text.")
    reason: str
    applies: bool = True
    computed_points: TidyDecimal | None = Field(
        None, description="Points from the figures, when an adjustment replaced them."
    )
    adjusted_by: str | None = None
    adjustment_reason: str | None = None


class CategoryScore(_Frozen):
    """A category's exact points, the sum of its sub-item lines."""

    id: str
    name: str
    name_en: str
    max: Decimal
    applies: bool
    points: TidyDecimal


class ScoreSheet(_Frozen):
    """One enterprise's scores under one rulebook, every point explained.

    Invariants (tested): category points are the sums of their lines; `raw_points`
    is the sum over applicable categories; `base_unrounded` is `raw_points` × scale ÷
    `applicable_max`; `bonus` = min(sum of bonus lines, cap); `deductions` is the sum
    of deduction lines; `final` = max(0, `base` + `bonus` − `deductions`), which holds
    for the rounded values too because bonus and deduction points have at most two
    decimals.
    """

    rulebook_version: str
    input_hash: str = Field(description="content_hash of the Figures scored.")
    enterprise_type: EnterpriseType
    categories: tuple[CategoryScore, ...]
    lines: tuple[Line, ...]
    raw_points: TidyDecimal
    applicable_max: Decimal
    base_unrounded: TidyDecimal
    base: Decimal
    bonus_uncapped: TidyDecimal
    bonus: Decimal
    deductions: Decimal
    final_unrounded: TidyDecimal
    final: Decimal
    grade: str
    grade_by_points: str = Field(description="The grade before any deduction's cap.")
    grade_capped_by: tuple[str, ...] = Field(description="Deductions that capped it.")
    colour: str
    colour_name: str
    adjustments: tuple[Adjustment, ...]
    summary: tuple[str, ...] = Field(description="How the totals follow, in Chinese.")

    def line(self, rule_id: str) -> Line:
        """Return the line of `rule_id`; raise KeyError when there is none."""
        for line in self.lines:
            if line.rule_id == rule_id:
                return line
        raise KeyError(f"the score sheet has no line {rule_id!r}")

    def category(self, category_id: str) -> CategoryScore:
        """Return the score of category `category_id`; raise KeyError when unknown."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(f"the score sheet has no category {category_id!r}")
