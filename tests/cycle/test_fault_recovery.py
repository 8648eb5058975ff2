"""Fault recovery: a stage that fails half-way, re-run, ends as if it never failed.

The database becomes unavailable after the first score sheet of the scoring
stage is stored. The stage ends Failed naming the enterprises it left; the admin
re-runs it the same day; the season then runs to final publication. Its end
state must equal that of the same season run without the fault: no duplicate
rows, score versions or notices.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from cycle.errors import StageIncompleteError
from cycle.stages import StageFlow
from tasks.runtime import is_transient
from tests.cycle.support import (
    INTAKE_CLOSED,
    INTAKE_OPENS,
    PACKAGES_ARRIVE,
    ROUND1_CLOSES,
    ROUND1_OPENS,
    THREE,
    build_season,
    city_review,
    run_stage,
)

CONFIRMED = date(2026, 6, 2)


class DatabaseOutage:
    """Fail every statement that writes a score sheet after the first `allowed`."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.seen = 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("INSERT INTO score_sheets"):
            return
        self.seen += 1
        if self.seen > self.allowed:
            raise OperationalError(
                statement, parameters, Exception("database unavailable")
            )


def _snapshot(url: str) -> dict[str, list]:
    """The season's business content, without ids and timestamps."""
    from storage.db import session_scope
    from storage.models import (
        CreditRecord,
        Enterprise,
        FollowUp,
        LedgerEntry,
        Notice,
        PublicityWindow,
        RectificationOrder,
        ScoreSheet,
    )

    with session_scope(url) as session:
        code = dict(
            session.execute(select(Enterprise.id, Enterprise.credit_code)).all()
        )
        return {
            "sheets": sorted(
                (
                    code[s.enterprise_id],
                    s.version,
                    s.reason,
                    str(s.final),
                    s.content_hash,
                )
                for s in session.scalars(select(ScoreSheet))
            ),
            "credit": sorted(
                (code[c.enterprise_id], c.grade, str(c.final), c.published_on)
                for c in session.scalars(select(CreditRecord))
            ),
            "windows": sorted(
                (w.round, w.opens_on, w.closes_on)
                for w in session.scalars(select(PublicityWindow))
            ),
            "orders": sorted(
                (code[o.enterprise_id], o.grade, o.deadline)
                for o in session.scalars(select(RectificationOrder))
            ),
            "follow_ups": sorted(
                (code[f.enterprise_id], f.kind)
                for f in session.scalars(select(FollowUp))
            ),
            "notices": sorted(
                n.key for n in session.scalars(select(Notice)) if n.kind != "run_failed"
            ),
            "ledger": sorted(
                (e.entity, e.action) for e in session.scalars(select(LedgerEntry))
            ),
        }


def _play(tmp_path: Path, monkeypatch, templates, smtp_port: int, outage) -> tuple:
    """Run the season to final publication; with `outage`, scoring fails once."""
    from storage.db import get_engine

    tmp_path.mkdir(parents=True, exist_ok=True)
    season = build_season(
        tmp_path,
        monkeypatch,
        template=templates[THREE],
        keys=THREE,
        smtp_port=smtp_port,
    )
    run_stage(StageFlow.OPEN_INTAKE, INTAKE_OPENS)
    for key in season.keys:
        season.deliver(key, PACKAGES_ARRIVE)
    run_stage(StageFlow.INTAKE_SWEEP, INTAKE_CLOSED)
    run_stage(StageFlow.EVIDENCE_CHECKS, INTAKE_CLOSED)

    failure = None
    if outage is not None:
        engine = get_engine(season.url)
        event.listen(engine, "before_cursor_execute", outage)
        try:
            with pytest.raises(StageIncompleteError) as raised:
                run_stage(StageFlow.SCORING, INTAKE_CLOSED)
        finally:
            event.remove(engine, "before_cursor_execute", outage)
        failure = raised.value
    # The admin's re-run of the failed stage, the same day; a no-op when clean.
    run_stage(StageFlow.SCORING, INTAKE_CLOSED)

    run_stage(StageFlow.OPEN_PUBLICITY, ROUND1_OPENS)
    closed = ROUND1_CLOSES + timedelta(days=1)
    run_stage(StageFlow.CLOSE_PUBLICITY, closed)
    run_stage(StageFlow.ESCALATION, closed)
    city_review("confirm", CONFIRMED)
    run_stage(StageFlow.CITY_REVIEW, CONFIRMED)
    run_stage(StageFlow.FINAL_PUBLICATION, CONFIRMED)
    return season, failure


def test_outage_is_transient() -> None:
    error = OperationalError("INSERT", {}, Exception("database unavailable"))
    assert is_transient(error)


def test_failed_stage_names_unprocessed(
    tmp_path, monkeypatch, templates, mail_server
) -> None:
    season, failure = _play(
        tmp_path, monkeypatch, templates, mail_server.port, DatabaseOutage(1)
    )
    left = failure.problems
    assert len(left) == 2
    assert all("database unavailable" in problem for problem in left)
    assert {p.split(":")[0] for p in left} < set(season.codes.values())


def test_rerun_ends_as_undisturbed(
    tmp_path, monkeypatch, templates, mail_server
) -> None:
    faulted, _ = _play(
        tmp_path / "faulted",
        monkeypatch,
        templates,
        mail_server.port,
        DatabaseOutage(1),
    )
    faulted_state = _snapshot(faulted.url)
    clean, _ = _play(tmp_path / "clean", monkeypatch, templates, mail_server.port, None)
    clean_state = _snapshot(clean.url)
    for part in clean_state:
        assert faulted_state[part] == clean_state[part], part


def test_failure_told_to_operators_once(
    tmp_path, monkeypatch, templates, mail_server
) -> None:
    season, _ = _play(
        tmp_path, monkeypatch, templates, mail_server.port, DatabaseOutage(1)
    )
    from storage.db import session_scope
    from storage.models import Notice

    with session_scope(season.url) as session:
        kinds = [
            n.kind
            for n in session.scalars(select(Notice).where(Notice.kind == "run_failed"))
        ]
    assert len(kinds) >= 1
    assert len(set(kinds)) == 1
