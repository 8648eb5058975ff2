"""Audit ledger: the chain, record hashes, and each kind of tampering named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from heateval.cli import app
from storage import ledger
from storage.db import make_engine
from storage.migrate import upgrade_database
from storage.models import Enterprise, LedgerEntry, Person, ScoreSheet, Season


@pytest.fixture
def engine(db_url: str) -> Engine:
    engine = make_engine(db_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


def _sheets(engine: Engine, count: int) -> None:
    """Store `count` score sheet versions, each with its ledger entry.

    The sheets' entries are 1 to `count`; the enterprise's entry comes last.
    """
    with Session(engine) as session, session.begin():
        season = Season(
            label="2025-2026",
            default_start=date(2025, 10, 15),
            default_end=date(2026, 4, 15),
            rulebook_version="r" * 64,
        )
        enterprise = Enterprise(
            credit_code="91150402MA0N000001",
            name="红山热力",
            county_code="150402",
            type="heating",
        )
        session.add_all([season, enterprise])
        session.flush()
        for version in range(1, count + 1):
            sheet = ScoreSheet(
                enterprise_id=enterprise.id,
                season_id=season.id,
                version=version,
                reason="initial",
                rulebook_version="r" * 64,
                input_hash="i" * 64,
                base=Decimal("85.00"),
                bonus=Decimal("2.00"),
                deductions=Decimal("0.00"),
                final=Decimal("87.00") + version,
                grade="B",
                colour="blue",
                categories={"C1": "10.00"},
                lines=[{"rule": "C1.1"}],
                content_hash="c" * 64,
            )
            session.add(sheet)
            ledger.record(
                session, sheet, actor="committee:张伟", action="score_sheet.created"
            )
        ledger.record(session, enterprise, actor="t", action="enterprise.registered")


def _verify(engine: Engine) -> ledger.LedgerReport:
    with Session(engine) as session:
        return ledger.verify(session)


def test_intact_ledger_verifies(engine: Engine) -> None:
    _sheets(engine, 3)
    report = _verify(engine)
    assert report.entries == 4
    assert report.chain_problem is None
    assert report.record_problems == []


def test_entries_chain_to_previous_hash(engine: Engine) -> None:
    _sheets(engine, 2)
    with Session(engine) as session:
        first, second, *_ = session.scalars(
            select(LedgerEntry).order_by(LedgerEntry.seq)
        )
    assert first.prev_hash == ledger.GENESIS_HASH
    assert second.prev_hash == first.entry_hash


def test_edited_entry_named(engine: Engine) -> None:
    _sheets(engine, 3)
    with Session(engine) as session, session.begin():
        session.execute(
            update(LedgerEntry).where(LedgerEntry.seq == 2).values(actor="x")
        )
    assert _verify(engine).chain_problem == (
        "entry 2 was edited: its content no longer matches its hash"
    )


def test_deleted_entry_named(engine: Engine) -> None:
    _sheets(engine, 4)
    with Session(engine) as session, session.begin():
        session.execute(text("DELETE FROM ledger WHERE seq = 2"))
    report = _verify(engine)
    assert report.chain_problem == "entry 2 was deleted: entry 3 follows 1"
    assert "score_sheet 2 has no ledger entry" in report.record_problems


def test_inserted_entry_named(engine: Engine) -> None:
    _sheets(engine, 3)
    with Session(engine) as session, session.begin():
        # Make room at seq 2, then forge an entry that hashes correctly on its own.
        for seq in (4, 3, 2):
            session.execute(
                update(LedgerEntry).where(LedgerEntry.seq == seq).values(seq=seq + 1)
            )
    with Session(engine) as session, session.begin():
        forged = ledger.append(
            session,
            actor="intruder",
            action="score_sheet.created",
            entity="note",
            entity_id="1",
            record_hash="f" * 64,
        )
        session.execute(
            update(LedgerEntry).where(LedgerEntry.seq == forged.seq).values(seq=2)
        )
    report = _verify(engine)
    assert report.chain_problem is not None
    assert report.chain_problem.startswith("entry 2 was")


def test_reordered_entries_named(engine: Engine) -> None:
    _sheets(engine, 3)
    with Session(engine) as session, session.begin():
        session.execute(update(LedgerEntry).where(LedgerEntry.seq == 2).values(seq=-2))
        session.execute(update(LedgerEntry).where(LedgerEntry.seq == 3).values(seq=2))
        session.execute(update(LedgerEntry).where(LedgerEntry.seq == -2).values(seq=3))
    # The swapped entries still hash on their own, but their seq is part of the hash.
    assert _verify(engine).chain_problem == (
        "entry 2 was edited: its content no longer matches its hash"
    )


def test_edited_score_sheet_named(engine: Engine) -> None:
    _sheets(engine, 2)
    with Session(engine) as session, session.begin():
        # Tamper below the ORM, as someone with database access would.
        session.execute(text("UPDATE score_sheets SET final = 9999 WHERE id = 2"))
    report = _verify(engine)
    assert report.chain_problem is None
    assert report.record_problems == ["score_sheet 2 no longer matches ledger entry 2"]


def test_unrecorded_score_sheet_named(engine: Engine) -> None:
    _sheets(engine, 1)
    with Session(engine) as session, session.begin():
        session.execute(text("DELETE FROM ledger"))
    assert _verify(engine).record_problems == [
        "score_sheet 1 has no ledger entry",
        "enterprise 1 has no ledger entry",
    ]


def test_deleted_score_sheet_named(engine: Engine) -> None:
    _sheets(engine, 2)
    with Session(engine) as session, session.begin():
        session.execute(text("DELETE FROM score_sheets WHERE id = 2"))
    assert _verify(engine).record_problems == [
        "score_sheet 2 named by ledger entry 2 is missing"
    ]


def test_unaudited_model_rejected(engine: Engine) -> None:
    with Session(engine) as session:
        person = Person(name="于磊文", role="committee", county_code="150402")
        session.add(person)
        with pytest.raises(TypeError, match="not an audited table"):
            ledger.record(session, person, actor="a", action="b")


def test_cli_verify_exit_codes(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heateval.settings import reset_settings

    monkeypatch.setenv("HEATEVAL_DATABASE_URL", sqlite_url)
    reset_settings()
    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    _sheets(engine, 2)
    runner = CliRunner()

    intact = runner.invoke(app, ["ledger", "verify"])
    assert intact.exit_code == 0
    assert "ledger intact: 3 entries" in intact.output

    with Session(engine) as session, session.begin():
        session.execute(
            update(LedgerEntry).where(LedgerEntry.seq == 1).values(detail="x")
        )
    broken = runner.invoke(app, ["ledger", "verify"])
    assert broken.exit_code == 1
    assert "entry 1 was edited" in broken.output


def test_record_hashes_values_as_stored(engine: Engine) -> None:
    from datetime import datetime, timedelta, timezone

    _sheets(engine, 1)
    with Session(engine) as session, session.begin():
        sheet = session.get(ScoreSheet, 1)
        # Written as 87.5 and in +08:00; stored as 87.50 and in UTC.
        sheet.final = Decimal("87.5")
        sheet.created_at = datetime(
            2026, 5, 16, 10, 30, tzinfo=timezone(timedelta(hours=8))
        )
        ledger.record(session, sheet, actor="committee:张伟", action="score_sheet.edit")
    report = _verify(engine)
    assert report.record_problems == []
    assert report.chain_problem is None


def test_concurrent_appends_keep_one_chain(db_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from storage.db import make_engine as fresh_engine

    engine = fresh_engine(db_url)
    upgrade_database(engine)

    def append_five(worker: int) -> None:
        for n in range(5):
            with Session(engine) as session, session.begin():
                ledger.append(
                    session,
                    actor=f"worker{worker}",
                    action="test.append",
                    entity="note",
                    entity_id=f"{worker}-{n}",
                    record_hash="0" * 64,
                )

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(append_five, range(4)))
    report = _verify(engine)
    engine.dispose()
    assert report.entries == 20
    assert report.chain_problem is None
