"""The synthetic season itself: valid credit codes, one grade per enterprise, dates."""

from __future__ import annotations

from stdnum.cn import uscc

from tests.cycle.support import (
    CODES,
    COUNTY,
    INTAKE_DEADLINE,
    REPORT_DUE,
    SEASON,
    expected_sheet,
)


def test_credit_codes_valid():
    for code in CODES.values():
        assert uscc.is_valid(code), code


def test_credit_codes_name_county():
    for code in CODES.values():
        assert code[2:8] == COUNTY


def test_figures_give_their_grades():
    for key in "ABCD":
        assert expected_sheet(key).grade == key


def test_season_dates_of_county(season):
    from cycle.setup import get_cycle, get_season

    with season.session() as session:
        cycle = get_cycle(session, get_season(session, SEASON), COUNTY)
        assert cycle.stage == "not_opened"
        assert cycle.intake_deadline == INTAKE_DEADLINE
        assert cycle.report_due == REPORT_DUE
