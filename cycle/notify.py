"""The cycle's one way to queue a notice: an outbox row in the event's transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session


def _plain(value: Any) -> Any:
    """Make a context value JSON-safe: decimals and dates as strings."""
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value.as_tuple().exponent == -2 else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def notify(
    session: Session,
    kind: str,
    *,
    season: str,
    county: str | None,
    enterprise_id: int | None = None,
    event_key: str = "",
    context: dict[str, Any] | None = None,
) -> int:
    """Queue notice `kind` for its audience; queuing the same event again adds nothing.

    Returns how many new outbox rows were written.
    """
    from notifications.outbox import queue_notice

    notices = queue_notice(
        session,
        kind=kind,
        season=season,
        county=county,
        enterprise_id=enterprise_id,
        event_key=event_key,
        context=_plain(context or {}),
    )
    return len(notices)
