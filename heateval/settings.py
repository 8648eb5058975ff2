"""The one typed settings object; nothing else in heateval reads the environment."""

from __future__ import annotations

import os
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULEBOOK = REPO_ROOT / "rules" / "chifeng-default.yaml"
SAMPLES_DIR = REPO_ROOT / "samples"


class SmtpSecurity(StrEnum):
    """How the SMTP connection is protected."""

    TLS = "tls"  # implicit TLS, usually port 465
    STARTTLS = "starttls"  # upgrade after EHLO, usually port 587
    PLAIN = "plain"  # no encryption; allowed to a loopback address only


class PeriodUnit(StrEnum):
    """Whether a publicity window counts calendar days or working days."""

    CALENDAR = "calendar"
    WORKING = "working"


class Settings(BaseSettings):
    """Runtime configuration, read from `HEATEVAL_*` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="HEATEVAL_", env_file=None, extra="ignore", frozen=True
    )

    home: Path = Field(
        default_factory=lambda: Path.home() / ".heateval",
        description="Folder for the default database, stored files, mail and output.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default is a SQLite file in `home`.",
    )
    rulebook: Path = Field(default=DEFAULT_RULEBOOK, description="Rulebook YAML file.")
    timezone: str = "Asia/Shanghai"

    # Procedure
    publicity_days: int = Field(default=7, ge=7)
    publicity_unit: PeriodUnit = PeriodUnit.CALENDAR
    intake_days: int = Field(default=30, ge=1)
    appeal_reply_days: int = Field(default=15, ge=1)
    committee_review_days: int = Field(
        default=5,
        ge=0,
        description="Days the committee has to review scores (and, after a return "
        "by the city, to re-assess) before results are publicised.",
    )
    rectification_days_c: int = Field(default=90, ge=1)
    rectification_days_d: int = Field(default=60, ge=1)

    # Archive limits for received packages
    archive_max_entries: int = Field(default=2000, ge=1)
    archive_max_total_bytes: int = Field(default=2 * 1024**3, ge=1)
    archive_max_file_bytes: int = Field(default=1024**3, ge=1)
    archive_max_ratio: int = Field(default=200, ge=1)

    # Publication
    pdf_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="Processes that render PDFs side by side (default: one per core).",
    )

    # Room-temperature readings export
    readings_min_temperature: Decimal = Field(
        default=Decimal("-10"), description="Lowest plausible indoor reading, °C."
    )
    readings_max_temperature: Decimal = Field(
        default=Decimal("45"), description="Highest plausible indoor reading, °C."
    )
    readings_gap_hours: int = Field(
        default=72, ge=1, description="A device silent for longer has a long gap."
    )
    readings_household_share: Decimal = Field(
        default=Decimal("0.5"),
        gt=0,
        le=1,
        description="Share of a household's valid readings that must be at or above "
        "the threshold for the household to count as compliant.",
    )
    readings_memory_limit: str = Field(
        default="1GB", description="DuckDB memory_limit while analysing readings."
    )
    readings_threads: int = Field(default=2, ge=1, description="DuckDB threads.")
    readings_temp_dir: Path | None = Field(
        default=None,
        description="Where DuckDB spills to disk; default a fresh temporary folder.",
    )
    readings_max_malformed_lines: int = Field(
        default=10_000,
        ge=1,
        description="More malformed CSV lines than this reject the readings file.",
    )

    # Mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_security: SmtpSecurity = SmtpSecurity.PLAIN
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(default=30.0, gt=0)
    smtp_ca_file: Path | None = None
    mail_from: str = "heateval@chifeng.example.cn"
    mail_from_name: str = "赤峰市供热企业综合评价平台"
    operator_emails: list[str] = Field(
        default_factory=lambda: ["ops@chifeng.example.cn"]
    )
    mail_capture_dir: Path | None = None
    public_site_url: str = Field(
        default="https://heating.chifeng.example.cn/archive/",
        description="Address of the published site (OUT/site); mails link into it.",
    )
    city_bureau_name: str = "赤峰市住房和城乡建设局"
    city_bureau_email: str = "zjj@chifeng.example.cn"
    other_departments: list[str] = Field(
        default_factory=lambda: [
            "赤峰市发展和改革委员会 <fgw@chifeng.example.cn>",
            "赤峰市市场监督管理局 <scjgj@chifeng.example.cn>",
            "赤峰市应急管理局 <yjglj@chifeng.example.cn>",
        ],
        description="Departments told the final results, each 'name <address>'.",
    )
    mail_batch_size: int = Field(
        default=50, ge=1, description="Notices sent over one SMTP connection."
    )
    mail_max_attempts: int = Field(
        default=20, ge=1, description="Attempts before a notice is marked failed."
    )
    mail_retry_base_seconds: float = Field(
        default=60.0, gt=0, description="Delay after the first transient failure."
    )
    mail_retry_max_seconds: float = Field(
        default=3600.0, gt=0, description="Cap of the doubling retry delay."
    )

    @model_validator(mode="after")
    def _check_smtp_auth(self) -> Self:
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError(
                "HEATEVAL_SMTP_USERNAME and HEATEVAL_SMTP_PASSWORD must be set together"
            )
        return self

    @property
    def db_url(self) -> str:
        """The configured database URL, or the default SQLite file under `home`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'heateval.db'}"

    @property
    def files_dir(self) -> Path:
        """Content-addressed store of every received file."""
        return self.home / "files"

    @property
    def rejected_dir(self) -> Path:
        """Receipts of rejected packages (their files stay in `files_dir`)."""
        return self.home / "rejected"

    @property
    def capture_dir(self) -> Path:
        """Folder where the local capture SMTP server writes `.eml` files."""
        return self.mail_capture_dir or self.home / "mail"

    @property
    def publication_dir(self) -> Path:
        """Default output folder of `heateval publish`."""
        return self.home / "publication"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings so the next call re-reads the environment (tests)."""
    get_settings.cache_clear()
