"""The demo's capture SMTP server: one `.eml` file per Message-ID, loopback only."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest

from heateval.settings import Settings
from notifications.capture import CaptureServer, sanitise_message_id
from notifications.drain import drain_outbox
from notifications.outbox import queue_notice

MESSAGE = (
    b"From: a@example.cn\r\nTo: b@example.cn\r\nSubject: test\r\n"
    b"Message-ID: <abc.123@chifeng.example.cn>\r\n\r\nbody\r\n"
)


def send_raw(port: int, content: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("a@example.cn", ["b@example.cn"], content)


def test_message_stored_as_numbered_eml(tmp_path: Path):
    with CaptureServer(tmp_path / "mail") as server:
        send_raw(server.port, MESSAGE)

    files = sorted(p.name for p in (tmp_path / "mail").iterdir())
    assert files == ["1-abc.123@chifeng.example.cn.eml"]
    assert (tmp_path / "mail" / files[0]).read_bytes() == MESSAGE


def test_duplicate_message_id_stored_once(tmp_path: Path):
    with CaptureServer(tmp_path / "mail") as server:
        send_raw(server.port, MESSAGE)
        send_raw(server.port, MESSAGE)  # accepted again, not written again
        received = dict(server.handler.received)

    assert len(list((tmp_path / "mail").iterdir())) == 1
    assert received == {"<abc.123@chifeng.example.cn>": 2}


def test_restart_keeps_numbering_and_dedupe(tmp_path: Path):
    other = MESSAGE.replace(b"abc.123", b"def.456")
    with CaptureServer(tmp_path / "mail") as server:
        send_raw(server.port, MESSAGE)
    with CaptureServer(tmp_path / "mail") as server:
        send_raw(server.port, MESSAGE)
        send_raw(server.port, other)

    names = sorted(p.name for p in (tmp_path / "mail").iterdir())
    assert names == [
        "1-abc.123@chifeng.example.cn.eml",
        "2-def.456@chifeng.example.cn.eml",
    ]


def test_start_returns_bound_port(tmp_path: Path):
    server = CaptureServer(tmp_path / "mail", "127.0.0.1", 0)
    port = server.start()
    try:
        assert port > 0
        assert port == server.port
    finally:
        server.stop()


def test_non_loopback_host_rejected(tmp_path: Path):
    with pytest.raises(ValueError, match=r"loopback address only, not '0\.0\.0\.0'"):
        CaptureServer(tmp_path / "mail", "0.0.0.0")


@pytest.mark.parametrize(
    ("message_id", "expected"),
    [
        ("<a/../../b@x.cn>", "a_.._.._b@x.cn"),
        ("<../etc/passwd>", "etc_passwd"),
        (None, "no-message-id"),
        ("< >", "no-message-id"),
    ],
)
def test_message_id_sanitised(message_id, expected):
    assert sanitise_message_id(message_id) == expected


def test_demo_path_plain_to_capture(db, tmp_path: Path):
    with db.factory() as session, session.begin():
        queue_notice(
            session,
            kind="intake_opened",
            season="2025-2026",
            county=None,
            enterprise_id=db.plain_id,
            context={"deadline": "2026-05-16"},
        )
    with CaptureServer(tmp_path / "mail") as server:
        settings = Settings(smtp_port=server.port, smtp_security="plain")
        report = drain_outbox(db.factory, settings)

    assert report.sent == 1
    (stored,) = (tmp_path / "mail").iterdir()
    assert b"X-Heateval-Notice: intake_opened" in stored.read_bytes()
