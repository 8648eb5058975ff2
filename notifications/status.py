"""Read and reset outbox rows for operators: the listing and the requeue of failures."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.base import utcnow
from storage.models import Notice

STATUSES = ("queued", "sent", "failed")


class NoticeStatus(BaseModel):
    """One outbox row as an operator sees it."""

    id: int
    kind: str
    season: str | None
    county: str | None
    enterprise_id: int | None
    recipient: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    message_id: str


def list_notices(
    session: Session, *, season: str | None = None, status: str | None = None
) -> list[NoticeStatus]:
    """List notices, oldest first, optionally for one season and one status."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    query = select(Notice).order_by(Notice.id)
    if season is not None:
        query = query.where(Notice.season_label == season)
    if status is not None:
        query = query.where(Notice.status == status)
    return [
        NoticeStatus(
            id=notice.id,
            kind=notice.kind,
            season=notice.season_label,
            county=notice.county_code,
            enterprise_id=notice.enterprise_id,
            recipient=notice.recipient_address,
            status=notice.status,
            attempts=notice.attempts,
            next_attempt_at=notice.next_attempt_at
            if notice.status == "queued"
            else None,
            sent_at=notice.sent_at,
            last_error=notice.last_error,
            message_id=notice.message_id,
        )
        for notice in session.scalars(query)
    ]


def requeue_failed(
    session: Session, *, season: str | None = None, now: datetime | None = None
) -> int:
    """Put failed notices back in the queue with fresh attempts; returns how many.

    For use after the cause is fixed: the SMTP server back, an attachment
    produced again. A row keeps its address and Message-ID; a corrected address
    in the database reaches a new notice only when the stage queues it again.
    The caller commits.
    """
    statement = (
        update(Notice)
        .where(Notice.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if season is not None:
        statement = statement.where(Notice.season_label == season)
    return session.execute(statement).rowcount
