"""Conversions between the cycle's local dates and stored UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def utc_at_local_midnight(day: date) -> datetime:
    """Return the UTC instant of 00:00 Asia/Shanghai on `day`."""
    return datetime.combine(day, time(0), LOCAL_ZONE).astimezone(UTC)


def local_date(instant: datetime) -> date:
    """Return the Asia/Shanghai calendar date of an aware instant."""
    return instant.astimezone(LOCAL_ZONE).date()


def local_today() -> date:
    """Return today's date in Asia/Shanghai."""
    return datetime.now(UTC).astimezone(LOCAL_ZONE).date()
