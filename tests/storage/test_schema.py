"""Storage: migrations, counties, UTC timestamps and exact decimals on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

import storage.models  # noqa: F401
from storage.base import Base
from storage.db import make_engine
from storage.migrate import upgrade_database
from storage.models import County, Enterprise, LedgerEntry, ScoreSheet, Season

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def engine(db_url: str) -> Engine:
    engine = make_engine(db_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


def _season(session: Session) -> Season:
    season = Season(
        label="2025-2026",
        default_start=datetime(2025, 10, 15).date(),
        default_end=datetime(2026, 4, 15).date(),
        rulebook_version="r" * 64,
    )
    session.add(season)
    session.flush()
    return season


def _enterprise(session: Session, code: str = "91150402MA0N000001") -> Enterprise:
    enterprise = Enterprise(
        credit_code=code, name="红山热力", county_code="150402", type="heating"
    )
    session.add(enterprise)
    session.flush()
    return enterprise


def _sheet(session: Session, final: Decimal, version: int = 1) -> ScoreSheet:
    sheet = ScoreSheet(
        enterprise_id=_enterprise(session).id if version == 1 else 1,
        season_id=_season(session).id if version == 1 else 1,
        version=version,
        reason="initial",
        rulebook_version="r" * 64,
        input_hash="i" * 64,
        base=final,
        bonus=Decimal("0.00"),
        deductions=Decimal("0.00"),
        final=final,
        grade="B",
        colour="blue",
        categories={},
        lines=[],
        content_hash="c" * 64,
    )
    session.add(sheet)
    session.flush()
    return sheet


def test_migrations_match_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diffs == []


def test_upgrade_loads_twelve_counties(engine: Engine) -> None:
    with Session(engine) as session:
        rows = session.execute(select(County.code, County.name))
        names = {code: name for code, name in rows}
    assert len(names) == 12
    assert names["150402"] == "红山区"
    assert names["150430"] == "敖汉旗"


def test_upgrade_twice_adds_nothing(engine: Engine) -> None:
    assert upgrade_database(engine) == 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(County)) == 12


def test_timestamp_read_back_in_utc(engine: Engine) -> None:
    local = datetime(2026, 3, 31, 8, 30, 15, 123456, tzinfo=SHANGHAI)
    with Session(engine) as session, session.begin():
        enterprise = _enterprise(session)
        enterprise.registered_at = local
    with Session(engine) as session:
        stored = session.scalar(select(Enterprise.registered_at))
    assert stored == local
    assert stored.tzinfo is UTC
    assert stored.hour == 0


def test_naive_timestamp_rejected(engine: Engine) -> None:
    with Session(engine) as session:
        enterprise = _enterprise(session)
        enterprise.registered_at = datetime(2026, 3, 31, 8, 30)
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()


def test_points_exact_and_summed_exactly(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        _sheet(session, Decimal("89.99"))
        _sheet(session, Decimal("0.01"), version=2)
    with Session(engine) as session:
        finals = list(
            session.scalars(select(ScoreSheet.final).order_by(ScoreSheet.version))
        )
        raw_sum = session.scalar(text("SELECT SUM(final) FROM score_sheets"))
    assert finals == [Decimal("89.99"), Decimal("0.01")]
    # Stored as hundredths: 8999 + 1, an exact number (PostgreSQL sums bigint
    # to numeric), with no float on the way.
    assert raw_sum == 9000
    assert not isinstance(raw_sum, float)


def test_points_with_three_places_rejected(engine: Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(StatementError, match="more than 2 decimal places"):
            _sheet(session, Decimal("89.995"))


def test_points_from_float_rejected(engine: Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(StatementError, match="expected Decimal"):
            _sheet(session, 89.5)  # type: ignore[arg-type]


def test_foreign_keys_enforced(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            Enterprise(
                credit_code="91150499MA0N000001",
                name="x",
                county_code="999999",
                type="heating",
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()


def test_no_float_columns(engine: Engine) -> None:
    inspector = inspect(engine)
    float_columns = [
        f"{table}.{column['name']}"
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if any(
            word in str(column["type"]).upper()
            for word in ("FLOAT", "REAL", "DOUBLE", "NUMERIC")
        )
    ]
    assert float_columns == []


def test_sqlite_runs_in_wal_with_busy_timeout(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        journal = connection.execute(text("PRAGMA journal_mode")).scalar()
        timeout = connection.execute(text("PRAGMA busy_timeout")).scalar()
        foreign_keys = connection.execute(text("PRAGMA foreign_keys")).scalar()
    engine.dispose()
    assert journal == "wal"
    assert timeout == 30000
    assert foreign_keys == 1


def test_ledger_table_starts_empty(engine: Engine) -> None:
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_long_decision_actions_stored(engine: Engine) -> None:
    # PostgreSQL enforces the column's length; a committee member's check of a
    # rectification is named with the enterprise's credit code.
    from cycle.people import authorise, record_rejection
    from storage.models import DecisionAttempt, Person

    with Session(engine) as session, session.begin():
        session.add(Person(name="于磊文", role="committee", county_code="150402"))
        session.flush()
        authorise(
            session,
            actor="于磊文",
            role="committee",
            county="150402",
            action="check rectification of 91150402MA0R1XLW22",
        )
        record_rejection(
            session,
            actor="某人",
            county="1504020000",
            action="correct " + "x" * 300,
            reason="unknown field",
        )
    with Session(engine) as session:
        stored = session.scalars(select(DecisionAttempt).order_by(DecisionAttempt.id))
        assert [(a.action[:23], a.county_code) for a in stored] == [
            ("check rectification of ", "150402"),
            ("correct xxxxxxxxxxxxxxx", "150402"),
        ]
