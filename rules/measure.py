"""Numbers the Chifeng measure itself fixes, which every rulebook must keep.

Source: 赤峰市城镇集中供热企业综合评价办法 (征求意见稿), article 7 (the eight
categories, their maxima and who they address, a 100-point scale without bonus, bonus
total at most 10) and article 8 (the four grades and their thresholds). Sub-items,
methods and step tables are not in the measure, so each rulebook chooses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rules.figures import EnterpriseType

BOTH = frozenset({EnterpriseType.HEAT_SOURCE, EnterpriseType.HEATING})
HEATING_ONLY = frozenset({EnterpriseType.HEATING})


@dataclass(frozen=True)
class CategoryFact:
    """A category as the measure states it: maximum points and who it applies to."""

    max: Decimal
    applies_to: frozenset[EnterpriseType]


@dataclass(frozen=True)
class GradeFact:
    """A grade as the measure states it: lowest score and the plate's colour."""

    grade: str
    min: Decimal
    colour: str
    colour_name: str


# Complaint management (C5) and heating service (C8) address 供热单位 only.
CATEGORIES: dict[str, CategoryFact] = {
    "C1": CategoryFact(Decimal(10), BOTH),
    "C2": CategoryFact(Decimal(15), BOTH),
    "C3": CategoryFact(Decimal(8), BOTH),
    "C4": CategoryFact(Decimal(10), BOTH),
    "C5": CategoryFact(Decimal(15), HEATING_ONLY),
    "C6": CategoryFact(Decimal(15), BOTH),
    "C7": CategoryFact(Decimal(12), BOTH),
    "C8": CategoryFact(Decimal(15), HEATING_ONLY),
}

SCALE = Decimal(100)
BONUS_CAP = Decimal(10)

GRADES: tuple[GradeFact, ...] = (
    GradeFact("A", Decimal(90), "green", "绿牌"),
    GradeFact("B", Decimal(80), "blue", "蓝牌"),
    GradeFact("C", Decimal(70), "yellow", "黄牌"),
    GradeFact("D", Decimal(0), "red", "红牌"),
)

ENTERPRISE_TYPE_NAMES: dict[EnterpriseType, str] = {
    EnterpriseType.HEAT_SOURCE: "热源单位",
    EnterpriseType.HEATING: "供热单位",
}
