"""queue_notice: recipients from the database, a row per recipient, idempotent keys."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from notice_support import COUNTY, SEASON
from sqlalchemy import select, update

from heateval.settings import Settings
from notifications.outbox import message_id_for, notice_key, queue_notice
from notifications.recipients import Recipient
from storage.models import County, Enterprise, Notice, Objection, Person, Season

DUE = datetime(2026, 4, 16, 8, 0, tzinfo=UTC)


def queue(db, **arguments) -> list[Notice]:
    arguments.setdefault("season", SEASON)
    arguments.setdefault("county", COUNTY)
    arguments.setdefault("enterprise_id", None)
    with db.factory() as session, session.begin():
        return queue_notice(session, **arguments)


def notices(db) -> list[Notice]:
    with db.factory() as session:
        return list(session.scalars(select(Notice).order_by(Notice.id)))


PUBLICITY = {
    "round": 1,
    "window_opens": date(2026, 6, 1),
    "window_closes": date(2026, 6, 8),
    "enterprise_count": 3,
}


def test_one_row_per_recipient(any_db):
    queued = queue(any_db, kind="publicity_opened", event_key="r1", context=PUBLICITY)

    assert [n.recipient_address for n in queued] == [
        "bureau@hongshan.example.cn",
        "chen@committee.example.cn",
        "zjj@chifeng.example.cn",
    ]
    assert [n.recipient_name for n in queued] == [
        "红山区住房和城乡建设局",
        "陈委员",
        "赤峰市住房和城乡建设局",
    ]


def test_same_event_queued_twice_is_noop(any_db):
    first = queue(any_db, kind="publicity_opened", event_key="r1", context=PUBLICITY)
    again = queue(any_db, kind="publicity_opened", event_key="r1", context=PUBLICITY)

    assert [n.id for n in again] == [n.id for n in first]
    assert len(notices(any_db)) == 3


def test_new_event_key_queues_new_notices(any_db):
    queue(any_db, kind="publicity_opened", event_key="r1", context=PUBLICITY)
    queue(
        any_db,
        kind="publicity_opened",
        event_key="r2",
        context={**PUBLICITY, "round": 2},
    )

    assert len(notices(any_db)) == 6


def test_key_and_message_id_fixed_at_queue(db):
    (notice,) = queue(
        db,
        kind="intake_opened",
        enterprise_id=db.plain_id,
        context={"deadline": date(2026, 5, 16)},
        now=DUE,
    )
    expected_key = f"intake_opened|2025-2026|150402|{db.plain_id}||li@heat.example.cn"
    assert notice.key == expected_key
    assert notice.message_id == message_id_for(expected_key, Settings())
    assert notice.message_id.endswith("@chifeng.example.cn>")
    assert notice.status == "queued"
    assert notice.next_attempt_at == DUE


def test_long_key_ends_with_hash():
    key = notice_key("run_failed", SEASON, None, None, "x" * 300, "ops@example.cn")

    assert len(key) == 180 + len("|sha256:") + 64
    assert key.startswith("run_failed|2025-2026|-|-|xxx")


def test_context_stored_as_json_text(db):
    (notice,) = queue(
        db,
        kind="draft_result",
        enterprise_id=db.plain_id,
        context={
            "base": Decimal("88.50"),
            "bonus": Decimal("3"),
            "deduction": Decimal("0.00"),
            "total": Decimal("91.50"),
            "grade": "A",
            "window_opens": date(2026, 6, 1),
            "window_closes": date(2026, 6, 8),
        },
    )
    stored = notices(db)[0].context
    assert notice.id == notices(db)[0].id
    assert stored["total"] == "91.50"
    assert stored["window_opens"] == "2026-06-01"
    assert stored["score_sheet_link"] is None
    assert stored["enterprise"]["name"] == "松山热力有限公司"
    assert stored["recipient"] == {
        "name": "李四",
        "address": "li@heat.example.cn",
        "audience": "enterprise",
    }


def test_float_in_context_rejected(db):
    with pytest.raises(ValueError, match=r"context.days_left is the float 3.0"):
        queue(
            db,
            kind="intake_reminder",
            enterprise_id=db.plain_id,
            event_key="d3",
            context={"deadline": "2026-05-16", "days_left": 3.0},
        )


def test_missing_context_key_named(db):
    with pytest.raises(ValueError, match="context is missing window_closes"):
        queue(
            db,
            kind="publicity_opened",
            event_key="r1",
            context={k: v for k, v in PUBLICITY.items() if k != "window_closes"},
        )
    assert notices(db) == []


def test_reserved_context_key_rejected(db):
    with pytest.raises(ValueError, match="enterprise are filled in"):
        queue(
            db,
            kind="intake_opened",
            enterprise_id=db.plain_id,
            context={"deadline": "2026-05-16", "enterprise": "x"},
        )


def test_repeatable_kind_needs_event_key(db):
    with pytest.raises(ValueError, match="pass an event_key"):
        queue(db, kind="publicity_opened", context=PUBLICITY)


def test_enterprise_kind_needs_enterprise(db):
    with pytest.raises(ValueError, match="pass enterprise_id"):
        queue(db, kind="intake_opened", context={"deadline": "2026-05-16"})


def test_enterprise_of_other_county_rejected(db):
    with pytest.raises(ValueError, match="belongs to county 150402, not 150403"):
        queue(
            db,
            kind="intake_opened",
            county="150403",
            enterprise_id=db.plain_id,
            context={"deadline": "2026-05-16"},
        )


def test_unknown_kind_rejected(db):
    with pytest.raises(ValueError, match="unknown notice kind 'intake'"):
        queue(db, kind="intake", context={})


def test_missing_contact_tells_operators(db):
    with db.factory() as session, session.begin():
        session.execute(
            update(Enterprise)
            .where(Enterprise.id == db.plain_id)
            .values(contact_email="")
        )
    queued = queue(
        db,
        kind="intake_opened",
        enterprise_id=db.plain_id,
        context={"deadline": "2026-05-16"},
    )

    assert queued == []
    (missing,) = notices(db)
    assert missing.kind == "recipient_missing"
    assert missing.recipient_address == "ops@chifeng.example.cn"
    assert missing.context["audience"] == "enterprise"
    assert "松山热力有限公司" in missing.context["what"]


def test_missing_contact_reported_once(db):
    with db.factory() as session, session.begin():
        session.execute(update(County).values(bureau_email=""))
    for _ in range(2):
        queue(
            db,
            kind="county_report_due",
            event_key="2026-06-10",
            context={"report_due": "2026-06-15", "days_left": 5},
        )

    assert [n.kind for n in notices(db)] == ["recipient_missing"]


def test_inactive_committee_member_skipped(db):
    queued = queue(
        db,
        kind="county_returned",
        event_key="a1",
        context={"attempt": 1, "reasons": "数据不全", "returned_enterprises": []},
    )

    addresses = [n.recipient_address for n in queued]
    assert "old@committee.example.cn" not in addresses
    assert "chen@committee.example.cn" in addresses


def test_operator_people_and_settings(db):
    with db.factory() as session, session.begin():
        session.add(
            Person(name="运维甲", role="operator", email="ops2@chifeng.example.cn")
        )
    queued = queue(
        db,
        kind="run_failed",
        county=None,
        event_key="run-1",
        context={
            "stage": "score",
            "run_name": "score 2025-2026 150402",
            "error": "boom",
            "occurred_at": DUE,
        },
    )

    assert [n.recipient_address for n in queued] == [
        "ops@chifeng.example.cn",
        "ops2@chifeng.example.cn",
    ]


def test_other_departments_from_settings(db):
    settings = Settings(other_departments=["发改委 <fgw@example.cn>", "yj@example.cn"])
    with db.factory() as session, session.begin():
        queued = queue_notice(
            session,
            kind="results_reported",
            season=SEASON,
            county=None,
            enterprise_id=None,
            context={
                "published_on": "2026-07-01",
                "grade_counts": {"A": 1, "B": 1, "C": 1},
                "counties": [{"name": "红山区", "enterprises": 3}],
            },
            settings=settings,
        )

    assert [(n.recipient_name, n.recipient_address) for n in queued] == [
        ("发改委", "fgw@example.cn"),
        ("", "yj@example.cn"),
        ("赤峰市住房和城乡建设局", "zjj@chifeng.example.cn"),
    ]


def add_objection(db, contact: str) -> None:
    with db.factory() as session, session.begin():
        season = Season(
            label=SEASON,
            default_start=date(2025, 10, 15),
            default_end=date(2026, 4, 15),
            rulebook_version="test",
        )
        session.add(season)
        session.flush()
        session.add(
            Objection(
                reference="OBJ-1",
                season_id=season.id,
                county_code=COUNTY,
                enterprise_id=db.plain_id,
                kind="objection",
                filed_by="热用户 孙七",
                contact=contact,
                grounds="室温不达标",
                filed_on=date(2026, 6, 3),
            )
        )


VERDICT = {
    "reference": "OBJ-1",
    "verdict": "rejected",
    "reason": "经核查，室温记录符合要求",
    "decided_on": "2026-06-10",
}


def test_verdict_reaches_objector_by_email(db):
    add_objection(db, "sun@residents.example.cn")
    queued = queue(
        db,
        kind="objection_verdict",
        enterprise_id=db.plain_id,
        event_key="OBJ-1",
        context=VERDICT,
    )

    assert [
        (n.recipient_address, n.context["recipient"]["audience"]) for n in queued
    ] == [
        ("li@heat.example.cn", "enterprise"),
        ("chen@committee.example.cn", "committee"),
        ("sun@residents.example.cn", "objector"),
    ]


def test_objector_without_email_skipped_quietly(db):
    add_objection(db, "红山区某小区3号楼，电话 13800000000")
    queue(
        db,
        kind="objection_verdict",
        enterprise_id=db.plain_id,
        event_key="OBJ-1",
        context=VERDICT,
    )

    kinds = [n.kind for n in notices(db)]
    assert kinds == ["objection_verdict", "objection_verdict"]


def test_audience_override_with_explicit_recipient(db):
    queued = queue(
        db,
        kind="intake_opened",
        enterprise_id=db.plain_id,
        context={"deadline": "2026-05-16"},
        audience_override=[
            "county_bureau",
            Recipient("专员", "x@example.cn", "explicit"),
        ],
    )

    assert [n.recipient_address for n in queued] == [
        "bureau@hongshan.example.cn",
        "x@example.cn",
    ]


def test_same_address_in_two_audiences_once(db):
    with db.factory() as session, session.begin():
        session.execute(update(County).values(bureau_email="chen@committee.example.cn"))
    queued = queue(
        db,
        kind="county_returned",
        event_key="a1",
        context={"attempt": 1, "reasons": "数据不全", "returned_enterprises": []},
    )

    assert [n.recipient_address for n in queued] == ["chen@committee.example.cn"]
