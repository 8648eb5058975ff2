"""The county's report to the city, the 15 June watch, and the city's review."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.cycle.support import (
    COUNTY,
    REPORT_DUE,
    ROUND1_CLOSES,
    THREE,
    adjust,
    advance,
    advance_when_due,
    city_review,
    decide_objection,
    drive_to_city_review,
    drive_to_publicity,
    expected_sheet,
    file_objection,
    season_at,
)

CITY = {"zjj@chifeng.example.cn", "reviewer@city.example.cn"}
BUREAU = "heating@hongshan.chifeng.example.cn"
COMMITTEE_MAIL = {"committee1@hongshan.example.cn", "committee2@hongshan.example.cn"}
REPORTED_ON = date(2026, 5, 29)
RETURNED_ON = date(2026, 6, 1)
RESCORED_ON = date(2026, 6, 6)  # five review days after the return
ROUND2_CLOSES = date(2026, 6, 15)  # 6 June + 7 is Saturday 13 June
SECOND_REPORT = date(2026, 6, 16)


def _escalations(season) -> list[tuple[int, date, str, list[str]]]:
    """The fixture county's reports to the city, oldest first."""
    from storage.models import Cycle, Escalation

    with season.session() as session:
        rows = session.scalars(
            select(Escalation)
            .join(Cycle, Cycle.id == Escalation.cycle_id)
            .where(Cycle.county_code == COUNTY)
            .order_by(Escalation.attempt)
        )
        return [
            (e.attempt, e.submitted_on, e.status, e.returned_enterprises) for e in rows
        ]


def test_county_reports_after_publicity(season):
    drive_to_publicity(season)

    advance(REPORTED_ON)

    assert _escalations(season) == [(1, REPORTED_ON, "submitted", [])]
    assert season.cycle_stage() == "city_review"


def test_county_reported_notice_to_city(season):
    drive_to_publicity(season)

    advance(REPORTED_ON)

    assert season.sent_to("county_reported") == {
        "zjj@chifeng.example.cn": 1,
        "reviewer@city.example.cn": 1,
        BUREAU: 1,
    }


def test_work_summary_counts_grades(season):
    from storage.models import Cycle, Escalation

    drive_to_publicity(season)
    advance(REPORTED_ON)

    with season.session() as session:
        summary = session.scalar(
            select(Escalation.summary)
            .join(Cycle, Cycle.id == Escalation.cycle_id)
            .where(Cycle.county_code == COUNTY)
        )
    assert "A级1家，B级0家，C级1家，D级1家" in summary


def test_no_report_while_window_open(season):
    drive_to_publicity(season)

    advance(ROUND1_CLOSES)

    assert _escalations(season) == []
    assert season.cycle_stage() == "publicity"


@pytest.fixture(scope="module")
def held(tmp_path_factory, templates):
    """An objection open from 23 May to 1 July keeps the report back past 15 June.

    Every day from 29 May to 14 July on which a stage is due here runs the cycle
    flow; the county reports on 1 July, after the objection is rejected.
    """
    from notifications.capture import CaptureServer

    folder = tmp_path_factory.mktemp("held")
    with (
        CaptureServer(folder / "mail") as server,
        season_at(folder, templates[THREE], THREE, server.port) as season,
    ):
        drive_to_publicity(season)
        reference = file_objection("A", date(2026, 5, 23))["reference"]
        advance_when_due(REPORTED_ON, date(2026, 6, 30))
        decide_objection(reference, "rejected", date(2026, 7, 1))
        advance_when_due(date(2026, 7, 1), date(2026, 7, 14))
    return season


def test_reminders_before_report_due(held):
    reminders = held.notices("county_report_due")

    assert [n.recipient_address for n in reminders] == [BUREAU, BUREAU]
    assert [n.context["days_left"] for n in reminders] == [7, 1]
    assert {n.context["report_due"] for n in reminders} == {REPORT_DUE.isoformat()}


def test_overdue_notices_weekly_after_due(held):
    overdue = held.notices("county_report_overdue")

    # 16, 23 and 30 June: 1, 8 and 15 days overdue, to the bureau and the city.
    assert sorted({n.context["days_overdue"] for n in overdue}) == [1, 8, 15]
    assert held.sent_to("county_report_overdue") == {
        BUREAU: 3,
        "zjj@chifeng.example.cn": 3,
        "reviewer@city.example.cn": 3,
    }


def test_late_report_stops_overdue_notices(held):
    # The 7 July notice (22 days overdue) is not sent: the county reported on 1 July.
    assert _escalations(held) == [(1, date(2026, 7, 1), "submitted", [])]
    assert len(held.notices("county_report_overdue")) == 9


def test_reported_county_gets_no_reminder(season):
    drive_to_city_review(season)

    advance_when_due(REPORTED_ON, date(2026, 6, 30))

    assert season.notices("county_report_due") == []
    assert season.notices("county_report_overdue") == []


