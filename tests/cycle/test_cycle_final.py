"""Final publication: the credit archive, follow-up by grade, notices, refusals.

The city confirms on 1 June 2026 and the county publishes the same day. A
grade-D order is then due 60 days later, on Friday 31 July. A grade-C order is
due 90 days later, and because 30 August is a Sunday that is 31 August.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from cycle.errors import CycleError, StageIncompleteError
from cycle.stages import StageFlow
from tests.cycle.support import (
    COUNTY,
    SEASON,
    city_review,
    credit_code,
    drive_to_city_review,
    drive_to_follow_up,
    expected_sheet,
    run_stage,
)

PUBLISHED_ON = date(2026, 6, 1)
BUREAU = "heating@hongshan.chifeng.example.cn"


def _by_key(season, rows: dict[int, object]) -> dict[str, object]:
    keys = {enterprise_id: key for key, enterprise_id in season.ids.items()}
    return {keys[enterprise_id]: value for enterprise_id, value in rows.items()}


def test_credit_records_for_all(four_grades):
    from storage.models import CreditRecord

    drive_to_follow_up(four_grades, PUBLISHED_ON)

    with four_grades.session() as session:
        records = session.scalars(select(CreditRecord)).all()
        finals = _by_key(four_grades, {r.enterprise_id: r.final for r in records})
        grades = _by_key(four_grades, {r.enterprise_id: r.grade for r in records})
        dates = {r.published_on for r in records}
    assert finals == {key: expected_sheet(key).final for key in "ABCD"}
    assert grades == {"A": "A", "B": "B", "C": "C", "D": "D"}
    assert dates == {PUBLISHED_ON}


def test_published_county_in_follow_up(four_grades):
    drive_to_follow_up(four_grades, PUBLISHED_ON)

    assert four_grades.cycle_stage() == "follow_up"


def test_follow_ups_by_grade(four_grades):
    from storage.models import FollowUp

    drive_to_follow_up(four_grades, PUBLISHED_ON)

    with four_grades.session() as session:
        kinds: dict[int, list[str]] = {}
        for row in session.scalars(select(FollowUp).order_by(FollowUp.kind)):
            kinds.setdefault(row.enterprise_id, []).append(row.kind)
    assert _by_key(four_grades, kinds) == {
        "A": ["priority_support"],
        "B": ["closer_supervision"],
        "C": ["warning"],
        "D": ["key_supervision"],
    }


def test_rectification_orders_for_c_and_d(four_grades):
    from storage.models import RectificationOrder

    drive_to_follow_up(four_grades, PUBLISHED_ON)

    with four_grades.session() as session:
        orders = {
            o.enterprise_id: (o.grade, o.issued_on, o.deadline, o.status)
            for o in session.scalars(select(RectificationOrder))
        }
    assert _by_key(four_grades, orders) == {
        "C": ("C", PUBLISHED_ON, date(2026, 8, 31), "open"),
        "D": ("D", PUBLISHED_ON, date(2026, 7, 31), "open"),
    }


def test_final_result_notices(four_grades):
    drive_to_follow_up(four_grades, PUBLISHED_ON)

    notices = four_grades.notices("final_result")
    follow_ups = {n.recipient_address: n.context["follow_ups"] for n in notices}
    assert follow_ups == {
        "a@enterprise.example.cn": ["priority_support"],
        "b@enterprise.example.cn": ["closer_supervision"],
        "c@enterprise.example.cn": ["warning"],
        "d@enterprise.example.cn": ["key_supervision"],
    }


def test_final_result_names_deadline(four_grades):
    drive_to_follow_up(four_grades, PUBLISHED_ON)

    deadlines = {
        n.recipient_address: n.context["rectification_deadline"]
        for n in four_grades.notices("final_result")
    }
    assert deadlines == {
        "a@enterprise.example.cn": None,
        "b@enterprise.example.cn": None,
        "c@enterprise.example.cn": "2026-08-31",
        "d@enterprise.example.cn": "2026-07-31",
    }


def test_rectification_order_notices(four_grades):
    drive_to_follow_up(four_grades, PUBLISHED_ON)

    assert four_grades.sent_to("rectification_order") == {
        "c@enterprise.example.cn": 1,
        "d@enterprise.example.cn": 1,
        BUREAU: 2,
    }


def test_rerun_publication_changes_nothing(four_grades):
    from storage.models import CreditRecord, LedgerEntry

    drive_to_follow_up(four_grades, PUBLISHED_ON)
    notices = len(four_grades.notices())
    with four_grades.session() as session:
        entries = len(session.scalars(select(LedgerEntry.seq)).all())

    run_stage(StageFlow.FINAL_PUBLICATION, date(2026, 6, 2))

    with four_grades.session() as session:
        assert len(session.scalars(select(CreditRecord.id)).all()) == 4
        assert len(session.scalars(select(LedgerEntry.seq)).all()) == entries
    assert len(four_grades.notices()) == notices
    assert four_grades.cycle_stage() == "follow_up"


def test_publish_step_rerun_adds_nothing(four_grades):
    from storage.models import CreditRecord, FollowUp, RectificationOrder
    from tasks import steps
    from tasks.runtime import direct_mode, run_step

    drive_to_follow_up(four_grades, PUBLISHED_ON)
    notices = len(four_grades.notices())

    with direct_mode():
        opened = [
            run_step(steps.publish_enterprise, SEASON, COUNTY, code, date(2026, 6, 2))
            for code in four_grades.codes.values()
        ]

    assert opened == [[], [], [], []]
    with four_grades.session() as session:
        assert len(session.scalars(select(CreditRecord.id)).all()) == 4
        assert len(session.scalars(select(FollowUp.id)).all()) == 4
        assert len(session.scalars(select(RectificationOrder.id)).all()) == 2
    assert len(four_grades.notices()) == notices


def _register_late_enterprise(season) -> str:
    from cycle.setup import register_enterprise

    code = credit_code("91150402MA0N00009")
    with season.session() as session:
        register_enterprise(
            session,
            credit_code=code,
            name="红山区新登记热力有限公司",
            county=COUNTY,
            type="heating",
            contact_email="new@enterprise.example.cn",
        )
    return code


def test_publishing_unscored_enterprise_rejected(season):
    from cycle.final import publish_enterprise
    from cycle.objections import find_enterprise
    from cycle.setup import get_season

    drive_to_city_review(season)
    code = _register_late_enterprise(season)

    with season.session() as session:
        enterprise = find_enterprise(session, code)
        with pytest.raises(CycleError, match=code):
            publish_enterprise(
                session, get_season(session, SEASON), enterprise, PUBLISHED_ON
            )


def test_final_stage_names_unscored_enterprise(season):
    drive_to_city_review(season)
    city_review("confirm", PUBLISHED_ON)
    run_stage(StageFlow.CITY_REVIEW, PUBLISHED_ON)
    code = _register_late_enterprise(season)

    with pytest.raises(StageIncompleteError, match=code):
        run_stage(StageFlow.FINAL_PUBLICATION, PUBLISHED_ON)


def test_unscored_enterprise_blocks_county(season):
    from storage.models import CreditRecord

    drive_to_city_review(season)
    city_review("confirm", PUBLISHED_ON)
    run_stage(StageFlow.CITY_REVIEW, PUBLISHED_ON)
    _register_late_enterprise(season)

    with pytest.raises(StageIncompleteError):
        run_stage(StageFlow.FINAL_PUBLICATION, PUBLISHED_ON)

    with season.session() as session:
        published = session.scalars(select(CreditRecord.enterprise_id)).all()
    assert sorted(published) == sorted(season.ids.values())
    assert season.cycle_stage() == "confirmed"


def test_unscored_enterprise_reported_to_operators(season):
    drive_to_city_review(season)
    city_review("confirm", PUBLISHED_ON)
    run_stage(StageFlow.CITY_REVIEW, PUBLISHED_ON)
    code = _register_late_enterprise(season)

    with pytest.raises(StageIncompleteError):
        run_stage(StageFlow.FINAL_PUBLICATION, PUBLISHED_ON)

    failures = season.notices("run_failed")
    assert [n.recipient_address for n in failures] == ["ops@chifeng.example.cn"]
    assert code in failures[0].context["error"]
