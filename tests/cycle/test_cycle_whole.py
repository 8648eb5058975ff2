"""A whole small cycle, day by day: the ledger stays intact, each notice goes once.

The script, for enterprises A, C and D of county 150402:

| day        | event                                                        |
|------------|--------------------------------------------------------------|
| 16 April   | intake opens                                                 |
| 2 May      | A and C send their packages                                  |
| 8 May      | 7-day reminder to D                                          |
| 10 May     | D sends its package                                          |
| 16 May     | intake closes; checks and scoring                            |
| 21 May     | publicity round 1 opens, to 28 May                           |
| 23 May     | a resident objects to A's result (contact by e-mail)         |
| 29 May     | round 1 closes with the objection open                       |
| 1 June     | the committee upholds it, C6.1 = 0; A re-scored; round 2     |
| 8 June     | round 2 closes today; 7-day reminder of the 15 June report    |
| 9 June     | the county reports to the city                               |
| 10 June    | the city confirms; final publication                         |
| 10 July    | C's rectification checked: rectified                         |
| 27 July    | 14-day reminder to D (deadline 10 August)                    |
| 7 August   | 3-day reminder to D                                          |
| 11 August  | D's check requested from the bureau and the committee        |
| 17 August  | D's check recorded: failed; the cycle closes                 |
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.cycle.support import (
    THREE,
    advance,
    check_rectification,
    city_review,
    decide_objection,
    due_here,
    expected_sheet,
    file_objection,
    season_at,
)

pytestmark = pytest.mark.slow  # the module's played season takes about 10 s

FIRST_DAY = date(2026, 4, 14)
LAST_DAY = date(2026, 8, 31)


def _play(season) -> None:
    references: dict[str, str] = {}
    events = {
        date(2026, 5, 2): lambda: (
            season.deliver("A", date(2026, 5, 2)),
            season.deliver("C", date(2026, 5, 2)),
        ),
        date(2026, 5, 10): lambda: season.deliver("D", date(2026, 5, 10)),
        date(2026, 5, 23): lambda: references.update(
            A=file_objection("A", date(2026, 5, 23))["reference"]
        ),
        date(2026, 6, 1): lambda: decide_objection(
            references["A"], "upheld", date(2026, 6, 1), changes=("C6.1=0",)
        ),
        date(2026, 6, 10): lambda: city_review("confirm", date(2026, 6, 10)),
        date(2026, 7, 10): lambda: check_rectification(
            "C", "rectified", date(2026, 7, 10)
        ),
        date(2026, 8, 17): lambda: check_rectification(
            "D", "failed", date(2026, 8, 17)
        ),
    }
    season.facts["ran"] = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        event = events.get(day)
        if event is not None:
            event()
        if event is not None or due_here(day):
            advance(day)
            season.facts["ran"].append(day)
        day += timedelta(days=1)


@pytest.fixture(scope="module")
def played(tmp_path_factory, templates):
    """The season above, played once for every test of this module."""
    from notifications.capture import CaptureServer

    folder = tmp_path_factory.mktemp("whole")
    with (
        CaptureServer(folder / "mail") as server,
        season_at(folder, templates[THREE], THREE, server.port) as season,
    ):
        season.mail = server
        _play(season)
    return season


def test_ledger_intact(played):
    from storage.ledger import verify

    with played.session() as session:
        report = verify(session)

    assert report.record_problems == []
    assert report.chain_problem is None
    assert report.intact is True


def test_notice_counts_per_kind(played):
    assert played.notice_counts() == Counter(
        {
            "intake_opened": 3,
            "intake_reminder": 1,  # D on 8 May
            "draft_result": 3,
            # Two rounds, to the bureau, two members, the city bureau and reviewer.
            "publicity_opened": 10,
            "objection_received": 3,  # A and the two committee members
            "objection_verdict": 4,  # the same and the resident
            "republicity_opened": 2,  # A and the bureau
            "county_report_due": 1,  # 8 June, to the bureau
            "county_reported": 3,  # the city bureau, the reviewer and the bureau
            "final_result": 3,
            "rectification_order": 4,  # C and D, each to itself and the bureau
            "rectification_reminder": 2,  # D on 27 July and 7 August
            "rectification_check_due": 3,  # 11 August: the bureau, two members
            "rectification_outcome": 8,  # C and D, each to itself, bureau, city x2
        }
    )


def test_every_notice_sent_once(played):
    from storage.models import Notice

    with played.session() as session:
        statuses = Counter(session.scalars(select(Notice.status)))
        message_ids = set(session.scalars(select(Notice.message_id)))
    received = played.mail.handler.received

    assert set(statuses) == {"sent"}
    assert set(received) == message_ids
    assert set(received.values()) == {1}


def test_one_mail_file_per_notice(played):
    from storage.models import Notice

    with played.session() as session:
        notices = len(session.scalars(select(Notice.id)).all())

    assert len(list(played.mail.folder.glob("*.eml"))) == notices


def test_final_results(played):
    from storage.models import CreditRecord

    keys = {enterprise_id: key for key, enterprise_id in played.ids.items()}
    with played.session() as session:
        finals = {
            keys[r.enterprise_id]: (r.final, r.grade, r.published_on)
            for r in session.scalars(select(CreditRecord))
        }

    upheld = expected_sheet("A", (("C6.1", "0"),))
    assert finals == {
        "A": (upheld.final, upheld.grade, date(2026, 6, 10)),
        "C": (expected_sheet("C").final, "C", date(2026, 6, 10)),
        "D": (expected_sheet("D").final, "D", date(2026, 6, 10)),
    }


def test_sheet_versions(played):
    assert [(s.version, s.reason) for s in played.sheets("A")] == [
        (1, "initial"),
        (2, "objection"),
    ]
    assert [s.version for s in played.sheets("C")] == [1]
    assert [s.version for s in played.sheets("D")] == [1]


def test_cycle_closed(played):
    assert played.cycle_stage() == "closed"


def test_days_the_cycle_ran(played):
    assert played.facts["ran"] == [
        date(2026, 4, 16),
        date(2026, 5, 2),
        date(2026, 5, 8),
        date(2026, 5, 10),
        date(2026, 5, 14),
        date(2026, 5, 16),
        date(2026, 5, 21),
        date(2026, 5, 23),
        date(2026, 5, 29),
        date(2026, 6, 1),
        date(2026, 6, 8),
        date(2026, 6, 9),
        date(2026, 6, 10),
        date(2026, 7, 10),
        date(2026, 7, 27),
        date(2026, 8, 7),
        date(2026, 8, 11),
        date(2026, 8, 17),
    ]
