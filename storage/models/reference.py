"""Reference data: counties, enterprises, registered people, seasons and their dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, ScaledDecimal, utcnow


class County(Base):
    """A county-level division of Chifeng (GB/T 2260 code) and its heating bureau."""

    __tablename__ = "counties"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    bureau_name: Mapped[str] = mapped_column(String(128))
    bureau_email: Mapped[str] = mapped_column(String(254))
    bureau_address: Mapped[str] = mapped_column(String(255), default="")
    bureau_phone: Mapped[str] = mapped_column(String(32), default="")


class Enterprise(Base):
    """A heating enterprise, identified by its unified social credit code."""

    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint("type IN ('heat_source', 'heating')", name="type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)


class Person(Base):
    """A person registered to act: committee member, city reviewer or operator."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("name", "role", "county_code"),
        CheckConstraint(
            "role IN ('committee', 'city_reviewer', 'operator')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    county_code: Mapped[str | None] = mapped_column(ForeignKey("counties.code"))
    email: Mapped[str] = mapped_column(String(254), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Season(Base):
    """A heating season such as 2025-2026, with the city-wide default dates."""

    __tablename__ = "seasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(9), unique=True)
    default_start: Mapped[date] = mapped_column(Date)
    default_end: Mapped[date] = mapped_column(Date)
    rulebook_version: Mapped[str] = mapped_column(String(64))


class CountySeason(Base):
    """One county's dates and indoor-temperature threshold for one season."""

    __tablename__ = "county_seasons"
    __table_args__ = (UniqueConstraint("season_id", "county_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"))
    season_start: Mapped[date] = mapped_column(Date)
    season_end: Mapped[date] = mapped_column(Date)
    temp_threshold: Mapped[Decimal] = mapped_column(ScaledDecimal(1))


class SeasonOrder(Base):
    """An early-start or extension order that moves a county's season dates."""

    __tablename__ = "season_orders"
    __table_args__ = (
        CheckConstraint("kind IN ('early_start', 'extension')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"))
    kind: Mapped[str] = mapped_column(String(16))
    new_date: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(128))
