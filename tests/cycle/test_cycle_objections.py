"""Objections and appeals during publicity: filing, verdicts, re-scoring, round 2.

Round 1 is open from 21 to 28 May 2026; the cycle flow closes it on 29 May.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cycle.errors import NotAuthorisedError
from tests.cycle.support import (
    COUNTY,
    ROUND1_CLOSES,
    ROUND1_OPENS,
    THREE,
    advance,
    decide_objection,
    drive_to_publicity,
    expected_sheet,
    file_objection,
    season_at,
)

OBJECTOR = "zhang@resident.example.cn"
CLOSE_DAY = date(2026, 5, 29)
VERDICT_DAY = date(2026, 6, 1)


def _objection(season, reference: str):
    from storage.models import Objection

    with season.session() as session:
        return session.scalar(select(Objection).where(Objection.reference == reference))


def _windows(season) -> list[tuple[int, date, date, list[int]]]:
    from storage.models import PublicityEntry, PublicityWindow

    with season.session() as session:
        rows = []
        for window in session.scalars(
            select(PublicityWindow).order_by(PublicityWindow.round)
        ):
            shown = session.scalars(
                select(PublicityEntry.enterprise_id)
                .where(PublicityEntry.window_id == window.id)
                .order_by(PublicityEntry.enterprise_id)
            ).all()
            rows.append((window.round, window.opens_on, window.closes_on, list(shown)))
        return rows


def _round_one_id(season) -> int:
    from storage.models import PublicityWindow

    with season.session() as session:
        return session.scalar(
            select(PublicityWindow.id).where(PublicityWindow.round == 1)
        )


def test_objection_in_window_open(season):
    drive_to_publicity(season)

    summary = file_objection("A", date(2026, 5, 23))

    assert summary["status"] == "open"
    assert _objection(season, summary["reference"]).window_id == _round_one_id(season)


def test_objection_on_last_day_in_window(season):
    drive_to_publicity(season)

    summary = file_objection("A", ROUND1_CLOSES)

    assert summary["status"] == "open"


def test_objection_received_notices(season):
    drive_to_publicity(season)

    file_objection("A", date(2026, 5, 23))

    assert season.sent_to("objection_received") == {
        "a@enterprise.example.cn": 1,
        "committee1@hongshan.example.cn": 1,
        "committee2@hongshan.example.cn": 1,
    }


def test_same_objection_filed_twice_kept_once(season):
    drive_to_publicity(season)

    first = file_objection("A", date(2026, 5, 23))
    second = file_objection("A", date(2026, 5, 23))

    assert second["reference"] == first["reference"]
    assert len(season.notices("objection_received")) == 3


def test_objection_after_window_late(season):
    drive_to_publicity(season)

    summary = file_objection("A", CLOSE_DAY)

    objection = _objection(season, summary["reference"])
    assert summary["status"] == "late"
    assert objection.window_id is None
    assert objection.decided_on == CLOSE_DAY


def test_late_objection_answered_at_once(season):
    drive_to_publicity(season)

    file_objection("A", CLOSE_DAY)

    verdicts = season.notices("objection_verdict")
    assert sorted(n.recipient_address for n in verdicts) == [
        "a@enterprise.example.cn",
        "committee1@hongshan.example.cn",
        "committee2@hongshan.example.cn",
        OBJECTOR,
    ]
    assert {n.context["verdict"] for n in verdicts} == {"late"}


def test_late_objection_blocks_nothing(season):
    drive_to_publicity(season)
    file_objection("A", CLOSE_DAY)

    advance(CLOSE_DAY)

    assert season.cycle_stage() == "city_review"


def test_other_county_member_refused(season):
    from cycle.setup import register_person

    drive_to_publicity(season)
    with season.session() as session:
        register_person(session, name="孙委员", role="committee", county="150404")
    reference = file_objection("A", date(2026, 5, 23))["reference"]

    with pytest.raises(NotAuthorisedError, match="孙委员"):
        decide_objection(reference, "upheld", date(2026, 5, 25), member="孙委员")

    assert _objection(season, reference).status == "open"


def test_refused_attempt_kept(season):
    from cycle.setup import register_person
    from storage.models import DecisionAttempt

    drive_to_publicity(season)
    with season.session() as session:
        register_person(session, name="孙委员", role="committee", county="150404")
    reference = file_objection("A", date(2026, 5, 23))["reference"]

    with pytest.raises(NotAuthorisedError):
        decide_objection(reference, "rejected", date(2026, 5, 25), member="孙委员")

    with season.session() as session:
        attempts = session.scalars(select(DecisionAttempt)).all()
        assert [(a.actor_name, a.county_code, a.accepted) for a in attempts] == [
            ("孙委员", COUNTY, False)
        ]


def _uphold_after_close(season, kind: str, filed_by: str) -> None:
    """File on 23 May, let the window close on 29 May, uphold C6.1=0 on 1 June."""
    drive_to_publicity(season)
    summary = file_objection("A", date(2026, 5, 23), kind=kind, filed_by=filed_by)
    season.facts["reference"] = summary["reference"]
    advance(CLOSE_DAY)
    season.facts["stage_after_close"] = season.cycle_stage()
    decide_objection(summary["reference"], "upheld", VERDICT_DAY, changes=("C6.1=0",))
    advance(VERDICT_DAY)


def _played(tmp_path_factory, templates, kind: str, filed_by: str):
    from notifications.capture import CaptureServer

    folder = tmp_path_factory.mktemp(kind)
    with (
        CaptureServer(folder / "mail") as server,
        season_at(folder, templates[THREE], THREE, server.port) as season,
    ):
        _uphold_after_close(season, kind, filed_by)
    return season


@pytest.fixture(scope="module")
def upheld(tmp_path_factory, templates):
    """A resident's objection to A, upheld on 1 June after round 1 closed."""
    return _played(tmp_path_factory, templates, "objection", "热用户张某")


