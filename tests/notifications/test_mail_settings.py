"""Start-up checks of the mail settings: unsafe or contradictory ones are rejected."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from heateval.settings import Settings
from notifications.drain import drain_outbox
from notifications.outbox import queue_notice
from notifications.sender import SmtpSettingsError, check_mail_settings
from storage.models import Delivery


def rejected(**values) -> str:
    with pytest.raises(SmtpSettingsError) as caught:
        check_mail_settings(Settings(**values))
    return str(caught.value)


def test_defaults_accepted():
    check_mail_settings(Settings())


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "localhost"])
def test_plain_to_loopback_accepted(host):
    check_mail_settings(Settings(smtp_host=host, smtp_security="plain"))


@pytest.mark.parametrize("host", ["smtp.example.cn", "10.0.0.5", "0.0.0.0"])
def test_plain_to_other_host_rejected(host):
    message = rejected(smtp_host=host, smtp_security="plain", smtp_port=25)
    assert f"allowed only to a loopback address, not to {host!r}" in message
    assert "HEATEVAL_SMTP_SECURITY=starttls" in message


def test_plain_auth_to_other_host_rejected():
    message = rejected(
        smtp_host="smtp.example.cn",
        smtp_security="plain",
        smtp_username="u",
        smtp_password="p",
    )
    assert "sends mail and passwords unencrypted" in message


def test_implicit_tls_on_587_rejected():
    message = rejected(smtp_host="smtp.example.cn", smtp_security="tls", smtp_port=587)
    assert "implicit TLS) with port 587" in message


def test_starttls_on_465_rejected():
    message = rejected(
        smtp_host="smtp.example.cn", smtp_security="starttls", smtp_port=465
    )
    assert "starttls with port 465" in message


def test_matching_ports_accepted():
    check_mail_settings(
        Settings(smtp_host="smtp.example.cn", smtp_security="tls", smtp_port=465)
    )
    check_mail_settings(
        Settings(smtp_host="smtp.example.cn", smtp_security="starttls", smtp_port=587)
    )


def test_username_without_password_rejected():
    settings = Settings().model_copy(update={"smtp_username": "u"})
    with pytest.raises(SmtpSettingsError) as caught:
        check_mail_settings(settings)
    assert "must be set together" in str(caught.value)


def test_ca_file_with_plain_rejected(tmp_path: Path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not used")
    message = rejected(smtp_security="plain", smtp_ca_file=ca)
    assert "HEATEVAL_SMTP_CA_FILE is set but HEATEVAL_SMTP_SECURITY=plain" in message


def test_missing_ca_file_rejected(tmp_path: Path):
    missing = tmp_path / "missing.pem"
    message = rejected(smtp_security="starttls", smtp_port=587, smtp_ca_file=missing)
    assert f"HEATEVAL_SMTP_CA_FILE {missing} not found" in message


def test_invalid_addresses_rejected():
    message = rejected(
        mail_from="heateval",
        operator_emails=["ops@example.cn", "ops at example"],
        other_departments=["发改委 <fgw@example.cn>", "市场监管局"],
    )
    assert "HEATEVAL_MAIL_FROM is invalid" in message
    assert "HEATEVAL_OPERATOR_EMAILS is invalid: entry 'ops at example'" in message
    assert "HEATEVAL_OTHER_DEPARTMENTS is invalid" in message


def test_every_problem_listed_at_once():
    message = rejected(
        smtp_host="smtp.example.cn", smtp_security="plain", mail_from="x"
    )
    assert message.count("\n- ") == 2


def test_drain_rejects_before_sending(db):
    with db.factory() as session, session.begin():
        queue_notice(
            session,
            kind="intake_opened",
            season="2025-2026",
            county=None,
            enterprise_id=db.plain_id,
            context={"deadline": "2026-05-16"},
        )
    settings = Settings(smtp_host="smtp.example.cn", smtp_security="plain")
    with pytest.raises(SmtpSettingsError):
        drain_outbox(db.factory, settings)
    with db.factory() as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
