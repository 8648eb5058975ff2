"""build_message: headers, parts and attachments of one notice, without a server."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from heateval.settings import Settings
from notifications import message as message_module
from notifications.message import MessageBuildError, build_message
from notifications.render import RenderedNotice

RENDERED = RenderedNotice(subject="【测试】主题", text="正文", html="<p>正文</p>")
NOW = datetime(2026, 5, 1, 0, 30, tzinfo=UTC)


def build(**overrides):
    arguments = {
        "kind": "intake_opened",
        "rendered": RENDERED,
        "recipient_name": "李四",
        "recipient_address": "li@heat.example.cn",
        "message_id": "<abc@chifeng.example.cn>",
        "attachments": None,
        "settings": Settings(),
        "now": NOW,
    }
    arguments.update(overrides)
    return build_message(**arguments)


def parsed(outgoing):
    return BytesParser(policy=policy.default).parsebytes(outgoing.to_bytes())


def test_fixed_headers():
    message = parsed(build())

    assert message["Message-ID"] == "<abc@chifeng.example.cn>"
    assert message["Date"] == "Fri, 01 May 2026 08:30:00 +0800"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Heateval-Notice"] == "intake_opened"
    assert message["Content-Language"] == "zh-CN"
    assert message.get_content_type() == "multipart/alternative"


def test_envelope_addresses():
    outgoing = build()

    assert outgoing.envelope_from == "heateval@chifeng.example.cn"
    assert outgoing.envelope_to == "li@heat.example.cn"
    assert outgoing.smtputf8 is False


def test_attachment_added(tmp_path: Path):
    document = tmp_path / "公示.pdf"
    document.write_bytes(b"%PDF-1.4 test")
    message = parsed(
        build(attachments=[{"path": str(document), "filename": "../公示\r\n.pdf"}])
    )
    (attachment,) = list(message.iter_attachments())

    assert message.get_content_type() == "multipart/mixed"
    assert attachment.get_filename() == ".._公示 .pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.4 test"


def test_missing_attachment_rejected(tmp_path: Path):
    missing = tmp_path / "gone.pdf"
    with pytest.raises(MessageBuildError, match=f"attachment {missing} not found"):
        build(attachments=[{"path": str(missing)}])


def test_oversized_attachments_rejected(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(message_module, "MAX_ATTACHMENT_BYTES", 10)
    document = tmp_path / "big.bin"
    document.write_bytes(b"x" * 11)
    with pytest.raises(MessageBuildError, match="attachments exceed 10 bytes"):
        build(attachments=[{"path": str(document)}])


def test_invalid_recipient_rejected():
    with pytest.raises(MessageBuildError, match="not of the form name@domain"):
        build(recipient_address="li.heat.example.cn")
