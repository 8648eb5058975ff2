"""Each notice is recorded as sent once, and reaches the server once per Message-ID.

The server here logs every message it accepts, duplicates included, so the
tests can tell "sent once on the wire" from "stored once by a deduplicating
receiver".
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from notice_support import (
    COUNTY,
    REPO_ROOT,
    SEASON,
    SMTP_PASSWORD,
    SMTP_USER,
    smtp_settings,
)
from sqlalchemy import func, select

from notifications.drain import drain_outbox
from notifications.outbox import queue_notice
from storage.models import Delivery, Notice

NOW = datetime(2026, 4, 16, 8, 0, tzinfo=UTC)


def queue_intake(db, enterprise_ids: tuple[int, ...] | None = None) -> list[Notice]:
    """Queue intake_opened for the seeded enterprises, as the stage would."""
    queued = []
    with db.factory() as session, session.begin():
        for enterprise_id in enterprise_ids or (
            db.hostile_id,
            db.plain_id,
            db.refused_id,
        ):
            queued += queue_notice(
                session,
                kind="intake_opened",
                season=SEASON,
                county=COUNTY,
                enterprise_id=enterprise_id,
                context={"deadline": "2026-05-16"},
                now=NOW,
            )
    return queued


def count(db, model) -> int:
    with db.factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def deliveries_of(db, notice_id: int) -> list[str]:
    with db.factory() as session:
        rows = session.scalars(
            select(Delivery)
            .where(Delivery.notice_id == notice_id)
            .order_by(Delivery.id)
        )
        return [row.outcome for row in rows]


def test_task_retry_queues_and_sends_once(db, start_smtp_server, certificates):
    server = start_smtp_server()
    settings = smtp_settings(server, certificates)
    first = queue_intake(db)
    retried = queue_intake(db)  # the task ran again after its commit
    drain_outbox(db.factory, settings, now=NOW)
    drain_outbox(db.factory, settings, now=NOW + timedelta(hours=1))

    assert count(db, Notice) == 3
    assert [n.id for n in retried] == [n.id for n in first]
    assert sorted(server.message_id_counts().values()) == [1, 1, 1]
    assert set(server.message_id_counts()) == {n.message_id for n in first}


def test_stage_rerun_after_send_sends_nothing(db, start_smtp_server, certificates):
    server = start_smtp_server()
    settings = smtp_settings(server, certificates)
    queue_intake(db)
    drain_outbox(db.factory, settings, now=NOW)
    queue_intake(db)  # the whole stage is re-run later
    report = drain_outbox(db.factory, settings, now=NOW + timedelta(days=1))

    assert report.connections == 0
    assert report.attempted == 0
    assert len(server.arrivals()) == 3


def test_rolled_back_event_queues_nothing(db):
    with pytest.raises(RuntimeError), db.factory() as session, session.begin():
        queue_notice(
            session,
            kind="intake_opened",
            season=SEASON,
            county=COUNTY,
            enterprise_id=db.plain_id,
            context={"deadline": "2026-05-16"},
        )
        raise RuntimeError("the event itself failed")
    assert count(db, Notice) == 0


def test_dropped_connection_before_accept(db, start_smtp_server, certificates):
    server = start_smtp_server("--drop-after", "1", "--drop-mode", "before-store")
    settings = smtp_settings(server, certificates)
    queued = queue_intake(db)
    first = drain_outbox(db.factory, settings, now=NOW)

    assert first.sent == 2
    assert first.deferred == 1
    assert first.connections == 2  # the rest of the batch went over a new one
    second = drain_outbox(db.factory, settings, now=NOW + timedelta(seconds=60))
    assert second.sent == 1
    assert server.message_id_counts() == {n.message_id: 1 for n in queued}


def test_dropped_connection_after_accept(db, start_smtp_server, certificates):
    server = start_smtp_server(
        "--drop-after", "1", "--drop-mode", "after-store", "--dedupe"
    )
    settings = smtp_settings(server, certificates)
    queued = queue_intake(db)
    drain_outbox(db.factory, settings, now=NOW)
    drain_outbox(db.factory, settings, now=NOW + timedelta(seconds=60))

    lost_reply = queued[1]
    counts = server.message_id_counts()
    assert counts[lost_reply.message_id] == 2  # at least once on the wire
    assert counts[queued[0].message_id] == 1
    assert counts[queued[2].message_id] == 1
    assert len(server.stored()) == 3  # the receiver kept each Message-ID once
    assert deliveries_of(db, lost_reply.id) == ["transient", "accepted"]
    with db.factory() as session:
        statuses = session.scalars(select(Notice.status)).all()
    assert statuses == ["sent", "sent", "sent"]


def test_killed_sender_resends_same_message_id(db, start_smtp_server, certificates):
    server = start_smtp_server("--stall-after", "1", "--dedupe")
    (notice,) = queue_intake(db, (db.plain_id,))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "HEATEVAL_SMTP_HOST": "127.0.0.1",
        "HEATEVAL_SMTP_PORT": str(server.port),
        "HEATEVAL_SMTP_SECURITY": "starttls",
        "HEATEVAL_SMTP_CA_FILE": str(certificates.ca),
        "HEATEVAL_SMTP_USERNAME": SMTP_USER,
        "HEATEVAL_SMTP_PASSWORD": SMTP_PASSWORD,
        "HEATEVAL_SMTP_TIMEOUT": "60",
        "HEATEVAL_MAIL_BATCH_SIZE": "1",
    }
    script = (
        "from datetime import datetime\n"
        "from notifications.drain import drain_outbox\n"
        f"now = datetime.fromisoformat({NOW.isoformat()!r})\n"
        f"drain_outbox({db.url!r}, limit=1, now=now)\n"
    )
    sender = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 30
        while not server.arrivals() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.arrivals(), "the server never received the message"
    finally:
        sender.kill()  # dies after the server accepted, before we recorded it
        sender.wait(timeout=10)

    settings = smtp_settings(server, certificates)
    with db.factory() as session:
        claimed = session.get(Notice, notice.id)
    assert claimed.status == "queued"
    assert claimed.attempts == 1
    assert count(db, Delivery) == 0
    during_lease = drain_outbox(db.factory, settings, now=NOW, limit=1)
    assert during_lease.attempted == 0

    after_lease = NOW + timedelta(seconds=60 * 4 + 60)
    report = drain_outbox(db.factory, settings, now=after_lease, limit=1)
    assert report.sent == 1
    assert server.message_id_counts() == {notice.message_id: 2}
    assert len(server.stored()) == 1
    with db.factory() as session:
        sent = session.get(Notice, notice.id)
    assert sent.status == "sent"
    assert sent.attempts == 2
    assert deliveries_of(db, notice.id) == ["accepted"]


def test_concurrent_drainers_send_once(any_db, start_smtp_server, certificates):
    server = start_smtp_server()
    settings = smtp_settings(server, certificates, mail_batch_size=2)
    queued = []
    with any_db.factory() as session, session.begin():
        for round_number in range(1, 5):
            queued += queue_notice(
                session,
                kind="publicity_opened",
                season=SEASON,
                county=COUNTY,
                enterprise_id=None,
                event_key=f"round-{round_number}",
                context={
                    "round": round_number,
                    "window_opens": "2026-06-01",
                    "window_closes": "2026-06-08",
                    "enterprise_count": 3,
                },
                now=NOW,
            )
    reports = []
    threads = [
        threading.Thread(
            target=lambda: reports.append(
                drain_outbox(any_db.factory, settings, now=NOW)
            )
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(queued) == 12  # 4 rounds x (bureau, committee member, city bureau)
    assert sum(report.sent for report in reports) == 12
    assert server.message_id_counts() == {n.message_id: 1 for n in queued}
    assert count(any_db, Delivery) == 12
