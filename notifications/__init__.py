"""Notices to enterprises, bureaus and operators: catalogue, outbox, sender, capture.

The cycle calls `queue_notice` inside the transaction of the event; a separate
step calls `drain_outbox` to send what is due. `docs/notifications.md` lists
every notice kind, its trigger and its recipients.

The names below are imported on first use, so `notifications.capture` alone
(the demo's mail server) starts without SQLAlchemy or aiosmtplib.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "CATALOG": "notifications.catalog",
    "Audience": "notifications.catalog",
    "NoticeKind": "notifications.catalog",
    "Scope": "notifications.catalog",
    "get_kind": "notifications.catalog",
    "CaptureHandler": "notifications.capture",
    "CaptureServer": "notifications.capture",
    "DrainReport": "notifications.drain",
    "drain_outbox": "notifications.drain",
    "drain_outbox_async": "notifications.drain",
    "queue_notice": "notifications.outbox",
    "Recipient": "notifications.recipients",
    "SmtpSettingsError": "notifications.sender",
    "check_mail_settings": "notifications.sender",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'notifications' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
