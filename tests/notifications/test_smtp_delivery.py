"""Sending over STARTTLS with AUTH to a real SMTP server process on 127.0.0.1."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from notice_support import COUNTY, HOSTILE_NAME, SEASON, smtp_settings
from sqlalchemy import select

from notifications.drain import drain_outbox
from notifications.outbox import queue_notice
from notifications.render import render_notice
from storage.models import Delivery, Notice

DRAFT = {
    "base": Decimal("88.50"),
    "bonus": Decimal("3.00"),
    "deduction": Decimal("0.00"),
    "total": Decimal("91.50"),
    "grade": "A",
    "window_opens": date(2026, 6, 1),
    "window_closes": date(2026, 6, 8),
}


def queue_draft(db, enterprise_id: int) -> Notice:
    with db.factory() as session, session.begin():
        (notice,) = queue_notice(
            session,
            kind="draft_result",
            season=SEASON,
            county=COUNTY,
            enterprise_id=enterprise_id,
            context=DRAFT,
        )
    return notice


def test_chinese_subject_encoded_on_wire(db, start_smtp_server, certificates):
    server = start_smtp_server()
    notice = queue_draft(db, db.plain_id)
    report = drain_outbox(db.factory, smtp_settings(server, certificates))
    assert report.sent == 1

    raw = server.stored()[0].read_bytes()
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert header_block.isascii()
    assert b"Subject: =?utf-8?b?" in header_block
    expected = render_notice("draft_result", notice.context).subject
    assert server.messages()[0]["Subject"] == expected
    assert expected == (
        "【供热企业综合评价】松山热力有限公司2025-2026年度综合评价初步结果："
        "91.50分，A级（绿牌）"
    )


def test_display_names_encoded_and_decoded(db, start_smtp_server, certificates):
    server = start_smtp_server()
    queue_draft(db, db.plain_id)
    drain_outbox(db.factory, smtp_settings(server, certificates))

    raw = server.stored()[0].read_bytes()
    assert b"To: =?utf-8?b?5p2O5Zub?= <li@heat.example.cn>" in raw
    message = server.messages()[0]
    assert message["To"].addresses[0].display_name == "李四"
    assert message["From"].addresses[0].display_name == "赤峰市供热企业综合评价平台"


def test_bodies_are_chinese_text_and_html(db, start_smtp_server, certificates):
    server = start_smtp_server()
    queue_draft(db, db.plain_id)
    drain_outbox(db.factory, smtp_settings(server, certificates))

    message = server.messages()[0]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "公示" in text
    assert "2026年6月1日至2026年6月8日" in text
    assert "<td><strong>91.50</strong></td>" in html


def test_hostile_name_escaped_in_html(db, start_smtp_server, certificates):
    server = start_smtp_server()
    queue_draft(db, db.hostile_id)
    drain_outbox(db.factory, smtp_settings(server, certificates))

    html = server.messages()[0].get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_name_harmless_in_headers(db, start_smtp_server, certificates):
    server = start_smtp_server()
    queue_draft(db, db.hostile_id)
    drain_outbox(db.factory, smtp_settings(server, certificates))

    message = server.messages()[0]
    assert message.get_all("Bcc") is None
    assert "\n" not in message["Subject"]
    assert "\r" not in message["Subject"]
    assert (
        "<script>alert(1)</script> Bcc: victim@example.com 热力公司"
        in (message["Subject"])
    )
    assert message["To"].addresses[0].display_name == "王五 Bcc: victim@example.com"
    assert message["To"].addresses[0].addr_spec == "wang@heat.example.cn"
    assert server.arrivals()[0]["rcpt_tos"] == ["wang@heat.example.cn"]
    assert HOSTILE_NAME not in message["Subject"]


def test_wrong_password_defers_everything(db, start_smtp_server, certificates):
    server = start_smtp_server()
    queue_draft(db, db.plain_id)
    settings = smtp_settings(server, certificates, smtp_password="wrong")
    report = drain_outbox(db.factory, settings)

    assert report.sent == 0
    assert report.deferred == 1
    assert len(report.connection_errors) == 1
    assert "SMTPAuthenticationError" in report.connection_errors[0]
    assert server.arrivals() == []
    with db.factory() as session:
        notice = session.scalars(select(Notice)).one()
        delivery = session.scalars(select(Delivery)).one()
    assert notice.status == "queued"
    assert notice.attempts == 1
    assert delivery.outcome == "transient"
    assert delivery.smtp_code == 535


def test_starttls_required_by_client(db, start_smtp_server, certificates):
    server = start_smtp_server(tls=False, auth=False)
    queue_draft(db, db.plain_id)
    settings = smtp_settings(
        server, certificates, smtp_username=None, smtp_password=None
    )
    report = drain_outbox(db.factory, settings)

    assert report.sent == 0
    assert server.arrivals() == []
    assert "STARTTLS" in report.connection_errors[0].upper()


def test_untrusted_certificate_rejected(db, start_smtp_server, certificates, tmp_path):
    server = start_smtp_server()
    queue_draft(db, db.plain_id)
    settings = smtp_settings(server, certificates, smtp_ca_file=None)
    report = drain_outbox(db.factory, settings)

    assert report.sent == 0
    assert server.arrivals() == []
    assert "CERTIFICATE_VERIFY_FAILED" in report.connection_errors[0]
