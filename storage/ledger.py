"""The audit ledger: append-only, hash-chained, written in the caller's transaction.

Each entry's hash covers the previous entry's hash and its own fields, so editing,
deleting, inserting or reordering an entry breaks the chain. Each entry also
carries the hash of the record it describes; `verify` recomputes those hashes from
the stored rows, so a score sheet, decision or publication edited behind the
ledger's back is found too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from storage.base import Base, utcnow
from storage.hashing import canonical_json, content_hash
from storage.models import (
    Adjustment,
    Correction,
    CreditRecord,
    Enterprise,
    Escalation,
    FollowUp,
    LedgerEntry,
    Objection,
    Publication,
    RectificationOrder,
    ScoreSheet,
    Submission,
)

GENESIS_HASH = "0" * 64

# Tables whose every change goes through `record`, keyed by the ledger's entity name.
# `verify` checks each row of these against its latest ledger entry.
AUDITED: dict[str, type[Base]] = {
    "score_sheet": ScoreSheet,
    "adjustment": Adjustment,
    "correction": Correction,
    "objection": Objection,
    "escalation": Escalation,
    "publication": Publication,
    "credit_record": CreditRecord,
    "rectification_order": RectificationOrder,
    "follow_up": FollowUp,
    "submission": Submission,
    "enterprise": Enterprise,
}
_ENTITY_OF = {model: name for name, model in AUDITED.items()}

# An advisory-lock key that serialises ledger appends on PostgreSQL.
_PG_LEDGER_LOCK = 0x48454154  # "HEAT"


def row_hash(obj: Base) -> str:
    """Hash every mapped column of `obj`, so any stored change shows."""
    mapper = inspect(obj).mapper
    values: dict[str, Any] = {}
    for column in mapper.column_attrs:
        values[column.key] = getattr(obj, column.key)
    return content_hash(values)


def _entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = prev_hash + canonical_json(fields)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _entry_fields(
    seq: int,
    recorded_at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    record_hash: str,
    detail: str,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "recorded_at": recorded_at.isoformat(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "record_hash": record_hash,
        "detail": detail,
    }


def record(
    session: Session, obj: Base, *, actor: str, action: str, detail: str = ""
) -> LedgerEntry:
    """Append an entry describing `obj` as it is now, in the caller's transaction.

    Call it after every insert or update of an audited row. The row is flushed
    and read back first, so the hash covers the values as stored (decimals at the
    column's scale, timestamps in UTC), which is what `verify` reads later.
    """
    entity = _ENTITY_OF.get(type(obj))
    if entity is None:
        raise TypeError(f"{type(obj).__name__} is not an audited table")
    session.flush()
    session.refresh(obj)
    entity_id = str(inspect(obj).identity[0])
    return append(
        session,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        record_hash=row_hash(obj),
        detail=detail,
    )


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    record_hash: str,
    detail: str = "",
) -> LedgerEntry:
    """Append one entry after the current tail of the chain."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LEDGER_LOCK}
        )
    tail = session.execute(
        select(LedgerEntry.seq, LedgerEntry.entry_hash)
        .order_by(LedgerEntry.seq.desc())
        .limit(1)
    ).first()
    seq = 1 if tail is None else tail.seq + 1
    prev_hash = GENESIS_HASH if tail is None else tail.entry_hash
    # Microseconds survive both backends, so the hash can be recomputed on read.
    recorded_at = utcnow()
    fields = _entry_fields(
        seq, recorded_at, actor, action, entity, entity_id, record_hash, detail
    )
    entry = LedgerEntry(
        seq=seq,
        recorded_at=recorded_at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        record_hash=record_hash,
        detail=detail,
        prev_hash=prev_hash,
        entry_hash=_entry_hash(prev_hash, fields),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass
class LedgerReport:
    """The outcome of `verify`: the first chain break and every mismatching record."""

    entries: int = 0
    chain_problem: str | None = None
    record_problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """True when the chain is whole and every audited record matches it."""
        return self.chain_problem is None and not self.record_problems


def _chain_problem(entries: list[LedgerEntry]) -> str | None:
    by_hash = {e.entry_hash: e for e in entries}
    prev_hash = GENESIS_HASH
    prev_seq = 0
    for entry in entries:
        fields = _entry_fields(
            entry.seq,
            entry.recorded_at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.record_hash,
            entry.detail,
        )
        if _entry_hash(entry.prev_hash, fields) != entry.entry_hash:
            return (
                f"entry {entry.seq} was edited: its content no longer matches its hash"
            )
        if entry.prev_hash != prev_hash:
            if entry.seq != prev_seq + 1:
                missing = (
                    f"{prev_seq + 1}"
                    if entry.seq == prev_seq + 2
                    else (f"{prev_seq + 1}..{entry.seq - 1}")
                )
                return (
                    f"entry {missing} was deleted: entry {entry.seq} follows {prev_seq}"
                )
            if entry.prev_hash in by_hash:
                return (
                    f"entry {entry.seq} was reordered: it chains to entry "
                    f"{by_hash[entry.prev_hash].seq}, not to entry {prev_seq}"
                )
            return (
                f"entry {entry.seq} was inserted: it chains to no entry of the ledger"
            )
        if entry.seq != prev_seq + 1:
            return f"entry {entry.seq} was renumbered: expected {prev_seq + 1}"
        prev_hash = entry.entry_hash
        prev_seq = entry.seq
    return None


def verify(session: Session) -> LedgerReport:
    """Check the chain and every audited record against its latest ledger entry."""
    entries = list(session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)))
    report = LedgerReport(entries=len(entries))
    report.chain_problem = _chain_problem(entries)

    latest: dict[tuple[str, str], LedgerEntry] = {}
    for entry in entries:
        latest[(entry.entity, entry.entity_id)] = entry
    for entity, model in AUDITED.items():
        key_column = inspect(model).primary_key[0]
        for obj in session.scalars(select(model).order_by(key_column)):
            entity_id = str(inspect(obj).identity[0])
            entry = latest.pop((entity, entity_id), None)
            if entry is None:
                report.record_problems.append(
                    f"{entity} {entity_id} has no ledger entry"
                )
            elif row_hash(obj) != entry.record_hash:
                report.record_problems.append(
                    f"{entity} {entity_id} no longer matches ledger entry {entry.seq}"
                )
    for (entity, entity_id), entry in sorted(latest.items(), key=lambda kv: kv[1].seq):
        if entity in AUDITED:
            report.record_problems.append(
                f"{entity} {entity_id} named by ledger entry {entry.seq} is missing"
            )
    return report


def entry_count(session: Session) -> int:
    """Return how many entries the ledger holds."""
    return session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
