"""Queue notices in the caller's transaction; one row per recipient, once per key.

A notice row is written in the same transaction as the event that causes it,
so a rolled-back event leaves no notice and a committed one always has its
notices. The sender (`notifications.drain`) reads the rows later.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from heateval.settings import Settings, get_settings
from notifications.catalog import (
    COMMON_OPTIONAL,
    OPTIONAL_AUDIENCES,
    Audience,
    NoticeKind,
    Scope,
    get_kind,
)
from notifications.context import ContextError, normalise_context
from notifications.recipients import MissingRecipient, Recipient, resolve_audience
from notifications.render import render_notice
from storage.base import utcnow
from storage.models import County, Enterprise, Notice

logger = logging.getLogger(__name__)

KEY_MAX_CHARS = 255
# Context keys that queue_notice fills in itself; a caller may not set them.
RESERVED_KEYS = frozenset(
    {"season", "platform", "city_bureau_name", "county", "enterprise", "recipient"}
)


def notice_key(
    kind: str,
    season: str,
    county: str | None,
    enterprise_id: int | None,
    event_key: str,
    address: str,
) -> str:
    """Return the business identity of one notice to one recipient.

    Keys that would pass the column's 255 characters keep a readable prefix
    and end with the SHA-256 of the whole key, so they stay unique.
    """
    parts = [kind, season, county or "-", str(enterprise_id or "-"), event_key]
    key = "|".join([*parts, address.strip().lower()])
    if len(key) <= KEY_MAX_CHARS:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[:180]}|sha256:{digest}"


def message_id_for(key: str, settings: Settings) -> str:
    """Return the Message-ID of the notice with `key`: the same key, the same ID."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    domain = settings.mail_from.rpartition("@")[2].strip().lower()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = ""
    return f"<{digest}@{domain or 'heateval.invalid'}>"


def _check_scope(
    session: Session, spec: NoticeKind, county: str | None, enterprise_id: int | None
) -> tuple[County | None, Enterprise | None]:
    enterprise = None
    if enterprise_id is not None:
        enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise ValueError(
                f"notice {spec.name!r}: enterprise id {enterprise_id} not found"
            )
        if county is not None and county != enterprise.county_code:
            raise ValueError(
                f"notice {spec.name!r}: enterprise {enterprise_id} belongs to county "
                f"{enterprise.county_code}, not {county}"
            )
        county = enterprise.county_code
    if spec.scope is Scope.ENTERPRISE and enterprise is None:
        raise ValueError(
            f"notice {spec.name!r} is about one enterprise: pass enterprise_id"
        )
    if spec.scope is Scope.COUNTY and county is None:
        raise ValueError(f"notice {spec.name!r} is about one county: pass county")
    county_row = None
    if county is not None:
        county_row = session.get(County, county)
        if county_row is None:
            raise ValueError(f"notice {spec.name!r}: county {county!r} not found")
    return county_row, enterprise


def _base_context(
    season: str,
    county: County | None,
    enterprise: Enterprise | None,
    settings: Settings,
) -> dict[str, Any]:
    """Names and contacts as they are when the event happens, for the templates."""
    base: dict[str, Any] = {
        "season": season,
        "platform": settings.mail_from_name,
        "city_bureau_name": settings.city_bureau_name,
        "county": None,
        "enterprise": None,
    }
    if county is not None:
        base["county"] = {
            "code": county.code,
            "name": county.name,
            "bureau_name": county.bureau_name,
            "bureau_email": county.bureau_email,
            "bureau_phone": county.bureau_phone,
            "bureau_address": county.bureau_address,
        }
    if enterprise is not None:
        base["enterprise"] = {
            "id": enterprise.id,
            "name": enterprise.name,
            "credit_code": enterprise.credit_code,
            "type": enterprise.type,
            "contact_name": enterprise.contact_name,
        }
    return base


def _caller_context(spec: NoticeKind, context: Mapping[str, Any]) -> dict[str, Any]:
    try:
        values = normalise_context(context)
    except ContextError as error:
        raise ValueError(f"notice {spec.name!r}: {error}") from None
    missing = [key for key in spec.required if key not in values]
    if missing:
        raise ValueError(
            f"notice {spec.name!r}: context is missing {', '.join(missing)}; "
            f"it needs {', '.join(spec.required)}"
        )
    reserved = sorted(RESERVED_KEYS & values.keys())
    if reserved:
        raise ValueError(
            f"notice {spec.name!r}: context key(s) {', '.join(reserved)} are filled in "
            "from the database; rename them"
        )
    for key in (*spec.optional, *COMMON_OPTIONAL):
        values.setdefault(key, None)
    return values


