"""What enterprises and bureaus send: packages, files, evidence, defects, figures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class StoredFile(Base):
    """A received file, kept byte for byte under its SHA-256 in the file store."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(128), default="")
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(Base):
    """One version of a package from an enterprise, or a bureau's own records.

    The same package content again is no new row; new content is a new version
    and earlier versions stay.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("season_id", "source", "owner_key", "version"),
        UniqueConstraint("season_id", "source", "owner_key", "package_sha256"),
        CheckConstraint("source IN ('enterprise', 'bureau')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"), index=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    source: Mapped[str] = mapped_column(String(16))
    # credit code for an enterprise, county code for a bureau
    owner_key: Mapped[str] = mapped_column(String(18))
    version: Mapped[int] = mapped_column(Integer)
    package_name: Mapped[str] = mapped_column(String(255))
    package_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    late: Mapped[bool] = mapped_column(default=False)
    accepted: Mapped[bool] = mapped_column(default=True)
    checked_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set by the cycle's evidence-checks stage, which re-checks the latest version
    # against every other package and the bureau's records of the season.
    verified_at: Mapped[datetime | None] = mapped_column(default=None)


class SubmissionFile(Base):
    """A file inside a package: its path there and the stored content it points to."""

    __tablename__ = "submission_files"
    __table_args__ = (UniqueConstraint("submission_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    path: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"), index=True)
    role: Mapped[str] = mapped_column(String(32))  # workbook, table name, evidence


class Evidence(Base):
    """An evidence file filed under the rulebook sub-item it supports."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    sub_item: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # pdf, image, office
    path: Mapped[str] = mapped_column(String(512))


class Finding(Base):
    """A data-quality defect found in a submission by parsing or by a GX suite."""

    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint("severity IN ('blocking', 'review')", name="severity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    file: Mapped[str] = mapped_column(String(512))
    sheet: Mapped[str | None] = mapped_column(String(64))
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)


class VerifiedFigures(Base):
    """The scoring input derived from a checked submission, with its content hash."""

    __tablename__ = "verified_figures"
    __table_args__ = (UniqueConstraint("submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    # Figures as JSON with every decimal written as a string
    figures: Mapped[dict] = mapped_column(JSON)
    input_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
