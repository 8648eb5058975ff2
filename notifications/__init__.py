"""Notices to enterprises, bureaus and operators: catalogue, outbox, sender, capture.

The cycle calls `queue_notice` inside the transaction of the event; a separate
step calls `drain_outbox` to send what is due. `docs/notifications.md` lists
every notice kind, its trigger and its recipients.
"""

from notifications.capture import CaptureHandler, CaptureServer
from notifications.catalog import CATALOG, Audience, NoticeKind, Scope, get_kind
from notifications.drain import DrainReport, drain_outbox, drain_outbox_async
from notifications.outbox import queue_notice
from notifications.recipients import Recipient
from notifications.sender import SmtpSettingsError, check_mail_settings

__all__ = [
    "CATALOG",
    "Audience",
    "CaptureHandler",
    "CaptureServer",
    "DrainReport",
    "NoticeKind",
    "Recipient",
    "Scope",
    "SmtpSettingsError",
    "check_mail_settings",
    "drain_outbox",
    "drain_outbox_async",
    "get_kind",
    "queue_notice",
]
