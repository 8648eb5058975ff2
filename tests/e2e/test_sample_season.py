"""End to end: the whole 2025-2026 sample season, as the demo plays it.

The cycle runs with its steps called directly (the Prefect path of the same steps
is covered by the cycle tests and the benchmark). One run serves every test of
the module; each test checks one stage's outcome against the scenario.
"""

from __future__ import annotations

import email
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from email import policy
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from heateval.settings import SAMPLES_DIR

pytestmark = pytest.mark.slow

SCENARIO = yaml.safe_load(
    (SAMPLES_DIR / "2025-2026" / "scenario.yaml").read_text("utf-8")
)
TABLES = (
    "submissions",
    "score_sheets",
    "adjustments",
    "corrections",
    "objections",
    "publicity_windows",
    "publicity_entries",
    "escalations",
    "publications",
    "credit_records",
    "rectification_orders",
    "follow_ups",
    "notices",
    "ledger",
)


class SeasonRun:
    """The finished demo run: its result, database URL and mail folder."""

    def __init__(self, result, url: str, mail: Path) -> None:
        self.result = result
        self.url = url
        self.mail = mail


def _roles(role: str) -> list[dict]:
    return [e for e in SCENARIO["enterprises"] if role in e["roles"]]


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def season_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeasonRun]:
    """The whole season on SQLite, then again on PostgreSQL.

    PostgreSQL enforces column lengths and types that SQLite lets pass, so the
    production database gets the whole story too.
    """
    with ExitStack() as stack:
        url = None
        if request.param == "postgres":
            from tests.conftest import fresh_pg_database

            url = stack.enter_context(fresh_pg_database(request))
        yield from _season_run(tmp_path_factory, url)


def _season_run(
    tmp_path_factory: pytest.TempPathFactory, url: str | None
) -> Iterator[SeasonRun]:
    from cycle.demo import reset_home, run_demo
    from heateval.settings import get_settings, reset_settings
    from notifications.capture import CaptureServer
    from storage.db import dispose_engines

    home = tmp_path_factory.mktemp("season")
    variables = ("HEATEVAL_HOME", "HEATEVAL_SMTP_PORT", "HEATEVAL_DATABASE_URL")
    saved = {k: os.environ.get(k) for k in variables}
    os.environ["HEATEVAL_HOME"] = str(home)
    if url is not None:
        os.environ["HEATEVAL_DATABASE_URL"] = url
    reset_settings()
    settings = get_settings()
    reset_home(settings)
    capture = CaptureServer(settings.capture_dir, host="127.0.0.1", port=0)
    os.environ["HEATEVAL_SMTP_PORT"] = str(capture.start())
    reset_settings()
    try:
        result = run_demo(
            lambda line: None, direct=True, settings=get_settings(), reset=False
        )
        yield SeasonRun(result, get_settings().db_url, settings.capture_dir)
    finally:
        capture.stop()
        dispose_engines()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_settings()


def _session(run: SeasonRun):
    from storage.db import session_scope

    return session_scope(run.url)


def test_every_scripted_event_applied(season_run: SeasonRun) -> None:
    expected = sorted(e["id"] for e in SCENARIO["events"])
    assert [e for e in season_run.result.events_done if e.startswith("E")] == expected


def test_every_enterprise_published_with_intended_grade(season_run: SeasonRun) -> None:
    from storage.models import CreditRecord, Enterprise

    with _session(season_run) as session:
        grades = dict(
            session.execute(
                select(Enterprise.credit_code, CreditRecord.grade).join(
                    CreditRecord, CreditRecord.enterprise_id == Enterprise.id
                )
            ).all()
        )
    intended = {e["credit_code"]: e["intended_grade"] for e in SCENARIO["enterprises"]}
    assert len(grades) == 60
    assert grades == intended


def test_grade_counts_match_scenario(season_run: SeasonRun) -> None:
    counts = Counter()
    for grades in season_run.result.grades.values():
        counts.update(grades)
    assert dict(counts) == SCENARIO["expected_grades"]


