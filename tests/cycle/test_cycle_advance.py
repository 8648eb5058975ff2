"""The daily cycle flow: which stages are due, and how often a day runs them."""

from __future__ import annotations

from datetime import date

from cycle.stages import StageFlow
from tests.cycle.support import (
    INTAKE_CLOSED,
    INTAKE_OPENS,
    PACKAGES_ARRIVE,
    ROUND1_OPENS,
    SEASON,
    SEASON_END,
    advance,
)

EMPTY_COUNTY = "150403"  # 元宝山区: no enterprise registered in the fixture


def _due(season, flow: StageFlow, today: date) -> list[str]:
    from cycle.advance import due_counties
    from cycle.setup import get_season

    with season.session() as session:
        return due_counties(session, get_season(session, SEASON), flow, today)


def test_nothing_due_before_season_ends(season):
    summary = advance(SEASON_END)

    assert summary["ran"] == []
    assert summary["failed"] == {}


def test_intake_due_where_season_ended(season):
    due = _due(season, StageFlow.OPEN_INTAKE, INTAKE_OPENS)

    # Every county but 150421, whose season was extended to 20 April.
    assert len(due) == 11
    assert "150421" not in due


def test_one_day_runs_consecutive_stages(season):
    advance(INTAKE_OPENS)
    for key in season.keys:
        season.deliver(key, PACKAGES_ARRIVE)

    summary = advance(INTAKE_CLOSED)

    ran = summary["ran"]
    assert (
        ran.index("intake-sweep") < ran.index("evidence-checks") < ran.index("scoring")
    )
    assert season.cycle_stage() == "scored"


def _score_everyone(season) -> None:
    advance(INTAKE_OPENS)
    for key in season.keys:
        season.deliver(key, PACKAGES_ARRIVE)
    advance(INTAKE_CLOSED)


def test_empty_county_not_due_after_run(season):
    _score_everyone(season)

    summary = advance(ROUND1_OPENS)

    assert summary["ran"].count("open-publicity") == 1
    assert EMPTY_COUNTY not in _due(season, StageFlow.OPEN_PUBLICITY, ROUND1_OPENS)


def test_empty_county_reports_to_city(season):
    from cycle.setup import get_cycle, get_season

    _score_everyone(season)

    advance(ROUND1_OPENS)

    with season.session() as session:
        cycle = get_cycle(session, get_season(session, SEASON), EMPTY_COUNTY)
        assert (cycle.stage, cycle.reported_on) == ("city_review", ROUND1_OPENS)


def test_due_stages_agree_with_each_flow(season):
    from cycle.advance import ORDER, anything_due, due_stages
    from cycle.setup import get_season

    advance(INTAKE_OPENS)
    for key in season.keys:
        season.deliver(key, PACKAGES_ARRIVE)
    for today in (SEASON_END, INTAKE_OPENS, INTAKE_CLOSED):
        expected = {
            flow: counties for flow in ORDER if (counties := _due(season, flow, today))
        }
        with season.session() as session:
            season_row = get_season(session, SEASON)
            due = due_stages(session, season_row, today)
            any_due = anything_due(session, season_row, today)
        assert due == expected
        assert any_due == bool(expected)
    assert StageFlow.INTAKE_SWEEP in due