def _return_a_and_c(season) -> None:
    """Report on 29 May. The city returns A and C on 1 June, then C is adjusted."""
    drive_to_city_review(season)
    city_review(
        "return", RETURNED_ON, reasons="室温数据与投诉记录不符", keys=("A", "C")
    )
    advance(RETURNED_ON)
    adjust("C", "C6.1", "0")


def test_return_names_enterprises(season):
    _return_a_and_c(season)

    assert _escalations(season) == [
        (1, REPORTED_ON, "returned", sorted([season.codes["A"], season.codes["C"]]))
    ]
    assert season.cycle_stage() == "returned"


def test_county_returned_notice(season):
    _return_a_and_c(season)

    notices = season.notices("county_returned")
    assert {n.recipient_address for n in notices} == {BUREAU} | COMMITTEE_MAIL
    assert len(notices) == 3
    returned = notices[0].context["returned_enterprises"]
    assert [e["credit_code"] for e in returned] == [
        season.codes["A"],
        season.codes["C"],
    ]
    assert notices[0].context["reasons"] == "室温数据与投诉记录不符"


def test_returned_rescored_after_review(season):
    _return_a_and_c(season)

    advance_when_due(date(2026, 6, 2), date(2026, 6, 5))
    assert [s.version for s in season.sheets("C")] == [1]

    advance_when_due(RESCORED_ON, RESCORED_ON)
    sheets = season.sheets("C")
    assert [(s.version, s.reason) for s in sheets] == [(1, "initial"), (2, "returned")]
    assert sheets[1].final == expected_sheet("C", (("C6.1", "0"),)).final


def test_unchanged_returned_enterprise_keeps_version(season):
    _return_a_and_c(season)

    advance_when_due(date(2026, 6, 2), RESCORED_ON)

    assert [s.version for s in season.sheets("A")] == [1]
    assert [s.version for s in season.sheets("D")] == [1]


def test_changed_result_publicised_again(season):
    from storage.models import PublicityEntry, PublicityWindow

    _return_a_and_c(season)

    advance_when_due(date(2026, 6, 2), RESCORED_ON)

    with season.session() as session:
        window = session.scalar(
            select(PublicityWindow).where(PublicityWindow.round == 2)
        )
        shown = session.scalars(
            select(PublicityEntry.enterprise_id).where(
                PublicityEntry.window_id == window.id
            )
        ).all()
        assert (window.opens_on, window.closes_on) == (RESCORED_ON, ROUND2_CLOSES)
        assert window.cause == "returned"
    assert shown == [season.ids["C"]]
    assert season.sent_to("republicity_opened") == {
        "c@enterprise.example.cn": 1,
        BUREAU: 1,
    }


def test_second_report_after_round_two(season):
    _return_a_and_c(season)

    advance_when_due(date(2026, 6, 2), SECOND_REPORT)

    assert [e[:3] for e in _escalations(season)] == [
        (1, REPORTED_ON, "returned"),
        (2, SECOND_REPORT, "submitted"),
    ]
    assert season.cycle_stage() == "city_review"
    assert len(season.notices("county_reported")) == 6


def test_confirmation_publishes_final_results(season):
    from storage.models import CreditRecord

    _return_a_and_c(season)
    advance_when_due(date(2026, 6, 2), SECOND_REPORT)

    city_review("confirm", date(2026, 6, 17))
    advance(date(2026, 6, 17))

    with season.session() as session:
        finals = dict(
            session.execute(
                select(CreditRecord.enterprise_id, CreditRecord.final)
            ).all()
        )
    assert finals == {
        season.ids["A"]: expected_sheet("A").final,
        season.ids["C"]: expected_sheet("C", (("C6.1", "0"),)).final,
        season.ids["D"]: expected_sheet("D").final,
    }
    assert season.cycle_stage() == "follow_up"
    assert _escalations(season)[-1][2] == "confirmed"


def test_confirmation_date_kept(season):
    from cycle.setup import get_cycle, get_season

    drive_to_city_review(season)
    city_review("confirm", date(2026, 6, 3))

    advance(date(2026, 6, 4))

    with season.session() as session:
        cycle = get_cycle(session, get_season(session, "2025-2026"), COUNTY)
        assert cycle.confirmed_on == date(2026, 6, 3)
        assert cycle.published_on == date(2026, 6, 4)


def test_confirmation_remarks_cleaned(season):
    from storage.models import Escalation

    drive_to_city_review(season)

    city_review("confirm", date(2026, 6, 3), reasons="核对无误\u202e\x1b[31m\x07")

    with season.session() as session:
        escalation = session.scalars(select(Escalation)).one()
        assert escalation.reasons == "核对无误[31m"


def test_confirmation_remarks_limited(season):
    from cycle.errors import CycleError

    drive_to_city_review(season)

    with pytest.raises(CycleError, match="the limit is 2000"):
        city_review("confirm", date(2026, 6, 3), reasons="长" * 2001)

    assert season.cycle_stage() == "city_review"


def test_review_dated_before_report_refused(season):
    from cycle.errors import CycleError

    drive_to_city_review(season)

    with pytest.raises(CycleError, match="before county 150402 reported"):
        city_review("confirm", date(2026, 5, 1))

    assert season.cycle_stage() == "city_review"
