"""The SMTP side: settings checks at start-up, the connection, one send, its outcome."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from enum import StrEnum

import aiosmtplib

from heateval.settings import Settings, SmtpSecurity
from notifications.headers import (
    InvalidAddressError,
    is_loopback,
    parse_address,
    parse_named_address,
)
from notifications.message import OutgoingMessage

logger = logging.getLogger(__name__)

IMPLICIT_TLS_PORT = 465
SUBMISSION_PORT = 587


class SmtpSettingsError(ValueError):
    """Mail settings that contradict each other or would send mail unsafely."""


class Outcome(StrEnum):
    """The meaning of the server's reply for one notice."""

    ACCEPTED = "accepted"
    TRANSIENT = "transient"  # try again later
    PERMANENT = "permanent"  # do not try again


@dataclass(frozen=True)
class SendResult:
    """The outcome of handing one message to the server."""

    outcome: Outcome
    smtp_code: int | None
    detail: str
    connection_lost: bool = False


def check_mail_settings(settings: Settings) -> None:
    """Reject contradictory or unsafe mail settings, listing every problem at once.

    Raises SmtpSettingsError. Plain SMTP goes only to a loopback address.
    Implicit TLS may not use port 587, nor STARTTLS port 465. Username and
    password come together. A CA file needs TLS and must exist. Sender,
    operator, city and department addresses must be valid.
    """
    problems: list[str] = []
    host, port, security = (
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_security,
    )
    if security is SmtpSecurity.PLAIN and not is_loopback(host):
        problems.append(
            f"HEATEVAL_SMTP_SECURITY=plain sends mail and passwords unencrypted and is "
            f"allowed only to a loopback address, not to {host!r}; set "
            "HEATEVAL_SMTP_SECURITY=starttls (port 587) or tls (port 465)"
        )
    if security is SmtpSecurity.TLS and port == SUBMISSION_PORT:
        problems.append(
            "HEATEVAL_SMTP_SECURITY=tls (implicit TLS) with port 587, the STARTTLS "
            "port; set HEATEVAL_SMTP_SECURITY=starttls or HEATEVAL_SMTP_PORT=465"
        )
    if security is SmtpSecurity.STARTTLS and port == IMPLICIT_TLS_PORT:
        problems.append(
            "HEATEVAL_SMTP_SECURITY=starttls with port 465, the implicit-TLS port; set "
            "HEATEVAL_SMTP_SECURITY=tls or HEATEVAL_SMTP_PORT=587"
        )
    if (settings.smtp_username is None) != (settings.smtp_password is None):
        problems.append(
            "HEATEVAL_SMTP_USERNAME and HEATEVAL_SMTP_PASSWORD must be set together"
        )
    if settings.smtp_ca_file is not None:
        if security is SmtpSecurity.PLAIN:
            problems.append(
                "HEATEVAL_SMTP_CA_FILE is set but HEATEVAL_SMTP_SECURITY=plain uses no "
                "TLS; remove the CA file or choose tls or starttls"
            )
        elif not settings.smtp_ca_file.is_file():
            problems.append(f"HEATEVAL_SMTP_CA_FILE {settings.smtp_ca_file} not found")
    try:
        parse_address(settings.mail_from)
    except InvalidAddressError as error:
        problems.append(f"HEATEVAL_MAIL_FROM is invalid: {error}")
    for variable, entries in (
        ("HEATEVAL_OPERATOR_EMAILS", settings.operator_emails),
        ("HEATEVAL_OTHER_DEPARTMENTS", settings.other_departments),
        ("HEATEVAL_CITY_BUREAU_EMAIL", [settings.city_bureau_email]),
    ):
        for entry in entries:
            try:
                parse_named_address(entry)
            except InvalidAddressError as error:
                problems.append(f"{variable} is invalid: {error}")
    if problems:
        raise SmtpSettingsError(
            "mail settings rejected:\n" + "\n".join(f"- {p}" for p in problems)
        )
    if settings.smtp_username is not None and security is SmtpSecurity.PLAIN:
        logger.warning(
            "SMTP authentication over plain SMTP to loopback host %s: the password "
            "crosses the loopback interface unencrypted",
            host,
        )


def make_tls_context(settings: Settings) -> ssl.SSLContext:
    """Build a verifying TLS context trusting `smtp_ca_file`, else the system store."""
    cafile = str(settings.smtp_ca_file) if settings.smtp_ca_file else None
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def make_client(settings: Settings) -> aiosmtplib.SMTP:
    """Build a client for the configured server, not yet connected."""
    password = (
        settings.smtp_password.get_secret_value() if settings.smtp_password else None
    )
    security = settings.smtp_security
    helo_name = settings.mail_from.rpartition("@")[2] or "localhost"
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=password,
        local_hostname=helo_name.encode("idna").decode("ascii"),
        timeout=settings.smtp_timeout,
        use_tls=security is SmtpSecurity.TLS,
        # True makes the upgrade mandatory: a server without STARTTLS is an error.
        start_tls=security is SmtpSecurity.STARTTLS,
        tls_context=None
        if security is SmtpSecurity.PLAIN
        else make_tls_context(settings),
    )


def _by_code(code: int, detail: str, *, connection_lost: bool = False) -> SendResult:
    if 200 <= code < 300:
        return SendResult(Outcome.ACCEPTED, code, detail)
    # 421: the server is closing the connection; anything else 4xx keeps it open.
    lost = connection_lost or code == 421
    if 400 <= code < 500:
        return SendResult(Outcome.TRANSIENT, code, detail, connection_lost=lost)
    return SendResult(Outcome.PERMANENT, code, detail, connection_lost=lost)


async def send_one(client: aiosmtplib.SMTP, outgoing: OutgoingMessage) -> SendResult:
    """Hand one message to a connected server and classify the reply.

    A 4xx reply, a timeout or a dropped connection is transient. A 5xx reply,
    an address the server cannot take or a missing SMTPUTF8 extension is
    permanent. When `connection_lost` is set, the caller opens a new connection.
    """
    options: list[str] = []
    if outgoing.smtputf8:
        if not client.supports_extension("smtputf8"):
            return SendResult(
                Outcome.PERMANENT,
                None,
                f"address {outgoing.envelope_to} needs SMTPUTF8, which the server "
                "does not offer",
            )
        options.append("SMTPUTF8")
    try:
        _, reply = await client.sendmail(
            outgoing.envelope_from,
            [outgoing.envelope_to],
            outgoing.to_bytes(),
            mail_options=options,
        )
    except aiosmtplib.SMTPRecipientsRefused as error:
        refused = error.recipients[0]
        return _by_code(refused.code, f"RCPT {refused.recipient}: {refused.message}")
    except aiosmtplib.SMTPResponseException as error:
        return _by_code(error.code, f"{type(error).__name__}: {error.message}")
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError) as error:
        return SendResult(
            Outcome.TRANSIENT,
            None,
            f"{type(error).__name__}: {error}",
            connection_lost=True,
        )
    except aiosmtplib.SMTPNotSupported as error:
        return SendResult(Outcome.PERMANENT, None, str(error))
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
        return SendResult(
            Outcome.TRANSIENT,
            None,
            f"{type(error).__name__}: {error}",
            connection_lost=True,
        )
    except ValueError as error:  # aiosmtplib: an address it cannot put on the wire
        return SendResult(Outcome.PERMANENT, None, f"invalid address: {error}")
    return SendResult(Outcome.ACCEPTED, 250, reply)
