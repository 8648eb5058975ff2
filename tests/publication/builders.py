"""A small evaluation database for the publication tests, built row by row.

The database has two counties, five enterprises (one with a hostile name) and two
seasons. Every score sheet is built from the default rulebook with each sub-item at
the same share of its points, so the base is 100 × that share whatever the
enterprise type, and the totals can be worked out by hand:

| enterprise | county | type        | 2024-2025   | 2025-2026                   |
|------------|--------|-------------|-------------|-----------------------------|
| E1 红山热力 | 150402 | heating     | 84.00 B     | 88 + 4.50 bonus = 92.50 A   |
| E2 hostile | 150402 | heating     | 72.00 C     | 70 − 5 = 65.00 D            |
| E3 红山热源 | 150402 | heat_source | —           | 85 + 0.25 = 85.25 B         |
| E4 松山供热 | 150404 | heating     | 81.50 B     | 68.00 D, after objection 74.00 C |
| E5 松山热电 | 150404 | heat_source | —           | 90.00 A (exactly 90 is A)   |
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

import storage.models as m
from rules.figures import EnterpriseType
from rules.rulebook import Rulebook, load_rulebook
from rules.sheet import CategoryScore, Line, LineKind
from storage.base import Base
from storage.db import make_engine
from storage.hashing import content_hash

HOSTILE_NAME = "<img src=x onerror=alert(1)>\"';=cmd|' /C calc'!A0 热力"
HOSTILE_REASON = "<script>alert('reason')</script> 核查结论"
CODES = {
    "E1": "91150402MA0HXRL019",
    "E2": "91150402MA0HXRL02C",
    "E3": "91150402MA0HXRL03F",
    "E4": "91150404MA0HXRL04F",
    "E5": "91150404MA0HXRL05J",
}
NAMES = {
    "E1": "赤峰市红山区热力有限责任公司",
    "E2": HOSTILE_NAME,
    "E3": "红山热源厂",
    "E4": "松山区城市供热有限公司",
    "E5": "松山热电有限公司",
}
COUNTY_OF = {
    "E1": "150402",
    "E2": "150402",
    "E3": "150402",
    "E4": "150404",
    "E5": "150404",
}
TYPE_OF = {
    "E1": "heating",
    "E2": "heating",
    "E3": "heat_source",
    "E4": "heating",
    "E5": "heat_source",
}
CENT = Decimal("0.01")
GRADE_BANDS = (
    (Decimal(90), "A"),
    (Decimal(80), "B"),
    (Decimal(70), "C"),
    (Decimal(0), "D"),
)
COLOURS = {"A": "green", "B": "blue", "C": "yellow", "D": "red"}


def _grade(final: Decimal) -> str:
    return next(grade for floor, grade in GRADE_BANDS if final >= floor)


def build_sheet(
    rulebook: Rulebook,
    enterprise_type: str,
    share: str,
    bonus: str = "0",
    deduction: str = "0",
    reason: str = "",
) -> dict:
    """Return the stored fields of a score sheet with every sub-item at `share`."""
    kind = EnterpriseType(enterprise_type)
    fraction = Decimal(share)
    categories = []
    lines = []
    raw = Decimal(0)
    applicable_max = Decimal(0)
    for category in rulebook.categories:
        applies = kind in category.applies_to
        total = Decimal(0)
        for item in category.sub_items:
            points = item.points * fraction if applies else Decimal(0)
            total += points
            note = reason if (reason and item.id == "C1.1") else ""
            lines.append(
                Line(
                    rule_id=item.id,
                    kind=LineKind.SUB_ITEM,
                    category=category.id,
                    name=item.name,
                    name_en=item.name_en,
                    max=item.points,
                    points=points,
                    inputs={"share": share},
                    reason=(note or f"按 {share} 的比例得分") if applies else "不适用",
                    applies=applies,
                )
            )
        if applies:
            raw += total
            applicable_max += category.max
        categories.append(
            CategoryScore(
                id=category.id,
                name=category.name,
                name_en=category.name_en,
                max=category.max,
                applies=applies,
                points=total,
            )
        )

    bonus_left = Decimal(bonus)
    for item in rulebook.bonus:
        points = min(bonus_left, item.points)
        bonus_left -= points
        lines.append(
            Line(
                rule_id=item.id,
                kind=LineKind.BONUS,
                name=item.name,
                name_en=item.name_en,
                max=item.points,
                points=points,
                inputs={},
                reason="有佐证材料" if points else "条件不满足",
            )
        )
    if Decimal(deduction):
        rule = next(r for r in rulebook.deductions if r.id == "D2")
        lines.append(
            Line(
                rule_id=rule.id,
                kind=LineKind.DEDUCTION,
                name=rule.name,
                name_en=rule.name_en,
                max=rule.max,
                points=Decimal(deduction),
                inputs={"unapproved_transfers": "1"},
                reason="擅自移交供热设施 1 次",
            )
        )

    base = (raw * 100 / applicable_max).quantize(CENT, rounding=ROUND_HALF_UP)
    assert base == Decimal(100) * fraction, "fixture shares must give an exact base"
    final = max(
        Decimal(0), base + min(Decimal(bonus), Decimal(10)) - Decimal(deduction)
    )
    final = final.quantize(CENT)
    grade = _grade(final)
    return {
        "rulebook_version": rulebook.version,
        "input_hash": content_hash({"share": share, "type": enterprise_type}),
        "base": base,
        "bonus": Decimal(bonus).quantize(CENT),
        "deductions": Decimal(deduction).quantize(CENT),
        "final": final,
        "grade": grade,
        "colour": COLOURS[grade],
        "categories": [c.model_dump(mode="json") for c in categories],
        "lines": [line.model_dump(mode="json") for line in lines],
    }


@dataclass
class Archive:
    """The fixture database: its URL and the ids tests refer to."""

    url: str
    sessions: sessionmaker
    enterprise_ids: dict[str, int] = field(default_factory=dict)
    season_ids: dict[str, int] = field(default_factory=dict)
    sheet_ids: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def session(self) -> Session:
        """Open a new session on the fixture database."""
        return self.sessions()


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def _add_sheet(
    session: Session,
    archive: Archive,
    rulebook: Rulebook,
    key: str,
    season: str,
    version: int,
    share: str,
    bonus: str = "0",
    deduction: str = "0",
    reason: str = "",
    sheet_reason: str = "initial",
) -> m.ScoreSheet:
    fields = build_sheet(rulebook, TYPE_OF[key], share, bonus, deduction, reason)
    sheet = m.ScoreSheet(
        enterprise_id=archive.enterprise_ids[key],
        season_id=archive.season_ids[season],
        version=version,
        reason=sheet_reason,
        content_hash=content_hash({k: v for k, v in fields.items()}),
        created_at=_at(date(2026, 5, 1)),
        **fields,
    )
    session.add(sheet)
    session.flush()
    archive.sheet_ids[(key, season, version)] = sheet.id
    return sheet


def _credit(session: Session, archive: Archive, sheet: m.ScoreSheet, day: date) -> None:
    session.add(
        m.CreditRecord(
            enterprise_id=sheet.enterprise_id,
            season_id=sheet.season_id,
            score_sheet_id=sheet.id,
            final=sheet.final,
            grade=sheet.grade,
            colour=sheet.colour,
            published_on=day,
            content_hash=sheet.content_hash,
        )
    )


def _reference(session: Session, archive: Archive) -> None:
    session.add_all(
        [
            m.County(
                code="150402",
                name="红山区",
                bureau_name="红山区住房和城乡建设局",
                bureau_email="heating@hongshan.chifeng.example.cn",
                bureau_address="赤峰市红山区示例路 1 号",
                bureau_phone="0476-0000001",
            ),
            m.County(
                code="150404",
                name="松山区",
                bureau_name="松山区住房和城乡建设局",
                bureau_email="heating@songshan.chifeng.example.cn",
                bureau_address="赤峰市松山区示例路 2 号",
                bureau_phone="0476-0000002",
            ),
        ]
    )
    for label, start, end in (
        ("2024-2025", date(2024, 10, 15), date(2025, 4, 15)),
        ("2025-2026", date(2025, 10, 15), date(2026, 4, 15)),
    ):
        season = m.Season(
            label=label,
            default_start=start,
            default_end=end,
            rulebook_version="chifeng-default 2025.1",
        )
        session.add(season)
        session.flush()
        archive.season_ids[label] = season.id
    for key, code in CODES.items():
        enterprise = m.Enterprise(
            credit_code=code,
            name=NAMES[key],
            county_code=COUNTY_OF[key],
            type=TYPE_OF[key],
            contact_email=f"{key.lower()}@example.cn",
            registered_at=_at(date(2024, 9, 1)),
        )
        session.add(enterprise)
        session.flush()
        archive.enterprise_ids[key] = enterprise.id


def _cycle(session: Session, season_id: int, county: str, published: date) -> m.Cycle:
    cycle = m.Cycle(
        season_id=season_id,
        county_code=county,
        stage="published",
        stage_since=published,
        intake_deadline=date(2026, 5, 15),
        report_due=date(2026, 6, 15),
        reported_on=date(2026, 6, 10),
        confirmed_on=date(2026, 6, 20),
        published_on=published,
    )
    session.add(cycle)
    session.flush()
    return cycle


def _window(
    session: Session,
    cycle: m.Cycle,
    round_: int,
    opens: date,
    closes: date,
    cause: str,
    sheet_ids: list[tuple[int, int]],
) -> m.PublicityWindow:
    window = m.PublicityWindow(
        cycle_id=cycle.id,
        round=round_,
        opens_on=opens,
        closes_on=closes,
        closed_at=_at(closes),
        cause=cause,
    )
    session.add(window)
    session.flush()
    for enterprise_id, sheet_id in sheet_ids:
        session.add(
            m.PublicityEntry(
                window_id=window.id,
                enterprise_id=enterprise_id,
                score_sheet_id=sheet_id,
            )
        )
    return window


def _previous_season(session: Session, archive: Archive, rulebook: Rulebook) -> None:
    season = "2024-2025"
    published = date(2025, 7, 1)
    for county, keys in (("150402", ["E1", "E2"]), ("150404", ["E4"])):
        cycle = _cycle(session, archive.season_ids[season], county, published)
        entries = []
        for key in keys:
            share = {"E1": "0.84", "E2": "0.72", "E4": "0.815"}[key]
            sheet = _add_sheet(session, archive, rulebook, key, season, 1, share)
            entries.append((sheet.enterprise_id, sheet.id))
            _credit(session, archive, sheet, published)
        _window(
            session, cycle, 1, date(2025, 5, 20), date(2025, 5, 27), "initial", entries
        )


def _current_season(session: Session, archive: Archive, rulebook: Rulebook) -> None:
    season = "2025-2026"
    season_id = archive.season_ids[season]
    ids = archive.enterprise_ids
    published = date(2026, 7, 1)

    hongshan = _cycle(session, season_id, "150402", published)
    e1 = _add_sheet(session, archive, rulebook, "E1", season, 1, "0.88", bonus="4.50")
    e2 = _add_sheet(
        session,
        archive,
        rulebook,
        "E2",
        season,
        1,
        "0.70",
        deduction="5",
        reason=HOSTILE_REASON,
    )
    e3 = _add_sheet(session, archive, rulebook, "E3", season, 1, "0.85", bonus="0.25")
    window = _window(
        session,
        hongshan,
        1,
        date(2026, 5, 20),
        date(2026, 5, 27),
        "initial",
        [(s.enterprise_id, s.id) for s in (e1, e2, e3)],
    )
    session.add(
        m.Objection(
            reference="appeal-e2",
            season_id=season_id,
            county_code="150402",
            enterprise_id=ids["E2"],
            kind="appeal",
            filed_by="某企业负责人",
            contact="13800000000",
            grounds="对减分有异议",
            filed_on=date(2026, 5, 22),
            window_id=window.id,
            status="rejected",
            verdict_reason="经核查，擅自移交供热设施属实，维持原结果。",
            decided_on=date(2026, 6, 1),
        )
    )

    songshan = _cycle(session, season_id, "150404", published)
    e4 = _add_sheet(session, archive, rulebook, "E4", season, 1, "0.68")
    e5 = _add_sheet(session, archive, rulebook, "E5", season, 1, "0.90")
    first = _window(
        session,
        songshan,
        1,
        date(2026, 5, 21),
        date(2026, 5, 28),
        "initial",
        [(e4.enterprise_id, e4.id), (e5.enterprise_id, e5.id)],
    )
    e4b = _add_sheet(
        session, archive, rulebook, "E4", season, 2, "0.74", sheet_reason="objection"
    )
    session.add(
        m.Objection(
            reference="objection-e4",
            season_id=season_id,
            county_code="150404",
            enterprise_id=ids["E4"],
            kind="objection",
            filed_by="热用户张某",
            contact="13900000000",
            grounds="室温达标率统计有误",
            filed_on=date(2026, 5, 23),
            window_id=first.id,
            status="upheld",
            verdict_reason="经核查，抽测记录漏计，调整供热质量得分。",
            decided_on=date(2026, 5, 30),
            rescored_sheet_id=e4b.id,
        )
    )
    _window(
        session,
        songshan,
        2,
        date(2026, 6, 1),
        date(2026, 6, 8),
        "objection",
        [(e4b.enterprise_id, e4b.id)],
    )
    for sheet in (e1, e2, e3, e4b, e5):
        _credit(session, archive, sheet, published)

    session.add_all(
        [
            m.Escalation(
                cycle_id=hongshan.id,
                attempt=1,
                submitted_on=date(2026, 6, 10),
                summary="红山区评价工作总结",
                status="confirmed",
                decided_on=date(2026, 6, 20),
            ),
            m.Escalation(
                cycle_id=songshan.id,
                attempt=1,
                submitted_on=date(2026, 6, 12),
                summary="松山区评价工作总结",
                status="confirmed",
                decided_on=date(2026, 6, 20),
            ),
            m.RectificationOrder(
                enterprise_id=ids["E2"],
                season_id=season_id,
                grade="D",
                issued_on=published,
                deadline=date(2026, 8, 30),
                status="open",
            ),
            m.RectificationOrder(
                enterprise_id=ids["E4"],
                season_id=season_id,
                grade="C",
                issued_on=published,
                deadline=date(2026, 9, 29),
                status="rectified",
                checked_on=date(2026, 9, 1),
                outcome="已完成室温监测设备安装",
            ),
            m.FollowUp(
                enterprise_id=ids["E1"],
                season_id=season_id,
                kind="priority_support",
                decided_on=published,
            ),
            m.FollowUp(
                enterprise_id=ids["E2"],
                season_id=season_id,
                kind="key_supervision",
                decided_on=published,
            ),
            m.FollowUp(
                enterprise_id=ids["E4"],
                season_id=season_id,
                kind="warning",
                decided_on=published,
            ),
        ]
    )
    _submissions(session, archive, season_id)


def _submissions(session: Session, archive: Archive, season_id: int) -> None:
    # E3 sent its package late; E5 sent none at all.
    for key, late in (("E1", False), ("E2", False), ("E3", True), ("E4", False)):
        digest = hashlib.sha256(key.encode()).hexdigest()
        session.add(m.StoredFile(sha256=digest, size=10, media_type="application/zip"))
        session.flush()
        session.add(
            m.Submission(
                season_id=season_id,
                county_code=COUNTY_OF[key],
                enterprise_id=archive.enterprise_ids[key],
                source="enterprise",
                owner_key=CODES[key],
                version=1,
                package_name=f"{key}.zip",
                package_sha256=digest,
                received_at=_at(date(2026, 5, 20 if late else 10)),
                late=late,
            )
        )


def build_archive(path: Path) -> Archive:
    """Create the fixture database in a SQLite file at `path`."""
    return build_archive_at(f"sqlite:///{path}")


def build_archive_at(url: str) -> Archive:
    """Create the fixture database in the empty database at `url`."""
    import storage.models  # noqa: F401 - registers every table

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    archive = Archive(url=url, sessions=sessionmaker(engine, expire_on_commit=False))
    rulebook = load_rulebook()
    with archive.session() as session:
        _reference(session, archive)
        _previous_season(session, archive, rulebook)
        _current_season(session, archive, rulebook)
        session.commit()
    return archive
