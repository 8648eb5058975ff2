"""Rectification orders after publication: reminders, checks, failure measures.

The county publishes on 1 June 2026. D's order is due 31 July (reminders 14 and 3
days before: 17 and 28 July); C's order is due 31 August (17 and 28 August).
Past a deadline the order stays open, and the bureau and the committee are
asked weekly for the check. Only a recorded check fails an order.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cycle.stages import StageFlow
from tests.cycle.support import (
    COUNTY,
    SEASON,
    THREE,
    advance_when_due,
    check_rectification,
    drive_to_follow_up,
    run_stage,
    season_at,
)

PUBLISHED_ON = date(2026, 6, 1)
D_DEADLINE = date(2026, 7, 31)
C_RECTIFIED_ON = date(2026, 7, 10)
D_FAILED_ON = date(2026, 8, 17)
BUREAU = "heating@hongshan.chifeng.example.cn"
COMMITTEE_MAIL = ("committee1@hongshan.example.cn", "committee2@hongshan.example.cn")
CITY = ("zjj@chifeng.example.cn", "reviewer@city.example.cn")


@pytest.fixture(scope="module")
def followed(tmp_path_factory, templates):
    """C rectifies on 10 July; D's check, recorded on 17 August, finds it failed.

    The cycle flow runs on every day a stage is due here, to 10 September.
    """
    from notifications.capture import CaptureServer

    folder = tmp_path_factory.mktemp("followed")
    with (
        CaptureServer(folder / "mail") as server,
        season_at(folder, templates[THREE], THREE, server.port) as season,
    ):
        drive_to_follow_up(season, PUBLISHED_ON)
        advance_when_due(date(2026, 6, 2), C_RECTIFIED_ON)
        check_rectification("C", "rectified", C_RECTIFIED_ON)
        season.facts["ran"] = advance_when_due(
            C_RECTIFIED_ON, D_FAILED_ON - timedelta(days=1)
        )
        check_rectification("D", "failed", D_FAILED_ON)
        season.facts["ran"] += advance_when_due(D_FAILED_ON, date(2026, 9, 10))
    return season


def _orders(season) -> dict[str, tuple[str, date | None]]:
    from storage.models import RectificationOrder

    keys = {enterprise_id: key for key, enterprise_id in season.ids.items()}
    with season.session() as session:
        return {
            keys[o.enterprise_id]: (o.status, o.checked_on)
            for o in session.scalars(select(RectificationOrder))
        }


def _follow_ups(season, key: str) -> list[str]:
    from storage.models import FollowUp

    with season.session() as session:
        return list(
            session.scalars(
                select(FollowUp.kind)
                .where(FollowUp.enterprise_id == season.ids[key])
                .order_by(FollowUp.id)
            )
        )


def test_reminders_to_open_order(followed):
    reminders = followed.notices("rectification_reminder")

    assert [n.recipient_address for n in reminders] == [
        "d@enterprise.example.cn",
        "d@enterprise.example.cn",
    ]
    assert [n.context["days_left"] for n in reminders] == [14, 3]


def test_check_requested_weekly_after_deadline(followed):
    requests = followed.notices("rectification_check_due")

    # 1, 8 and 15 August: 1, 8 and 15 days past 31 July.
    assert sorted({n.context["days_overdue"] for n in requests}) == [1, 8, 15]
    assert {n.enterprise_id for n in requests} == {followed.ids["D"]}
    assert followed.sent_to("rectification_check_due") == {
        BUREAU: 3,
        COMMITTEE_MAIL[0]: 3,
        COMMITTEE_MAIL[1]: 3,
    }


def test_cycle_ran_on_reminder_and_check_days(followed):
    assert followed.facts["ran"] == [
        date(2026, 7, 17),
        date(2026, 7, 28),
        date(2026, 8, 1),
        date(2026, 8, 8),
        date(2026, 8, 15),
        D_FAILED_ON,
    ]


def test_failed_check_fails_d(followed):
    assert _orders(followed)["D"] == ("failed", D_FAILED_ON)


def test_failed_d_revocation_and_takeover(followed):
    assert _follow_ups(followed, "D") == [
        "key_supervision",
        "licence_revocation",
        "emergency_takeover",
    ]


def test_failure_notice_lists_measures(followed):
    notices = [
        n
        for n in followed.notices("rectification_outcome")
        if n.enterprise_id == followed.ids["D"]
    ]

    assert sorted(n.recipient_address for n in notices) == sorted(
        ["d@enterprise.example.cn", BUREAU, *CITY]
    )
    assert {n.context["outcome"] for n in notices} == {"failed"}
    for notice in notices:
        assert notice.context["measures"] == [
            "licence_revocation",
            "emergency_takeover",
        ]


def test_rectified_c_recorded(followed):
    assert _orders(followed)["C"] == ("rectified", C_RECTIFIED_ON)


def test_rectified_c_not_revoked(followed):
    assert _follow_ups(followed, "C") == ["warning"]


def test_rectified_notice_without_measures(followed):
    notices = [
        n
        for n in followed.notices("rectification_outcome")
        if n.enterprise_id == followed.ids["C"]
    ]

    assert len(notices) == 4
    assert {n.context["outcome"] for n in notices} == {"rectified"}
    assert {n.context["measures"] for n in notices} == {None}


def test_cycle_closed_when_orders_done(followed):
    assert followed.cycle_stage() == "closed"


def test_overdue_order_stays_open(season):
    drive_to_follow_up(season, PUBLISHED_ON)

    run_stage(StageFlow.RECTIFICATION, date(2026, 8, 1))

    assert _orders(season)["D"] == ("open", None)
    assert _follow_ups(season, "D") == ["key_supervision"]
    assert season.notices("rectification_outcome") == []
    assert season.cycle_stage() == "follow_up"


def test_open_on_deadline_day(season):
    from tasks import steps
    from tasks.runtime import direct_mode, run_step

    drive_to_follow_up(season, PUBLISHED_ON)

    with direct_mode():
        run_step(steps.follow_up_orders, SEASON, COUNTY, D_DEADLINE)

    assert _orders(season)["D"] == ("open", None)
    assert season.notices("rectification_check_due") == []
    assert season.cycle_stage() == "follow_up"


def test_c_reminded_before_its_deadline(season):
    drive_to_follow_up(season, PUBLISHED_ON)

    run_stage(StageFlow.RECTIFICATION, date(2026, 8, 17))

    reminders = season.notices("rectification_reminder")
    assert [(n.recipient_address, n.context["days_left"]) for n in reminders] == [
        ("c@enterprise.example.cn", 14)
    ]


def test_check_needs_committee_member(season):
    from cycle.errors import NotAuthorisedError

    drive_to_follow_up(season, PUBLISHED_ON)

    with pytest.raises(NotAuthorisedError):
        check_rectification("C", "rectified", C_RECTIFIED_ON, member="赵复核")

    assert _orders(season)["C"] == ("open", None)


def test_check_dated_before_order_refused(season):
    from cycle.errors import CycleError

    drive_to_follow_up(season, PUBLISHED_ON)

    with pytest.raises(CycleError, match="before the rectification order"):
        check_rectification("C", "rectified", date(1990, 1, 1))

    assert _orders(season)["C"] == ("open", None)


def test_stage_still_due_runs_once_a_day(season):
    # The follow-up stage stays due while an order is open; the cycle runs it
    # once, not once per pass.
    from tests.cycle.support import advance

    drive_to_follow_up(season, PUBLISHED_ON)

    summary = advance(D_DEADLINE + timedelta(days=1))

    assert summary["ran"].count(StageFlow.RECTIFICATION.value) == 1