@pytest.fixture(scope="module")
def appeal_upheld(tmp_path_factory, templates):
    """A's own appeal, upheld on 1 June after round 1 closed."""
    return _played(tmp_path_factory, templates, "appeal", "红山区第一热力有限公司")


def test_open_objection_keeps_county_waiting(upheld):
    assert upheld.facts["stage_after_close"] == "objections"


def test_upheld_objection_adds_version(upheld):
    sheets = upheld.sheets("A")
    assert [(s.version, s.reason) for s in sheets] == [(1, "initial"), (2, "objection")]
    assert sheets[1].final == expected_sheet("A", (("C6.1", "0"),)).final
    assert sheets[0].final == expected_sheet("A").final
    objection = _objection(upheld, upheld.facts["reference"])
    assert objection.rescored_sheet_id == sheets[1].id


def test_upheld_objection_opens_round_two(upheld):
    assert _windows(upheld) == [
        (1, ROUND1_OPENS, ROUND1_CLOSES, sorted(upheld.ids.values())),
        # 1 June + 7 days is Monday 8 June, a working day.
        (2, VERDICT_DAY, date(2026, 6, 8), [upheld.ids["A"]]),
    ]
    assert upheld.cycle_stage() == "publicity"


def test_upheld_verdict_notice_carries_new_total(upheld):
    verdicts = upheld.notices("objection_verdict")
    new_total = str(expected_sheet("A", (("C6.1", "0"),)).final)
    assert len(verdicts) == 4
    assert {n.context["verdict"] for n in verdicts} == {"upheld"}
    assert {n.context["new_total"] for n in verdicts} == {new_total}


def test_republicity_notice_to_changed_enterprise(upheld):
    notices = upheld.notices("republicity_opened")
    assert sorted(n.recipient_address for n in notices) == [
        "a@enterprise.example.cn",
        "heating@hongshan.chifeng.example.cn",
    ]
    assert {n.context["previous_total"] for n in notices} == {
        str(expected_sheet("A").final)
    }


