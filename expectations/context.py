"""The check context: facts beyond the submitted tables that the checks compare
against. These are season dates, reference sets, the rulebook's sub-items, the
county bureau's hotline export and the evidence hashes of other enterprises.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from expectations.values import is_missing
from rules.counties import load_counties
from rules.figures import EnterpriseType
from rules.rulebook import Rulebook

EVIDENCE_KINDS_FILE = Path(__file__).with_name("evidence_kinds.yaml")

# The preparation period (overhaul, trial firing, staff training, drills) starts on
# 1 August of the season's first year; records dated from then on count.
PREPARATION_START_MONTH = 8
PREPARATION_START_DAY = 1

Cell = tuple[str, str | None, int | None, str | None]
"""A cell as (file, sheet, row, column). The checks name the column by its English
key; intake names it by key or by the header it read."""


class EvidenceKind(StrEnum):
    """The class intake gives an evidence file from its content."""

    PDF = "pdf"
    IMAGE = "image"  # JPEG, PNG
    OFFICE = "office"  # DOCX, XLSX


class SubItem(BaseModel):
    """A rulebook sub-item or bonus item as the checks see it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_points: Decimal | None = Field(
        default=None, description="The rulebook's maximum; None skips that comparison"
    )
    applies_to: frozenset[EnterpriseType] = Field(
        default=frozenset(EnterpriseType),
        description="Enterprise types that may claim points for it",
    )
    evidence: str = Field(default="", description="What proves it, in Chinese")
    evidence_kinds: frozenset[EvidenceKind] = Field(
        description="Kinds of which at least one file must support a claim above "
        "zero; an empty set accepts a file of any kind"
    )


class HotlineTicket(BaseModel):
    """One ticket of the county bureau's government-hotline export for an enterprise."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket: str = Field(min_length=1)
    received_on: date | None = None
    household: str | None = None
    valid: bool | None = Field(description="None when the bureau left it blank")
    file: str = Field(description="The export's file name, for messages")
    row: int | None = None

    @field_validator("received_on", "household", "valid", "row", mode="before")
    @classmethod
    def _blank_to_none(cls, value: Any) -> Any:
        # Rows taken from a pandas frame carry NaN or NaT for a blank cell.
        return None if is_missing(value) else value


class CheckContext(BaseModel):
    """Everything `run_checks` compares the tables against, for one package."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    season: str = Field(description="Season label, e.g. 2025-2026")
    season_start: date = Field(description="First heating day in the county")
    season_end: date = Field(description="Last heating day in the county")
    preparation_start: date = Field(
        description="First day of the preparation period; records from it on count"
    )
    today: date = Field(description="No record may be dated after this day")

    county_codes: frozenset[str] = Field(description="Allowed county codes")
    county_code: str | None = Field(
        default=None, description="The county the package was submitted to"
    )
    credit_code: str | None = Field(
        default=None, description="The enterprise's registered credit code, if known"
    )
    enterprise_type: EnterpriseType | None = Field(
        default=None, description="The enterprise's registered type, if known"
    )
    households_served: int | None = Field(
        default=None,
        ge=0,
        description="Households served; None takes the package's own key figure",
    )
    sub_items: dict[str, SubItem] = Field(
        description="Rulebook sub-items (C1.1 … B5) that a claim or evidence may name"
    )
    rulebook: Rulebook | None = Field(
        default=None,
        description="The rulebook, to score claims that the complaint ledger "
        "decides; None skips that comparison",
    )
    hotline: tuple[HotlineTicket, ...] | None = Field(
        default=None,
        description="The bureau's hotline tickets for this enterprise; None skips "
        "the hotline reconciliation because the export has not arrived",
    )
    other_evidence: dict[str, frozenset[str]] = Field(
        default_factory=dict,
        description="sha256 → credit codes of OTHER enterprises that submitted it "
        "in the same season",
    )
    county_enterprises: frozenset[str] | None = Field(
        default=None,
        description="Credit codes registered in the county; bureau records naming "
        "another code are defects. None skips that check",
    )
    reported_cells: frozenset[Cell] = Field(
        default_factory=frozenset,
        description="Cells intake already reported; checks add no defect there",
    )

    @model_validator(mode="after")
    def _check_dates(self) -> Self:
        if not self.preparation_start <= self.season_start <= self.season_end:
            raise ValueError(
                f"dates out of order: preparation_start {self.preparation_start}, "
                f"season_start {self.season_start}, season_end {self.season_end}"
            )
        return self


def preparation_start_of(season_start: date) -> date:
    """Return 1 August of the year the season starts in."""
    return date(season_start.year, PREPARATION_START_MONTH, PREPARATION_START_DAY)


class _EvidenceKindsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sub_items: dict[str, frozenset[EvidenceKind]] = Field(min_length=1)


@cache
def load_evidence_kinds(path: Path = EVIDENCE_KINDS_FILE) -> dict[str, SubItem]:
    """Read the evidence kinds each sub-item expects, as sub-items without maxima.

    Raises:
        ValueError: the file is not a mapping of sub-item id to a list of kinds.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        data = _EvidenceKindsFile.model_validate(raw)
    except ValueError as exc:
        raise ValueError(f"{path}: invalid evidence kinds: {exc}") from exc
    return {
        sub_item: SubItem(evidence_kinds=kinds)
        for sub_item, kinds in data.sub_items.items()
    }


def sub_items_of(rulebook: Rulebook) -> dict[str, SubItem]:
    """Return the rulebook's sub-items and bonus items with their evidence kinds."""
    kinds = load_evidence_kinds()
    items = [item for _, item in rulebook.sub_items()]
    applies = {item.id: category.applies_to for category, item in rulebook.sub_items()}
    applies.update({bonus.id: bonus.applies_to for bonus in rulebook.bonus})
    sub_items = {}
    for item in [*items, *rulebook.bonus]:
        known = kinds.get(item.id)
        sub_items[item.id] = SubItem(
            max_points=Decimal(item.points),
            applies_to=frozenset(applies[item.id]),
            evidence=item.evidence,
            evidence_kinds=known.evidence_kinds if known else frozenset(),
        )
    return sub_items


def build_context(
    *,
    season: str,
    county_code: str,
    today: date,
    rulebook: Rulebook | None = None,
    max_points: dict[str, Decimal] | None = None,
    **extra: Any,
) -> CheckContext:
    """Build a context from the season file's dates for `county_code`.

    Sub-items come from `rulebook` when given. Otherwise `max_points` (sub-item →
    maximum) is merged into the kinds of `evidence_kinds.yaml`. Other
    `CheckContext` fields pass through `extra`.

    Raises:
        rules.seasons.UnknownSeasonError: no season file for `season`.
        KeyError: `county_code` is not a Chifeng county.
    """
    from rules.seasons import load_season

    dates = load_season(season).county_dates(county_code)
    if rulebook is not None:
        sub_items = sub_items_of(rulebook)
        extra["rulebook"] = rulebook
    else:
        sub_items = dict(load_evidence_kinds())
        for sub_item, points in (max_points or {}).items():
            known = sub_items.get(sub_item)
            kinds = known.evidence_kinds if known is not None else frozenset()
            sub_items[sub_item] = SubItem(max_points=points, evidence_kinds=kinds)
    return CheckContext(
        season=season,
        season_start=dates.season_start,
        season_end=dates.season_end,
        preparation_start=preparation_start_of(dates.season_start),
        today=today,
        county_codes=frozenset(c.code for c in load_counties()),
        county_code=county_code,
        sub_items=sub_items,
        **extra,
    )