def _resolve(
    session: Session,
    spec: NoticeKind,
    audiences: Sequence[Audience | Recipient],
    county: str | None,
    enterprise_id: int | None,
    context: dict[str, Any],
    settings: Settings,
) -> tuple[list[Recipient], list[MissingRecipient]]:
    recipients: list[Recipient] = []
    missing: list[MissingRecipient] = []
    seen: set[str] = set()
    for audience in audiences:
        if isinstance(audience, Recipient):
            found = [audience]
        else:
            lookup = resolve_audience(
                session,
                Audience(audience),
                county=county,
                enterprise_id=enterprise_id,
                context=context,
                settings=settings,
            )
            found = lookup.recipients
            if lookup.missing is not None and audience not in OPTIONAL_AUDIENCES:
                missing.append(lookup.missing)
        for recipient in found:
            normalised = recipient.address.strip().lower()
            if normalised not in seen:
                seen.add(normalised)
                recipients.append(recipient)
    return recipients, missing


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert rows; a row whose key exists already (a concurrent queue) is skipped."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        session.execute(insert(Notice), rows)
        return
    session.execute(dialect_insert(Notice).on_conflict_do_nothing(), rows)


def queue_notice(
    session: Session,
    *,
    kind: str,
    season: str,
    county: str | None,
    enterprise_id: int | None,
    context: Mapping[str, Any],
    event_key: str = "",
    audience_override: Sequence[Audience | str | Recipient] | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> list[Notice]:
    """Queue one notice per recipient of `kind`, in the caller's transaction.

    Recipients come from the kind's audiences (or `audience_override`: audience
    names and explicit `Recipient`s). Each row's key is kind, season, county,
    enterprise, `event_key` and address. A key that exists already is left
    as it is, so calling this again for the same event queues nothing new.
    Nothing is committed here. `now` sets when the notices become due (the
    default is the current time).

    Returns the notices of this event, those queued now and earlier ones.
    Raises ValueError for an unknown kind, a wrong scope, a missing or
    non-JSON context value, or templates that cannot render the context.
    An audience with no address queues a `recipient_missing` notice to the
    operators instead.
    """
    settings = settings or get_settings()
    spec = get_kind(kind)
    if spec.repeatable and not event_key:
        raise ValueError(
            f"notice {kind!r} can happen more than once for the same enterprise or "
            "county: pass an event_key (e.g. the objection reference or the round)"
        )
    county_row, enterprise = _check_scope(session, spec, county, enterprise_id)
    county_code = county_row.code if county_row else None
    values = _caller_context(spec, context)
    base = _base_context(season, county_row, enterprise, settings)
    audiences = audience_override if audience_override is not None else spec.audiences
    recipients, missing = _resolve(
        session, spec, audiences, county_code, enterprise_id, values, settings
    )

    keyed = {
        notice_key(kind, season, county_code, enterprise_id, event_key, r.address): r
        for r in recipients
    }
    existing = set(
        session.scalars(select(Notice.key).where(Notice.key.in_(list(keyed)))).all()
    )
    due = now or utcnow()
    rows = []
    for key, recipient in keyed.items():
        if key in existing:
            continue
        full_context = {
            **base,
            **values,
            "recipient": {
                "name": recipient.name,
                "address": recipient.address,
                "audience": str(recipient.audience),
            },
        }
        # Render now so a template or context error fails the event, not the send.
        render_notice(kind, full_context, timezone=settings.timezone)
        rows.append(
            {
                "key": key,
                "kind": kind,
                "season_label": season,
                "county_code": county_code,
                "enterprise_id": enterprise_id,
                "recipient_name": recipient.name[:128],
                "recipient_address": recipient.address[:254],
                "template": spec.template,
                "context": full_context,
                "message_id": message_id_for(key, settings),
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": due,
                "created_at": due,
            }
        )
    if rows:
        _insert_ignoring_duplicates(session, rows)
        logger.info(
            "queued %d %s notice(s) for season %s county %s enterprise %s",
            len(rows),
            kind,
            season,
            county_code,
            enterprise_id,
        )

    for gap in missing:
        _queue_missing(
            session,
            spec,
            season,
            county_code,
            enterprise_id,
            event_key,
            gap,
            settings,
            due,
        )

    if not keyed:
        return []
    return list(
        session.scalars(
            select(Notice).where(Notice.key.in_(list(keyed))).order_by(Notice.id)
        ).all()
    )


def _queue_missing(
    session: Session,
    spec: NoticeKind,
    season: str,
    county: str | None,
    enterprise_id: int | None,
    event_key: str,
    gap: MissingRecipient,
    settings: Settings,
    now: datetime,
) -> None:
    """Tell the operators that an audience of a notice has no address."""
    logger.warning(
        "notice %s season %s county %s enterprise %s: no address for %s: %s",
        spec.name,
        season,
        county,
        enterprise_id,
        gap.audience,
        gap.what,
    )
    if spec.name == "recipient_missing" or Audience.OPERATORS in spec.audiences:
        return  # no one else to tell, so the warning above is the only report
    queue_notice(
        session,
        kind="recipient_missing",
        season=season,
        county=county,
        enterprise_id=enterprise_id,
        event_key=f"{spec.name}:{event_key}:{gap.audience}",
        context={
            "notice_kind": spec.name,
            "audience": str(gap.audience),
            "what": gap.what,
            "fix": gap.fix,
        },
        settings=settings,
        now=now,
    )
