"""Scoring: one sheet version per result, the committee's review, then publicity."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from cycle.stages import StageFlow
from tests.cycle.support import (
    CODES,
    COUNTY,
    INTAKE_CLOSED,
    ROUND1_CLOSES,
    ROUND1_OPENS,
    SEASON,
    adjust,
    advance,
    drive_to_publicity,
    drive_to_scored,
    expected_sheet,
    run_stage,
)


def test_scoring_creates_version_one(season):
    drive_to_scored(season)

    for key in season.keys:
        sheets = season.sheets(key)
        assert [(s.version, s.reason) for s in sheets] == [(1, "initial")]


def test_scores_match_engine(season):
    drive_to_scored(season)

    for key in season.keys:
        sheet = season.sheets(key)[0]
        expected = expected_sheet(key)
        assert sheet.final == expected.final
        assert sheet.grade == expected.grade


def test_scored_county_waits_for_review(season):
    drive_to_scored(season)

    assert season.cycle_stage() == "scored"


def test_rescoring_adds_no_version(season):
    from storage.models import LedgerEntry

    drive_to_scored(season)
    with season.session() as session:
        entries = len(session.scalars(select(LedgerEntry.seq)).all())

    run_stage(StageFlow.SCORING, INTAKE_CLOSED)
    run_stage(StageFlow.SCORING, date(2026, 5, 18))
    advance(date(2026, 5, 18))

    for key in season.keys:
        assert len(season.sheets(key)) == 1
    with season.session() as session:
        assert len(session.scalars(select(LedgerEntry.seq)).all()) == entries


def test_score_step_rerun_unchanged(season):
    from tasks import steps
    from tasks.runtime import direct_mode, run_step

    drive_to_scored(season)

    with direct_mode():
        outcomes = [
            run_step(steps.score, SEASON, COUNTY, CODES[key], "initial")
            for key in season.keys
        ]

    assert [(o["version"], o["changed"]) for o in outcomes] == [(1, False)] * 3
    for key in season.keys:
        assert len(season.sheets(key)) == 1


def test_publicity_waits_for_review_days(season):
    drive_to_scored(season)

    advance(date(2026, 5, 20))
    assert season.cycle_stage() == "scored"

    advance(ROUND1_OPENS)
    assert season.cycle_stage() == "publicity"


def test_review_days_are_a_setting(season, monkeypatch):
    from heateval.settings import reset_settings

    monkeypatch.setenv("HEATEVAL_COMMITTEE_REVIEW_DAYS", "2")
    reset_settings()
    drive_to_scored(season)

    advance(date(2026, 5, 17))
    assert season.cycle_stage() == "scored"

    advance(date(2026, 5, 18))
    assert season.cycle_stage() == "publicity"


def test_named_county_publicity_waits_for_review(season):
    drive_to_scored(season)

    run_stage(StageFlow.OPEN_PUBLICITY, date(2026, 5, 18))

    assert season.cycle_stage() == "scored"


def test_publicity_step_waits_for_review(season):
    from tasks import steps
    from tasks.runtime import direct_mode, run_step

    drive_to_scored(season)

    with direct_mode():
        report = run_step(steps.open_publicity, SEASON, COUNTY, date(2026, 5, 20))

    assert report["round"] is None
    assert season.cycle_stage() == "scored"


def test_first_window_dates(season):
    from storage.models import PublicityWindow

    drive_to_scored(season)
    advance(ROUND1_OPENS)

    with season.session() as session:
        windows = session.scalars(select(PublicityWindow)).all()
        assert [(w.round, w.opens_on, w.closes_on) for w in windows] == [
            (1, ROUND1_OPENS, ROUND1_CLOSES)
        ]


def test_review_adjustment_scored_before_publicity(season):
    drive_to_scored(season)
    adjust("A", "C6.1", "0")

    advance(ROUND1_OPENS)

    sheets = season.sheets("A")
    assert [(s.version, s.reason) for s in sheets] == [(1, "initial"), (2, "committee")]
    assert sheets[1].final == expected_sheet("A", (("C6.1", "0"),)).final


def test_round_one_shows_adjusted_version(season):
    from storage.models import PublicityEntry

    drive_to_scored(season)
    adjust("A", "C6.1", "0")

    advance(ROUND1_OPENS)

    with season.session() as session:
        shown = dict(
            session.execute(
                select(PublicityEntry.enterprise_id, PublicityEntry.score_sheet_id)
            ).all()
        )
    assert shown == {season.ids[key]: season.sheets(key)[-1].id for key in season.keys}
    assert season.sheets("A")[-1].version == 2


def test_draft_result_carries_adjusted_total(season):
    drive_to_scored(season)
    adjust("A", "C6.1", "0")

    advance(ROUND1_OPENS)

    totals = {
        n.recipient_address: n.context["total"] for n in season.notices("draft_result")
    }
    assert totals == {
        "a@enterprise.example.cn": str(expected_sheet("A", (("C6.1", "0"),)).final),
        "c@enterprise.example.cn": str(expected_sheet("C").final),
        "d@enterprise.example.cn": str(expected_sheet("D").final),
    }


def test_unadjusted_results_keep_version_one(season):
    drive_to_scored(season)
    adjust("A", "C6.1", "0")

    advance(ROUND1_OPENS)

    assert [s.version for s in season.sheets("C")] == [1]
    assert [s.version for s in season.sheets("D")] == [1]


def test_adjustment_credit_code_in_ledger(season):
    from storage.models import LedgerEntry

    drive_to_scored(season)
    adjust("A", "C6.1", "0")

    with season.session() as session:
        details = session.scalars(
            select(LedgerEntry.detail).where(LedgerEntry.action == "adjustment.created")
        ).all()
    assert details == [f"{CODES['A']} C6.1=0"]


def test_package_after_checks_not_scored(season):
    drive_to_scored(season)
    season.deliver("A", date(2026, 5, 18), verified=False, figures_of="D")

    advance(ROUND1_OPENS)

    assert [s.version for s in season.sheets("A")] == [1]
    assert season.sheets("A")[0].final == expected_sheet("A").final


def test_adjustment_during_publicity_rejected(season):
    from cycle.errors import CycleError
    from storage.models import Adjustment

    drive_to_publicity(season)

    with pytest.raises(CycleError):
        adjust("A", "C6.1", "0")

    with season.session() as session:
        assert session.scalars(select(Adjustment.id)).all() == []
