"""Send what is due in the outbox, one fresh SMTP connection per batch.

Delivery guarantee, stated exactly:

- Recorded exactly once: a notice moves from queued to sent (or failed) once,
  and only the sender that has claimed it can move it.
- On the wire at least once, with one stable Message-ID: the ID is fixed when
  the notice is queued. If the process dies after the server accepted the
  message and before the outcome is recorded, the claim (a lease) runs out and
  the next drain sends the same message, with the same Message-ID, again.
  Receivers that drop a Message-ID they have already seen (the capture server
  here does; many mail stores and clients do) then show it once.

A claim is an UPDATE of a queued, due row that raises `attempts` by one and
pushes `next_attempt_at` past the time one send can take, committed before
the message is sent. Two drainers cannot both claim a row, and a claim whose
sender died becomes due again when its lease ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosmtplib
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from heateval.settings import Settings, get_settings
from notifications.message import MessageBuildError, OutgoingMessage, build_message
from notifications.render import RenderError, render_notice
from notifications.sender import (
    Outcome,
    SendResult,
    check_mail_settings,
    make_client,
    send_one,
)
from storage.base import utcnow
from storage.models import Delivery, Notice

logger = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]


class NoticeResult(BaseModel):
    """The outcome of one notice in one drain."""

    notice_id: int
    kind: str
    recipient: str
    outcome: str  # accepted, transient, permanent
    smtp_code: int | None = None
    detail: str = ""


class DrainReport(BaseModel):
    """Counts and per-notice outcomes of one drain."""

    sent: int = 0
    deferred: int = 0  # transient failure, will be tried again
    failed: int = 0  # permanent failure or out of attempts
    connections: int = 0
    connection_errors: list[str] = Field(default_factory=list)
    results: list[NoticeResult] = Field(default_factory=list)

    @property
    def attempted(self) -> int:
        """Notices handed to (or refused before) the server in this drain."""
        return self.sent + self.deferred + self.failed


@dataclass(frozen=True)
class Claim:
    """A notice this drainer may send, with the attempt number that proves it."""

    notice_id: int
    attempts: int
    kind: str
    context: dict[str, Any]
    recipient_name: str
    recipient_address: str
    message_id: str


def _session_factory(db: str | Engine | SessionFactory) -> SessionFactory:
    if isinstance(db, str):
        from storage.db import get_engine

        return sessionmaker(get_engine(db), expire_on_commit=False)
    if isinstance(db, Engine):
        return sessionmaker(db, expire_on_commit=False)
    return db


def lease_for(settings: Settings) -> timedelta:
    """Return the lease of a claim: room for the SMTP steps of one send."""
    return timedelta(seconds=settings.smtp_timeout * 4 + 60)


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    """Return the delay after the `attempts`-th transient failure, doubled each time."""
    seconds = settings.mail_retry_base_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.mail_retry_max_seconds))


def _due_ids(
    factory: SessionFactory, now: datetime, size: int, skip: set[int]
) -> list[int]:
    with factory() as session:
        query = (
            select(Notice.id)
            .where(Notice.status == "queued", Notice.next_attempt_at <= now)
            .order_by(Notice.next_attempt_at, Notice.id)
            .limit(size + len(skip))
        )
        ids = [
            notice_id for notice_id in session.scalars(query) if notice_id not in skip
        ]
    return ids[:size]


def _claim(
    factory: SessionFactory, notice_id: int, now: datetime, settings: Settings
) -> Claim | None:
    """Claim one due notice; None when another drainer has it or it is not due."""
    with factory() as session, session.begin():
        claimed = session.execute(
            update(Notice)
            .where(
                Notice.id == notice_id,
                Notice.status == "queued",
                Notice.next_attempt_at <= now,
            )
            .values(
                attempts=Notice.attempts + 1,
                next_attempt_at=now + lease_for(settings),
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return None
        notice = session.get(Notice, notice_id)
        assert notice is not None
        return Claim(
            notice_id=notice.id,
            attempts=notice.attempts,
            kind=notice.kind,
            context=dict(notice.context),
            recipient_name=notice.recipient_name,
            recipient_address=notice.recipient_address,
            message_id=notice.message_id,
        )


def _record(
    factory: SessionFactory,
    claim: Claim,
    result: SendResult,
    now: datetime,
    settings: Settings,
    report: DrainReport,
) -> None:
    """Store the outcome of one attempt; only the claim holder changes the row."""
    outcome = result.outcome
    detail = result.detail
    values: dict[str, Any]
    if outcome is Outcome.ACCEPTED:
        values = {"status": "sent", "sent_at": now, "last_error": None}
    elif outcome is Outcome.TRANSIENT and claim.attempts < settings.mail_max_attempts:
        values = {
            "next_attempt_at": now + retry_delay(claim.attempts, settings),
            "last_error": detail,
        }
    else:
        if outcome is Outcome.TRANSIENT:
            detail = f"gave up after {claim.attempts} attempts; last error: {detail}"
        values = {"status": "failed", "last_error": detail}

    with factory() as session, session.begin():
        session.add(
            Delivery(
                notice_id=claim.notice_id,
                attempted_at=now,
                outcome=str(outcome),
                smtp_code=result.smtp_code,
                detail=result.detail,
            )
        )
        changed = session.execute(
            update(Notice)
            .where(
                Notice.id == claim.notice_id,
                Notice.status == "queued",
                Notice.attempts == claim.attempts,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if changed.rowcount != 1:
        logger.warning(
            "notice %s: claim %s was taken over by another sender; outcome %s kept "
            "only as a delivery record",
            claim.notice_id,
            claim.attempts,
            outcome,
        )

    if outcome is Outcome.ACCEPTED:
        report.sent += 1
    elif values.get("status") == "failed":
        report.failed += 1
        logger.warning(
            "notice %s (%s to %s) failed: %s",
            claim.notice_id,
            claim.kind,
            claim.recipient_address,
            detail,
        )
    else:
        report.deferred += 1
        logger.info(
            "notice %s (%s to %s) deferred after attempt %s: %s",
            claim.notice_id,
            claim.kind,
            claim.recipient_address,
            claim.attempts,
            detail,
        )
    report.results.append(
        NoticeResult(
            notice_id=claim.notice_id,
            kind=claim.kind,
            recipient=claim.recipient_address,
            outcome=str(outcome),
            smtp_code=result.smtp_code,
            detail=detail,
        )
    )


def _prepare(claim: Claim, settings: Settings, now: datetime) -> OutgoingMessage:
    rendered = render_notice(claim.kind, claim.context, timezone=settings.timezone)
    return build_message(
        kind=claim.kind,
        rendered=rendered,
        recipient_name=claim.recipient_name,
        recipient_address=claim.recipient_address,
        message_id=claim.message_id,
        attachments=claim.context.get("attachments"),
        settings=settings,
        now=now,
    )


async def _send_batch(
    factory: SessionFactory,
    settings: Settings,
    ids: list[int],
    now: datetime,
    report: DrainReport,
) -> tuple[list[int], bool]:
    """Send one batch over one new connection.

    Returns the ids handled and whether the drain may go on; a connection
    that cannot be opened stops the drain.
    """
    client = make_client(settings)
    try:
        await client.connect()
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        message = (
            f"connecting to SMTP server {where} failed: {type(error).__name__}: {error}"
        )
        logger.error("%s; %d due notice(s) deferred", message, len(ids))
        report.connection_errors.append(message)
        code = getattr(error, "code", None)
        for notice_id in ids:
            claim = _claim(factory, notice_id, now, settings)
            if claim is not None:
                result = SendResult(
                    Outcome.TRANSIENT, code, message, connection_lost=True
                )
                _record(factory, claim, result, now, settings, report)
        return ids, False

    report.connections += 1
    handled: list[int] = []
    try:
        for notice_id in ids:
            handled.append(notice_id)
            claim = _claim(factory, notice_id, now, settings)
            if claim is None:
                continue
            try:
                outgoing = _prepare(claim, settings, now)
            except (RenderError, MessageBuildError) as error:
                result = SendResult(Outcome.PERMANENT, None, str(error))
            else:
                result = await send_one(client, outgoing)
            _record(factory, claim, result, now, settings, report)
            if result.connection_lost:
                logger.warning(
                    "SMTP connection lost after notice %s; the rest of the batch "
                    "goes over a new connection",
                    notice_id,
                )
                break
    finally:
        try:
            if client.is_connected:
                await client.quit()
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            client.close()
    return handled, True


async def drain_outbox_async(
    db: str | Engine | SessionFactory,
    settings: Settings | None = None,
    *,
    limit: int | None = None,
    now: datetime | None = None,
) -> DrainReport:
    """Send due notices (queued, `next_attempt_at` <= now); see `drain_outbox`."""
    settings = settings or get_settings()
    check_mail_settings(settings)
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError(f"now={now!r} is naive; pass an aware datetime")
    factory = _session_factory(db)
    report = DrainReport()
    handled: set[int] = set()
    while limit is None or len(handled) < limit:
        size = settings.mail_batch_size
        if limit is not None:
            size = min(size, limit - len(handled))
        ids = _due_ids(factory, now, size, handled)
        if not ids:
            break
        done, go_on = await _send_batch(factory, settings, ids, now, report)
        handled.update(done)
        if not go_on:
            break
    logger.info(
        "outbox drained: %d sent, %d deferred, %d failed over %d connection(s)",
        report.sent,
        report.deferred,
        report.failed,
        report.connections,
    )
    return report


def drain_outbox(
    db: str | Engine | SessionFactory,
    settings: Settings | None = None,
    *,
    limit: int | None = None,
    now: datetime | None = None,
) -> DrainReport:
    """Send every due notice, at most `limit`, one fresh SMTP connection per batch.

    `db` is a database URL, an Engine or a session factory. `now` (aware)
    decides what is due and stamps the records; the default is the current
    time. Queue and drain on the same clock, because due times and leases are
    compared with `now`: a notice queued at a simulated time is due by that
    time. Raises SmtpSettingsError for unsafe or contradictory settings before
    anything is sent. From inside a running event loop, await
    `drain_outbox_async` instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(drain_outbox_async(db, settings, limit=limit, now=now))
    raise RuntimeError(
        "drain_outbox was called inside a running event loop; await "
        "drain_outbox_async instead"
    )
