"""Published results, the public credit archive and the follow-up by grade."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class Publication(Base):
    """A published document set: a publicity notice or a final announcement."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("season_id", "county_code", "kind", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    # None for a city-wide publication
    county_code: Mapped[str | None] = mapped_column(ForeignKey("counties.code"))
    kind: Mapped[str] = mapped_column(String(32))  # publicity, final
    round: Mapped[int] = mapped_column(default=1)
    published_on: Mapped[date] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64))


class CreditRecord(Base):
    """The final result of an enterprise for a season in the public credit archive."""

    __tablename__ = "credit_records"
    __table_args__ = (UniqueConstraint("enterprise_id", "season_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    score_sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id"))
    final: Mapped[Decimal]
    grade: Mapped[str] = mapped_column(String(1))
    colour: Mapped[str] = mapped_column(String(8))
    published_on: Mapped[date] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64))


class RectificationOrder(Base):
    """An order to a C or D enterprise to rectify by a deadline, and its outcome."""

    __tablename__ = "rectification_orders"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "season_id"),
        CheckConstraint("status IN ('open', 'rectified', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    grade: Mapped[str] = mapped_column(String(1))
    issued_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    checked_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUp(Base):
    """A follow-up measure by grade: priority support, revocation proposal, takeover."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "season_id", "kind"),
        CheckConstraint(
            "kind IN ('priority_support', 'closer_supervision', 'warning', "
            "'key_supervision', 'licence_revocation', 'emergency_takeover')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    kind: Mapped[str] = mapped_column(String(32))
    decided_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
