"""A defect found in a submission, located down to the cell."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """Whether a defect stops the package or goes to the committee for review."""

    BLOCKING = "blocking"
    REVIEW = "review"


class Defect(BaseModel):
    """One problem: where it is, which rule it breaks, and what to do (in Chinese)."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    rule: str
    severity: Severity
    message: str
