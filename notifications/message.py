"""Build the MIME message of one notice: headers, text and HTML parts, attachments."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from heateval.settings import Settings
from notifications.headers import (
    InvalidAddressError,
    mailbox,
    needs_smtputf8,
    parse_address,
    single_line,
)
from notifications.render import RenderedNotice

# Attachments are read into memory; mail relays commonly reject messages
# above 10-25 MiB, so notices link to large documents instead.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class MessageBuildError(ValueError):
    """A notice that cannot become a message (bad address, missing attachment)."""


@dataclass(frozen=True)
class OutgoingMessage:
    """A message ready for the SMTP envelope."""

    message: EmailMessage
    envelope_from: str
    envelope_to: str
    smtputf8: bool  # an address needs SMTPUTF8, so headers go out as raw UTF-8

    def to_bytes(self) -> bytes:
        """Serialise with CRLF line ends; RFC 2047 encoded words unless SMTPUTF8."""
        chosen = policy.SMTPUTF8 if self.smtputf8 else policy.SMTP
        return self.message.as_bytes(policy=chosen)


def _attach(message: EmailMessage, attachments: list[dict[str, Any]] | None) -> None:
    total = 0
    for item in attachments or []:
        path = Path(str(item.get("path", "")))
        if not path.is_file():
            raise MessageBuildError(
                f"attachment {path} not found; produce the file again, then run "
                "`heateval outbox retry --requeue-failed`"
            )
        try:
            data = path.read_bytes()
        except OSError as error:
            raise MessageBuildError(
                f"attachment {path} could not be read: {error}"
            ) from None
        total += len(data)
        if total > MAX_ATTACHMENT_BYTES:
            raise MessageBuildError(
                f"attachments exceed {MAX_ATTACHMENT_BYTES} bytes at {path}; "
                "send a link instead"
            )
        filename = single_line(str(item.get("filename") or path.name), 120)
        filename = filename.replace("/", "_").replace("\\", "_")
        media_type = item.get("media_type") or mimetypes.guess_type(filename)[0]
        maintype, _, subtype = (media_type or "application/octet-stream").partition("/")
        message.add_attachment(
            data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=filename,
        )


def build_message(
    *,
    kind: str,
    rendered: RenderedNotice,
    recipient_name: str,
    recipient_address: str,
    message_id: str,
    attachments: list[dict[str, Any]] | None,
    settings: Settings,
    now: datetime,
) -> OutgoingMessage:
    """Build the message of one notice to one recipient.

    User text reaches two headers, Subject and the To display name. Both pass
    through `single_line`, so no CR or LF can start a header of its own.
    Raises MessageBuildError for an invalid address or a missing attachment.
    """
    try:
        sender = mailbox(settings.mail_from_name, settings.mail_from)
        to = mailbox(recipient_name, recipient_address)
    except InvalidAddressError as error:
        raise MessageBuildError(str(error)) from None

    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = single_line(rendered.subject, 200)
    message["Date"] = format_datetime(now.astimezone(ZoneInfo(settings.timezone)))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Heateval-Notice"] = kind
    message.set_content(rendered.text, subtype="plain", charset="utf-8", cte="base64")
    message.add_alternative(
        rendered.html, subtype="html", charset="utf-8", cte="base64"
    )
    # After the body: set_content drops every Content-* header set before it.
    message["Content-Language"] = "zh-CN"
    if attachments:
        _attach(message, attachments)

    envelope_from = parse_address(settings.mail_from)
    return OutgoingMessage(
        message=message,
        envelope_from=envelope_from.addr_spec,
        envelope_to=to.addr_spec,
        smtputf8=needs_smtputf8(to) or needs_smtputf8(envelope_from),
    )