def test_round_two_cause_names_objection(upheld):
    from notifications.render import render_notice

    notice = upheld.notices("republicity_opened")[0]
    text = render_notice("republicity_opened", notice.context).text
    assert notice.context["cause"] == "objection"
    assert "changed" not in text


def test_objection_upheld_in_window_rescored(season):
    drive_to_publicity(season)
    reference = file_objection("A", date(2026, 5, 23))["reference"]
    decide_objection(reference, "upheld", date(2026, 5, 25), changes=("C6.1=0",))

    advance(CLOSE_DAY)

    # Closed, re-scored and publicised again on the same day.
    assert [(s.version, s.reason) for s in season.sheets("A")] == [
        (1, "initial"),
        (2, "objection"),
    ]
    assert [(w[0], w[1], w[3]) for w in _windows(season)][1:] == [
        (2, CLOSE_DAY, [season.ids["A"]])
    ]
    assert season.cycle_stage() == "publicity"


def test_rejected_objection_answered_at_once(season):
    drive_to_publicity(season)
    reference = file_objection("A", date(2026, 5, 23))["reference"]

    decide_objection(reference, "rejected", date(2026, 5, 25))

    verdicts = season.notices("objection_verdict")
    assert len(verdicts) == 4
    assert {n.context["verdict"] for n in verdicts} == {"rejected"}
    assert {n.context["decided_on"] for n in verdicts} == {"2026-05-25"}


def test_rejected_objection_keeps_version(season):
    drive_to_publicity(season)
    reference = file_objection("A", date(2026, 5, 23))["reference"]
    decide_objection(reference, "rejected", date(2026, 5, 25))

    advance(CLOSE_DAY)

    assert [s.version for s in season.sheets("A")] == [1]
    assert [w[0] for w in _windows(season)] == [1]
    assert season.cycle_stage() == "city_review"


def test_verdict_recorded_once(season):
    from cycle.errors import CycleError

    drive_to_publicity(season)
    reference = file_objection("A", date(2026, 5, 23))["reference"]
    decide_objection(reference, "rejected", date(2026, 5, 25))

    with pytest.raises(CycleError, match="already rejected"):
        decide_objection(reference, "upheld", date(2026, 5, 26))


def test_appeal_reply_due_by_legal_calendar(season):
    drive_to_publicity(season)

    summary = file_objection(
        "A", date(2026, 5, 22), kind="appeal", filed_by="红山区第一热力有限公司"
    )

    # 22 May + 15 days is Saturday 6 June, so the reply is due Monday 8 June.
    assert summary["reply_due"] == "2026-06-08"
    assert summary["status"] == "open"


def test_appeal_reply_days_are_a_setting(season, monkeypatch):
    from heateval.settings import reset_settings

    drive_to_publicity(season)
    monkeypatch.setenv("HEATEVAL_APPEAL_REPLY_DAYS", "10")
    reset_settings()

    summary = file_objection(
        "A", date(2026, 5, 22), kind="appeal", filed_by="红山区第一热力有限公司"
    )

    # 22 May + 10 days is Monday 1 June.
    assert summary["reply_due"] == "2026-06-01"


def test_upheld_appeal_rescored(appeal_upheld):
    sheets = appeal_upheld.sheets("A")
    assert [(s.version, s.reason) for s in sheets] == [(1, "initial"), (2, "appeal")]
    assert sheets[1].final == expected_sheet("A", (("C6.1", "0"),)).final


def test_upheld_appeal_publicised_again(appeal_upheld):
    rounds = [(w[0], w[3]) for w in _windows(appeal_upheld)]

    assert rounds[1:] == [(2, [appeal_upheld.ids["A"]])]
    assert appeal_upheld.cycle_stage() == "publicity"


