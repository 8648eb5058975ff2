"""Opening intake after the heating season, reminders before the deadline, closing."""

from __future__ import annotations

from datetime import date

from cycle.stages import StageFlow
from tests.cycle.support import (
    CODES,
    INTAKE_DEADLINE,
    SEASON_END,
    advance,
    run_stage,
)


def test_intake_closed_on_last_heating_day(season):
    run_stage(StageFlow.OPEN_INTAKE, SEASON_END, county=None)
    run_stage(StageFlow.OPEN_INTAKE, SEASON_END)

    assert season.cycle_stage() == "not_opened"
    assert season.notices() == []


def test_intake_opens_day_after_season(season):
    result = run_stage(StageFlow.OPEN_INTAKE, date(2026, 4, 16), county=None)

    assert season.cycle_stage() == "intake"
    assert "150402" in result
    # 150421 extended its season to 20 April, so it is not due yet.
    assert "150421" not in result
    assert season.sent_to("intake_opened") == {
        "a@enterprise.example.cn": 1,
        "c@enterprise.example.cn": 1,
        "d@enterprise.example.cn": 1,
    }


def test_intake_opened_notice_names_deadline(season):
    run_stage(StageFlow.OPEN_INTAKE, date(2026, 4, 16))

    for notice in season.notices("intake_opened"):
        assert notice.context["deadline"] == "2026-05-15"


def test_reopening_intake_queues_nothing(season):
    run_stage(StageFlow.OPEN_INTAKE, date(2026, 4, 16))
    before = len(season.notices())

    run_stage(StageFlow.OPEN_INTAKE, date(2026, 4, 16))
    run_stage(StageFlow.OPEN_INTAKE, date(2026, 4, 17))
    advance(date(2026, 4, 17))

    assert before == 3
    assert len(season.notices()) == 3
    assert season.cycle_stage() == "intake"


def test_reminders_go_to_enterprises_without_package(season):
    advance(date(2026, 4, 16))
    season.deliver("A", date(2026, 5, 2))

    for day in range(1, 16):
        if day == 10:  # C sends its package between the two reminders
            season.deliver("C", date(2026, 5, 10))
        advance(date(2026, 5, day))

    assert season.sent_to("intake_reminder") == {
        "c@enterprise.example.cn": 1,
        "d@enterprise.example.cn": 2,
    }


def test_reminders_on_seventh_and_last_day(season):
    advance(date(2026, 4, 16))
    season.deliver("A", date(2026, 5, 2))
    reminder_days = {}

    for day in range(1, 16):
        before = len(season.notices("intake_reminder"))
        advance(date(2026, 5, day))
        added = len(season.notices("intake_reminder")) - before
        if added:
            reminder_days[date(2026, 5, day)] = added

    # C and D have no package: one reminder each, 7 days and 1 day before 15 May.
    assert reminder_days == {date(2026, 5, 8): 2, date(2026, 5, 14): 2}


def test_reminder_says_days_left(season):
    advance(date(2026, 4, 16))

    advance(date(2026, 5, 8))
    advance(date(2026, 5, 14))

    days_left = [n.context["days_left"] for n in season.notices("intake_reminder")]
    assert sorted(days_left) == [1, 1, 1, 7, 7, 7]


def test_submitted_enterprise_gets_no_reminder(season):
    advance(date(2026, 4, 16))
    season.deliver("A", date(2026, 4, 20))

    advance(INTAKE_DEADLINE.replace(day=8))
    advance(INTAKE_DEADLINE.replace(day=14))

    assert "a@enterprise.example.cn" not in season.sent_to("intake_reminder")


def test_intake_open_on_deadline_day(season):
    advance(date(2026, 4, 16))

    advance(INTAKE_DEADLINE)

    assert season.cycle_stage() == "intake"


def test_intake_closes_day_after_deadline(season):
    advance(date(2026, 4, 16))
    result = run_stage(StageFlow.INTAKE_SWEEP, date(2026, 5, 16))

    assert season.cycle_stage() == "checking"
    assert result["150402"]["closed"] is True
    assert result["150402"]["missing"] == sorted(CODES[k] for k in "ACD")
