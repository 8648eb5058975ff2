"""Score sheets (immutable versions) and the committee's adjustments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class ScoreSheet(Base):
    """One version of an enterprise's scores for a season; never updated, only added.

    `lines` holds the engine's explanation; `content_hash` covers every scored
    field, so the audit ledger can tell when a stored sheet was edited.
    """

    __tablename__ = "score_sheets"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "season_id", "version"),
        CheckConstraint("grade IN ('A', 'B', 'C', 'D')", name="grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # initial, objection, appeal, ...
    rulebook_version: Mapped[str] = mapped_column(String(64))
    input_hash: Mapped[str] = mapped_column(String(64))
    base: Mapped[Decimal]
    bonus: Mapped[Decimal]
    deductions: Mapped[Decimal]
    final: Mapped[Decimal]
    grade: Mapped[str] = mapped_column(String(1))
    colour: Mapped[str] = mapped_column(String(8))
    categories: Mapped[dict] = mapped_column(JSON)
    lines: Mapped[list] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Adjustment(Base):
    """A committee member's judgement on one sub-item, with the mandatory reason."""

    __tablename__ = "adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    sub_item: Mapped[str] = mapped_column(String(16))
    points: Mapped[Decimal]
    reason: Mapped[str] = mapped_column(Text)
    member_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # Set when a later adjustment of the same sub-item replaces this one
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("adjustments.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Correction(Base):
    """A committee's correction of a verified figure, such as falsified materials found.

    The value is the figure written as a string (`true`, `3`, `0.95`), applied on
    top of the verified figures before scoring.
    """

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    field: Mapped[str] = mapped_column(String(48))
    value: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    member_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