def test_upheld_appeal_replied(appeal_upheld):
    replies = appeal_upheld.notices("appeal_reply")
    assert sorted(n.recipient_address for n in replies) == [
        "a@enterprise.example.cn",
        "committee1@hongshan.example.cn",
        "committee2@hongshan.example.cn",
    ]
    assert {n.context["verdict"] for n in replies} == {"upheld"}
    assert appeal_upheld.notices("objection_verdict") == []


def test_appeal_after_report_late(season):
    drive_to_publicity(season)
    advance(CLOSE_DAY)

    summary = file_objection(
        "A", date(2026, 6, 2), kind="appeal", filed_by="红山区第一热力有限公司"
    )

    assert summary["status"] == "late"
    assert {n.context["verdict"] for n in season.notices("appeal_reply")} == {"late"}


def test_objection_about_unknown_enterprise_rejected(season):
    from cycle import decisions
    from cycle.errors import CycleError

    drive_to_publicity(season)

    with pytest.raises(CycleError, match="91150402MA0N00009X"):
        decisions.run_decision(
            "file objection",
            "某人",
            None,
            lambda session: decisions.file_objection(
                session,
                season_label="2025-2026",
                credit_code="91150402MA0N00009X",
                kind="objection",
                filed_by="某人",
                contact="0476-1234567",
                grounds="结果有误",
                filed_on=date(2026, 5, 23),
            ),
        )


def test_objection_dated_in_window_after_report_late(season):
    # Filed once the county has reported: its verdict could change nothing, so it
    # gets the late reply whatever date the filing carries.
    from tests.cycle.support import drive_to_city_review

    drive_to_city_review(season)

    summary = file_objection("A", ROUND1_OPENS)

    assert summary["status"] == "late"


def test_verdict_after_report_rejected(season):
    from cycle.errors import CycleError
    from storage.models import Cycle

    drive_to_publicity(season)
    reference = file_objection("A", ROUND1_OPENS)["reference"]
    with season.session() as session:
        session.scalar(
            select(Cycle).where(Cycle.county_code == COUNTY)
        ).stage = "follow_up"

    with pytest.raises(CycleError, match="stage follow_up"):
        decide_objection(reference, "upheld", VERDICT_DAY, changes=("C1.4=0",))

    assert _objection(season, reference).status == "open"


def test_verdict_before_filing_rejected(season):
    from cycle.errors import CycleError

    drive_to_publicity(season)
    reference = file_objection("A", date(2026, 5, 23))["reference"]

    with pytest.raises(CycleError, match="2026-05-22 is before"):
        decide_objection(reference, "rejected", date(2026, 5, 22))

    assert _objection(season, reference).status == "open"


def test_filer_fields_kept_on_one_line(season):
    drive_to_publicity(season)

    summary = file_objection(
        "A",
        ROUND1_OPENS,
        filed_by="张某\r\nBcc: evil@attacker.example\u202e司公\u200b",
        contact="0476-1234567\n处理结果：已采纳",
    )

    objection = _objection(season, summary["reference"])
    assert objection.filed_by == "张某 Bcc: evil@attacker.example司公"
    assert objection.contact == "0476-1234567 处理结果：已采纳"


def test_reply_due_beyond_holiday_data_is_plain_count(season, caplog, monkeypatch):
    # As if the installed holiday data ended with 2025: the reply period of an
    # objection filed on 23 May 2026 then has no official schedule to follow.
    import rules.legal_calendar

    drive_to_publicity(season)
    monkeypatch.setattr(rules.legal_calendar, "covered_years", lambda: (2004, 2025))

    summary = file_objection("A", date(2026, 5, 23))

    objection = _objection(season, summary["reference"])
    assert objection.reply_due == date(2026, 6, 7)  # 23 May + 15 days, a Sunday
    assert "plain count of days" in caplog.text


