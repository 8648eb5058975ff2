"""Each catalogue kind, queued as the cycle would, lands in the capture folder once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

from notice_support import COUNTY, SAMPLES, SEASON
from sqlalchemy import select

from heateval.settings import Settings
from notifications.capture import CaptureServer
from notifications.catalog import CATALOG, Scope
from notifications.drain import drain_outbox
from notifications.outbox import queue_notice
from storage.models import Notice, Objection, Season

NOW = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)


def queue_every_kind(db) -> None:
    """Queue one notice event of each kind, in one transaction per event."""
    for kind, spec in CATALOG.items():
        with db.factory() as session, session.begin():
            queue_notice(
                session,
                kind=kind,
                season=SEASON,
                county=None if spec.scope is Scope.SEASON else COUNTY,
                enterprise_id=db.plain_id if spec.scope is Scope.ENTERPRISE else None,
                event_key="e1" if spec.repeatable else "",
                context=SAMPLES[kind],
                now=NOW,
            )


def add_objection(db) -> None:
    with db.factory() as session, session.begin():
        season = Season(
            label=SEASON,
            default_start=date(2025, 10, 15),
            default_end=date(2026, 4, 15),
            rulebook_version="test",
        )
        session.add(season)
        session.flush()
        session.add(
            Objection(
                reference="OBJ-1",
                season_id=season.id,
                county_code=COUNTY,
                enterprise_id=db.plain_id,
                kind="objection",
                filed_by="热用户 孙七",
                contact="sun@residents.example.cn",
                grounds="室温不达标",
                filed_on=date(2026, 6, 3),
            )
        )


def kinds_in(folder: Path) -> Counter:
    parser = BytesParser(policy=policy.default)
    return Counter(
        parser.parsebytes(path.read_bytes())["X-Heateval-Notice"]
        for path in folder.glob("*.eml")
    )


def test_every_kind_in_capture_folder_once(db, tmp_path: Path):
    add_objection(db)
    folder = tmp_path / "mail"
    with CaptureServer(folder) as server:
        settings = Settings(smtp_port=server.port, smtp_security="plain")
        queue_every_kind(db)
        first = drain_outbox(db.factory, settings, now=NOW)
        queue_every_kind(db)  # every stage re-run
        second = drain_outbox(db.factory, settings, now=NOW + timedelta(days=1))

    with db.factory() as session:
        expected = Counter(session.scalars(select(Notice.kind)))
    assert set(expected) == set(CATALOG)
    assert first.failed == 0
    assert first.deferred == 0
    assert second.attempted == 0
    assert kinds_in(folder) == expected
    assert expected["objection_verdict"] == 3  # enterprise, committee, objector
    assert expected["publicity_opened"] == 3  # county bureau, committee, city bureau
    assert expected["results_reported"] == 4  # three departments and the city bureau