def test_late_packages_marked_late(season_run: SeasonRun) -> None:
    from storage.models import Submission

    # Stored versions count accepted packages only, so enterprises are compared.
    expected = sorted(
        e["credit_code"]
        for e in SCENARIO["enterprises"]
        if any(p["late"] and p["expect"] == "accepted" for p in e["packages"])
    )
    with _session(season_run) as session:
        late = sorted(
            session.scalars(
                select(Submission.owner_key).where(
                    Submission.source == "enterprise", Submission.late.is_(True)
                )
            )
        )
    assert len(expected) == 3
    assert late == expected


def test_defective_packages_stored_nothing(season_run: SeasonRun) -> None:
    from storage.models import Submission

    rejected = sum(
        p["expect"] == "rejected"
        for e in SCENARIO["enterprises"]
        for p in e["packages"]
    )
    accepted = sum(
        p["expect"] == "accepted"
        for e in SCENARIO["enterprises"]
        for p in e["packages"]
    )
    with _session(season_run) as session:
        stored = session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.source == "enterprise")
        )
    assert rejected == 7
    assert stored == accepted


def test_objections_and_appeal_decided(season_run: SeasonRun) -> None:
    from storage.models import Objection

    with _session(season_run) as session:
        outcomes = Counter(
            (kind, status)
            for kind, status in session.execute(
                select(Objection.kind, Objection.status)
            )
        )
    assert outcomes == Counter(
        {
            ("objection", "upheld"): 1,
            ("objection", "rejected"): 1,
            ("objection", "late"): 1,
            ("appeal", "upheld"): 1,
        }
    )


def test_upheld_results_rescored_and_publicised_again(season_run: SeasonRun) -> None:
    from storage.models import Enterprise, PublicityEntry, PublicityWindow, ScoreSheet

    changed = [
        e["credit_code"] for e in _roles("objection_upheld") + _roles("appeal_upheld")
    ]
    with _session(season_run) as session:
        for code in changed:
            reasons = session.scalars(
                select(ScoreSheet.reason)
                .join(Enterprise, Enterprise.id == ScoreSheet.enterprise_id)
                .where(Enterprise.credit_code == code)
                .order_by(ScoreSheet.version)
            ).all()
            rounds = session.scalars(
                select(PublicityWindow.round)
                .join(PublicityEntry, PublicityEntry.window_id == PublicityWindow.id)
                .join(Enterprise, Enterprise.id == PublicityEntry.enterprise_id)
                .where(Enterprise.credit_code == code)
                .order_by(PublicityWindow.round)
            ).all()
            assert reasons[-1] in ("objection", "appeal")
            assert rounds == [1, 2]


def test_returned_county_reported_twice(season_run: SeasonRun) -> None:
    from storage.models import Cycle, Escalation

    returned = {
        e["county"] for e in SCENARIO["events"] if e.get("status") == "returned"
    }
    with _session(season_run) as session:
        attempts = Counter()
        statuses = {}
        for county, attempt, status in session.execute(
            select(Cycle.county_code, Escalation.attempt, Escalation.status).join(
                Escalation, Escalation.cycle_id == Cycle.id
            )
        ):
            attempts[county] += 1
            statuses[(county, attempt)] = status
    assert len(returned) == 1
    county = returned.pop()
    assert attempts[county] == 2
    assert statuses[(county, 1)] == "returned"
    assert statuses[(county, 2)] == "confirmed"
    assert all(n == 1 for code, n in attempts.items() if code != county)