def test_future_dates_rejected(season):
    from cycle.errors import CycleError
    from storage.utcclock import local_today

    tomorrow = local_today() + timedelta(days=1)
    drive_to_publicity(season)
    reference = file_objection("A", date(2026, 5, 23))["reference"]

    with pytest.raises(CycleError, match=r"the filing date .* is after today"):
        file_objection("C", tomorrow)
    with pytest.raises(CycleError, match=r"the verdict's date .* is after today"):
        decide_objection(reference, "rejected", tomorrow)
    assert _objection(season, reference).status == "open"


def test_member_rejection_kept(season):
    # A registered member's rejected attempt is on file too, not only strangers'.
    from cycle.errors import CycleError
    from storage.models import DecisionAttempt

    drive_to_publicity(season)
    reference = file_objection("A", date(2026, 5, 23))["reference"]
    decide_objection(reference, "rejected", date(2026, 5, 25))

    with pytest.raises(CycleError, match="a verdict is recorded once"):
        decide_objection(reference, "upheld", date(2026, 5, 26))

    with season.session() as session:
        rejected = session.scalars(
            select(DecisionAttempt).where(DecisionAttempt.accepted.is_(False))
        ).all()
        assert [(a.action, a.county_code) for a in rejected] == [
            (f"decide {reference}", COUNTY)
        ]
        assert "a verdict is recorded once" in rejected[0].detail


def test_upheld_objection_corrects_a_figure(season):
    # The objection is about a computed sub-item: the verdict corrects the
    # figure it comes from, and the re-score reads the corrected figure.
    from cycle.scoring import rulebook
    from rules.engine import score
    from storage.models import Correction
    from tests.cycle.support import figures_for

    drive_to_publicity(season)
    reference = file_objection("A", date(2026, 5, 23))["reference"]
    advance(CLOSE_DAY)

    decide_objection(
        reference, "upheld", VERDICT_DAY, corrections=("satisfaction_rate=50%",)
    )
    advance(VERDICT_DAY)

    corrected = figures_for("A").model_copy(
        update={"satisfaction_rate": Decimal("0.5")}
    )
    expected = score(corrected, rulebook())
    latest = season.sheets("A")[-1]
    assert (latest.version, latest.reason) == (2, "objection")
    assert latest.final == expected.final
    assert latest.final != expected_sheet("A").final
    with season.session() as session:
        (row,) = session.scalars(select(Correction)).all()
        assert (row.field, row.value) == ("satisfaction_rate", "0.5")
        assert row.reason.startswith(f"objection {reference}: ")


def test_rejected_objection_corrects_nothing(season):
    from cycle.errors import CycleError

    drive_to_publicity(season)
    reference = file_objection("A", date(2026, 5, 23))["reference"]

    with pytest.raises(CycleError, match="changes no sub-item or figure"):
        decide_objection(
            reference,
            "rejected",
            date(2026, 5, 25),
            corrections=("satisfaction_rate=0.5",),
        )


def test_verdict_on_late_objection_explained(season):
    from cycle.errors import CycleError

    drive_to_publicity(season)
    advance(CLOSE_DAY)
    reference = file_objection("A", date(2026, 6, 2))["reference"]

    with pytest.raises(CycleError, match=r"filed late .* gets no verdict"):
        decide_objection(reference, "upheld", date(2026, 6, 3))


def test_huge_refused_input_kept_short(season):
    from cycle import actions
    from cycle.errors import CycleError
    from storage.models import DecisionAttempt

    drive_to_publicity(season)

    with pytest.raises(CycleError) as raised:
        actions.file_objection(
            season="2025-2026",
            credit_code="X" * 60_000,
            kind="objection",
            filed_by="某人",
            contact="0476-1234567",
            grounds="结果有误",
            filed_on=date(2026, 5, 23),
        )

    assert len(str(raised.value)) < 200
    with season.session() as session:
        (attempt,) = session.scalars(select(DecisionAttempt)).all()
        assert len(attempt.detail) < 200
