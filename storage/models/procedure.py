"""The county cycle and the procedure around results: publicity, objections, review."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class Cycle(Base):
    """One county's evaluation cycle for one season: its stage and deadlines."""

    __tablename__ = "cycles"
    __table_args__ = (UniqueConstraint("season_id", "county_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"))
    stage: Mapped[str] = mapped_column(String(32))
    stage_since: Mapped[date] = mapped_column(Date)
    intake_opened_on: Mapped[date | None] = mapped_column(Date)
    intake_deadline: Mapped[date] = mapped_column(Date)
    report_due: Mapped[date] = mapped_column(Date)
    reported_on: Mapped[date | None] = mapped_column(Date)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    # Optimistic lock: each stage transition bumps it
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PublicityWindow(Base):
    """A publicity round: round 1 shows all results, later rounds the changed ones."""

    __tablename__ = "publicity_windows"
    __table_args__ = (UniqueConstraint("cycle_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    cause: Mapped[str] = mapped_column(
        String(32)
    )  # initial, objection, appeal, returned


class PublicityEntry(Base):
    """One score sheet shown in one publicity window."""

    __tablename__ = "publicity_entries"
    __table_args__ = (UniqueConstraint("window_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("publicity_windows.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    score_sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id"))


class Objection(Base):
    """An objection (anyone) or an appeal (the enterprise itself) and its verdict."""

    __tablename__ = "objections"
    __table_args__ = (
        CheckConstraint("kind IN ('objection', 'appeal')", name="kind"),
        CheckConstraint(
            "status IN ('open', 'upheld', 'rejected', 'late')", name="status"
        ),
        UniqueConstraint("reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))  # idempotency key of the filing
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filed_by: Mapped[str] = mapped_column(String(128))
    contact: Mapped[str] = mapped_column(String(255))
    grounds: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date] = mapped_column(Date)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("publicity_windows.id"))
    reply_due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    rescored_sheet_id: Mapped[int | None] = mapped_column(ForeignKey("score_sheets.id"))


class Escalation(Base):
    """A county's report to the city and the city's review of it."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("cycle_id", "attempt"),
        CheckConstraint(
            "status IN ('submitted', 'confirmed', 'returned')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    submitted_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    reasons: Mapped[str | None] = mapped_column(Text)
    # Credit codes of the enterprises the city sent back for re-scoring
    returned_enterprises: Mapped[list] = mapped_column(JSON, default=list)


class DecisionAttempt(Base):
    """A decision someone tried to record; rejected attempts are kept too."""

    __tablename__ = "decision_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(255))
    actor_name: Mapped[str] = mapped_column(String(64))
    county_code: Mapped[str | None] = mapped_column(String(6))
    accepted: Mapped[bool]
    detail: Mapped[str] = mapped_column(Text)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