def test_follow_up_by_grade(season_run: SeasonRun) -> None:
    from storage.models import Enterprise, FollowUp, RectificationOrder

    failed = _roles("not_rectified")[0]["credit_code"]
    rectified = _roles("rectified")[0]["credit_code"]
    with _session(season_run) as session:
        kinds = Counter(session.scalars(select(FollowUp.kind)))
        revoked = session.scalars(
            select(Enterprise.credit_code)
            .join(FollowUp, FollowUp.enterprise_id == Enterprise.id)
            .where(FollowUp.kind == "licence_revocation")
        ).all()
        orders = dict(
            session.execute(
                select(Enterprise.credit_code, RectificationOrder.status).join(
                    RectificationOrder,
                    RectificationOrder.enterprise_id == Enterprise.id,
                )
            ).all()
        )
    grades = SCENARIO["expected_grades"]
    assert kinds["priority_support"] == grades["A"]
    assert kinds["closer_supervision"] == grades["B"]
    assert kinds["warning"] == grades["C"]
    assert kinds["key_supervision"] == grades["D"]
    assert revoked == [failed]
    assert kinds["emergency_takeover"] == 1
    assert len(orders) == grades["C"] + grades["D"]
    assert orders[failed] == "failed"
    assert orders[rectified] == "rectified"


def test_each_notice_delivered_once(season_run: SeasonRun) -> None:
    from storage.models import Notice

    with _session(season_run) as session:
        statuses = Counter(session.scalars(select(Notice.status)))
        ids = set(session.scalars(select(Notice.message_id)))
    captured = []
    for path in sorted(season_run.mail.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        captured.append(message["Message-ID"].strip("<>"))
    assert statuses["failed"] == 0
    assert statuses["queued"] == 0
    assert len(captured) == statuses["sent"]
    assert len(set(captured)) == len(captured)
    assert {c for c in captured} <= {i.strip("<>") for i in ids}


def test_cycle_events_produce_their_notices(season_run: SeasonRun) -> None:
    from storage.models import Notice

    with _session(season_run) as session:
        kinds = set(session.scalars(select(Notice.kind)))
    expected = {
        "intake_opened",
        "intake_reminder",
        "submission_received",
        "defects_found",
        "draft_result",
        "publicity_opened",
        "objection_received",
        "objection_verdict",
        "republicity_opened",
        "appeal_reply",
        "county_report_due",
        "county_reported",
        "county_returned",
        "final_result",
        "results_reported",
        "rectification_order",
        "rectification_reminder",
        "rectification_outcome",
        "run_failed",
    }
    assert expected - kinds == set()


def test_ledger_intact(season_run: SeasonRun) -> None:
    from storage.ledger import verify

    with _session(season_run) as session:
        report = verify(session)
    assert report.chain_problem is None
    assert report.record_problems == []


def test_every_county_finished(season_run: SeasonRun) -> None:
    from cycle.status import season_status

    with _session(season_run) as session:
        stages = {row.county: row.stage for row in season_status(session, "2025-2026")}
    assert len(stages) == 12
    assert set(stages.values()) <= {"follow_up", "closed"}


def test_rerunning_every_stage_changes_nothing(season_run: SeasonRun) -> None:
    from sqlalchemy import text

    from cycle.stages import StageFlow
    from flows.stages import STAGE_FLOWS
    from storage.db import get_engine
    from tasks.runtime import direct_mode

    def counts() -> dict[str, int]:
        with get_engine(season_run.url).connect() as connection:
            return {
                table: connection.execute(
                    text(f"SELECT COUNT(*) FROM {table}")
                ).scalar()
                for table in TABLES
            }

    before = counts()
    last_day = date(2026, 10, 31)
    os.environ["HEATEVAL_DATABASE_URL"] = season_run.url
    try:
        from heateval.settings import reset_settings

        reset_settings()
        with direct_mode():
            for stage in StageFlow:
                if stage in (StageFlow.RECTIFICATION, StageFlow.ESCALATION):
                    continue  # their reminders are due by date; covered in tests/cycle
                for county in sorted(SCENARIO["counties"]):
                    STAGE_FLOWS[stage].fn(
                        season="2025-2026", county=county, today=last_day
                    )
    finally:
        os.environ.pop("HEATEVAL_DATABASE_URL", None)
        reset_settings()
    assert counts() == before
