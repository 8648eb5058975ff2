"""Permanent and transient refusals: recorded per recipient, the batch goes on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notice_support import COUNTY, SEASON, smtp_settings
from sqlalchemy import select, update

from notifications.drain import drain_outbox
from notifications.outbox import queue_notice
from storage.models import Delivery, Enterprise, Notice

NOW = datetime(2026, 4, 16, 8, 0, tzinfo=UTC)


def queue_reminders(db, enterprise_ids) -> list[Notice]:
    queued = []
    with db.factory() as session, session.begin():
        for enterprise_id in enterprise_ids:
            queued += queue_notice(
                session,
                kind="intake_reminder",
                season=SEASON,
                county=COUNTY,
                enterprise_id=enterprise_id,
                event_key="2026-05-13",
                context={"deadline": "2026-05-16", "days_left": 3},
                now=NOW,
            )
    return queued


def notice(db, notice_id: int) -> Notice:
    with db.factory() as session:
        return session.get(Notice, notice_id)


def test_refused_recipient_does_not_stop_batch(db, start_smtp_server, certificates):
    server = start_smtp_server("--refuse", "refused@heat.example.cn")
    queued = queue_reminders(db, (db.plain_id, db.refused_id, db.hostile_id))
    report = drain_outbox(db.factory, smtp_settings(server, certificates), now=NOW)

    assert report.sent == 2
    assert report.failed == 1
    assert report.connections == 1
    assert sorted(a["rcpt_tos"][0] for a in server.arrivals()) == [
        "li@heat.example.cn",
        "wang@heat.example.cn",
    ]
    refused = notice(db, queued[1].id)
    assert refused.status == "failed"
    assert refused.last_error == (
        "RCPT refused@heat.example.cn: 5.1.1 mailbox unavailable"
    )
    with db.factory() as session:
        delivery = session.scalars(
            select(Delivery).where(Delivery.notice_id == refused.id)
        ).one()
    assert delivery.outcome == "permanent"
    assert delivery.smtp_code == 550


def test_refused_recipient_not_retried(db, start_smtp_server, certificates):
    server = start_smtp_server("--refuse", "refused@heat.example.cn")
    queue_reminders(db, (db.refused_id,))
    settings = smtp_settings(server, certificates)
    drain_outbox(db.factory, settings, now=NOW)
    later = drain_outbox(db.factory, settings, now=NOW + timedelta(days=2))

    assert later.attempted == 0


def test_busy_mailbox_retried_after_backoff(db, start_smtp_server, certificates):
    server = start_smtp_server("--defer", "li@heat.example.cn:1")
    (queued,) = queue_reminders(db, (db.plain_id,))
    settings = smtp_settings(server, certificates)
    first = drain_outbox(db.factory, settings, now=NOW)

    assert first.deferred == 1
    deferred = notice(db, queued.id)
    assert deferred.status == "queued"
    assert deferred.next_attempt_at == NOW + timedelta(seconds=60)
    assert (
        deferred.last_error
        == "RCPT li@heat.example.cn: 4.3.0 mailbox busy, try again later"
    )
    early = drain_outbox(db.factory, settings, now=NOW + timedelta(seconds=59))
    assert early.attempted == 0
    on_time = drain_outbox(db.factory, settings, now=NOW + timedelta(seconds=60))
    assert on_time.sent == 1
    assert server.message_id_counts() == {queued.message_id: 1}


def test_backoff_doubles_then_gives_up(db, start_smtp_server, certificates):
    server = start_smtp_server("--defer", "li@heat.example.cn:9")
    (queued,) = queue_reminders(db, (db.plain_id,))
    settings = smtp_settings(server, certificates, mail_max_attempts=3)
    drain_outbox(db.factory, settings, now=NOW)
    second_at = NOW + timedelta(seconds=60)
    drain_outbox(db.factory, settings, now=second_at)

    assert notice(db, queued.id).next_attempt_at == second_at + timedelta(seconds=120)
    third_at = second_at + timedelta(seconds=120)
    report = drain_outbox(db.factory, settings, now=third_at)
    assert report.failed == 1
    given_up = notice(db, queued.id)
    assert given_up.status == "failed"
    assert given_up.last_error.startswith("gave up after 3 attempts; last error: RCPT")


def test_invalid_address_fails_alone(db, start_smtp_server, certificates):
    server = start_smtp_server()
    with db.factory() as session, session.begin():
        session.execute(
            update(Enterprise)
            .where(Enterprise.id == db.refused_id)
            .values(contact_email="not an address")
        )
    queued = queue_reminders(db, (db.refused_id, db.plain_id))
    report = drain_outbox(db.factory, smtp_settings(server, certificates), now=NOW)

    assert report.sent == 1
    assert report.failed == 1
    assert notice(db, queued[0].id).last_error == (
        "address 'not an address' contains a space or control character"
    )
    assert server.arrivals()[0]["rcpt_tos"] == ["li@heat.example.cn"]


def test_utf8_address_uses_smtputf8(db, start_smtp_server, certificates):
    server = start_smtp_server()
    with db.factory() as session, session.begin():
        session.execute(
            update(Enterprise)
            .where(Enterprise.id == db.refused_id)
            .values(contact_email="赵六@供热.example.cn")
        )
    queue_reminders(db, (db.refused_id, db.plain_id))
    report = drain_outbox(db.factory, smtp_settings(server, certificates), now=NOW)

    assert report.sent == 2
    utf8, ascii_only = server.arrivals()
    assert utf8["rcpt_tos"] == ["赵六@xn--vsq352f.example.cn"]
    assert utf8["smtputf8"] is True
    assert ascii_only["smtputf8"] is False
    first, second = (path.read_bytes() for path in server.stored())
    assert "Subject: 【供热企业综合评价】".encode() in first
    assert second.split(b"\r\n\r\n", 1)[0].isascii()


def test_utf8_address_without_smtputf8_fails(db, start_smtp_server, certificates):
    server = start_smtp_server("--no-smtputf8")
    with db.factory() as session, session.begin():
        session.execute(
            update(Enterprise)
            .where(Enterprise.id == db.refused_id)
            .values(contact_email="赵六@供热.example.cn")
        )
    (queued,) = queue_reminders(db, (db.refused_id,))
    report = drain_outbox(db.factory, smtp_settings(server, certificates), now=NOW)

    assert report.failed == 1
    assert notice(db, queued.id).last_error == (
        "address 赵六@xn--vsq352f.example.cn needs SMTPUTF8, which the server "
        "does not offer"
    )
