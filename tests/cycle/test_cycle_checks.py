"""The evidence-checks stage: every registered enterprise needs a verified package."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from cycle.errors import StageIncompleteError
from cycle.stages import StageFlow
from tests.cycle.support import (
    CODES,
    COUNTY,
    INTAKE_CLOSED,
    INTAKE_OPENS,
    NAMES,
    PACKAGES_ARRIVE,
    SEASON,
    local_noon,
    run_stage,
)


def _close_intake_without_d(season) -> None:
    """A and C send unverified packages, D sends nothing, and intake closes."""
    run_stage(StageFlow.OPEN_INTAKE, INTAKE_OPENS)
    season.deliver("A", PACKAGES_ARRIVE, verified=False)
    season.deliver("C", PACKAGES_ARRIVE, verified=False)
    run_stage(StageFlow.INTAKE_SWEEP, INTAKE_CLOSED)


def _verified(season) -> dict[str, bool]:
    from storage.models import Submission

    with season.session() as session:
        rows = session.execute(
            select(Submission.owner_key, Submission.verified_at)
        ).all()
    return {code: verified_at is not None for code, verified_at in rows}


def test_missing_package_fails_checks(season):
    _close_intake_without_d(season)

    with pytest.raises(StageIncompleteError, match=CODES["D"]) as raised:
        run_stage(StageFlow.EVIDENCE_CHECKS, INTAKE_CLOSED)

    assert raised.value.problems == [f"{CODES['D']}: no accepted package yet"]


def test_checks_verify_others_despite_missing(season):
    _close_intake_without_d(season)

    with pytest.raises(StageIncompleteError):
        run_stage(StageFlow.EVIDENCE_CHECKS, INTAKE_CLOSED)

    assert _verified(season) == {CODES["A"]: True, CODES["C"]: True}


def test_missing_package_reported_to_operators(season):
    _close_intake_without_d(season)

    with pytest.raises(StageIncompleteError):
        run_stage(StageFlow.EVIDENCE_CHECKS, INTAKE_CLOSED)

    failures = season.notices("run_failed")
    assert [n.recipient_address for n in failures] == ["ops@chifeng.example.cn"]
    assert failures[0].context["stage"] == "evidence-checks"
    assert CODES["D"] in failures[0].context["error"]


def test_checks_wait_for_missing_package(season):
    _close_intake_without_d(season)

    for day in (INTAKE_CLOSED, date(2026, 5, 17)):
        with pytest.raises(StageIncompleteError):
            run_stage(StageFlow.EVIDENCE_CHECKS, day)

    assert season.cycle_stage() == "checking"


def test_late_package_moves_county_to_scoring(season):
    _close_intake_without_d(season)
    with pytest.raises(StageIncompleteError):
        run_stage(StageFlow.EVIDENCE_CHECKS, INTAKE_CLOSED)

    season.deliver("D", date(2026, 5, 18), verified=False)
    run_stage(StageFlow.EVIDENCE_CHECKS, date(2026, 5, 18))

    assert season.cycle_stage() == "scoring"
    assert _verified(season)[CODES["D"]] is True


def test_package_without_later_records_not_rechecked(season):
    from storage.models import LedgerEntry, Submission

    _close_intake_without_d(season)
    season.deliver("D", date(2026, 5, 14), verified=False)

    run_stage(StageFlow.EVIDENCE_CHECKS, INTAKE_CLOSED)

    with season.session() as session:
        checked = set(session.scalars(select(Submission.checked_at)))
        verified = session.scalars(
            select(LedgerEntry.action).where(
                LedgerEntry.action == "submission.verified"
            )
        ).all()
    # A re-check would have stamped checked_at with the time it ran.
    assert checked == {local_noon(PACKAGES_ARRIVE), local_noon(date(2026, 5, 14))}
    assert len(verified) == 3


def test_late_package_marked_late(season):
    from storage.models import Submission

    _close_intake_without_d(season)
    season.deliver("D", date(2026, 5, 18))

    with season.session() as session:
        rows = session.execute(select(Submission.owner_key, Submission.late)).all()
    late = dict(rows)
    assert late == {CODES["A"]: False, CODES["C"]: False, CODES["D"]: True}


def test_checks_rerun_in_scoring_changes_nothing(season):
    _close_intake_without_d(season)
    season.deliver("D", date(2026, 5, 17), verified=False)
    run_stage(StageFlow.EVIDENCE_CHECKS, date(2026, 5, 17))

    run_stage(StageFlow.EVIDENCE_CHECKS, date(2026, 5, 18))

    assert season.cycle_stage() == "scoring"


def _send_real_package(tmp_path, key: str, day: date) -> None:
    from cycle.receive import receive_package
    from tests.intake.builders import build_enterprise_package

    root = build_enterprise_package(
        tmp_path / f"package-{key}",
        identity={
            "统一社会信用代码": CODES[key],
            "企业名称": NAMES[key],
            "电子邮箱": f"{key.lower()}@enterprise.example.cn",
        },
    )
    outcome = receive_package(root, season=SEASON, received_at=local_noon(day))
    assert outcome.accepted, outcome.defects


@pytest.mark.slow
def test_checks_recheck_shared_evidence(season, tmp_path):
    """A and C send packages with the same evidence files; C's arrives second."""
    from tasks import steps
    from tasks.runtime import direct_mode, run_step

    run_stage(StageFlow.OPEN_INTAKE, INTAKE_OPENS)
    _send_real_package(tmp_path, "A", PACKAGES_ARRIVE)
    _send_real_package(tmp_path, "C", date(2026, 5, 3))
    season.deliver("D", date(2026, 5, 4), verified=False)
    run_stage(StageFlow.INTAKE_SWEEP, INTAKE_CLOSED)

    with direct_mode():
        reports = {
            key: run_step(
                steps.check_enterprise, SEASON, COUNTY, CODES[key], INTAKE_CLOSED
            )
            for key in ("A", "C")
        }

    assert reports["A"]["rechecked"] == [
        "another enterprise later sent the same evidence file"
    ]
    assert reports["C"]["rechecked"] == []
    assert _verified(season) == {CODES[k]: k != "D" for k in "ACD"}


@pytest.mark.slow
def test_checks_verify_received_packages(season, tmp_path):
    run_stage(StageFlow.OPEN_INTAKE, INTAKE_OPENS)
    _send_real_package(tmp_path, "A", PACKAGES_ARRIVE)
    _send_real_package(tmp_path, "C", date(2026, 5, 3))
    run_stage(StageFlow.INTAKE_SWEEP, INTAKE_CLOSED)

    with pytest.raises(StageIncompleteError, match=CODES["D"]):
        run_stage(StageFlow.EVIDENCE_CHECKS, INTAKE_CLOSED)

    assert _verified(season) == {CODES["A"]: True, CODES["C"]: True}
    assert season.cycle_stage() == "checking"
