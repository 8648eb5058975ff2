"""A small synthetic season for the cycle tests, and helpers to drive its stages.

One county (150402 红山区) with a few heating units whose verified figures are
stored directly, so the stages from scoring on have input without going through
intake. Each enterprise's figures are chosen for a grade:

| key | figures                                         | grade |
|-----|-------------------------------------------------|-------|
| A   | full marks nearly everywhere, 3 bonus points    | A     |
| B   | lower room temperature, satisfaction, reserves  | B     |
| C   | as B, more complaints, outages, no drills       | C     |
| D   | as C, incidents, hazards open, no plan filed    | D     |

Tests compute the expected totals with the engine (`expected_sheet`), never by
copying numbers. Stages run in direct mode: the flows' plain functions call the
task functions without Prefect.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

SEASON = "2025-2026"
COUNTY = "150402"
# The default season file ends every county's season on 15 April 2026, except
# 150421 (extended to 20 April). Intake then lasts 30 calendar days.
SEASON_END = date(2026, 4, 15)
INTAKE_OPENS = date(2026, 4, 16)
INTAKE_DEADLINE = date(2026, 5, 15)
REPORT_DUE = date(2026, 6, 15)

COMMITTEE = ("王委员", "李委员")
CITY_REVIEWER = "赵复核"

GOOD: dict[str, Any] = {
    "enterprise_type": "heating",
    "households_served": 1000,
    "meetings_called": 4,
    "meetings_attended": 4,
    "findings_total": 2,
    "findings_fixed_on_time": 2,
    "licence_valid": True,
    "season_plan_filed": True,
    "room_temp_compliance": "0.99",
    "households_measured_share": "0.20",
    "full_season": True,
    "platform_online_rate": "0.99",
    "device_coverage": "0.99",
    "stations_total": 10,
    "stations_automated": 10,
    "online_service_channels": True,
    "metered_households": 1000,
    "energy_ratio_to_benchmark": "0.80",
    "clean_heat_share": "1",
    "retrofits_planned": 2,
    "retrofits_done": 2,
    "valid_complaints": 1,
    "complaints_responded_on_time": 1,
    "callback_satisfaction": "0.99",
    "safety_responsibility_system": True,
    "operators_total": 10,
    "certified_operators": 10,
    "hazards_found": 2,
    "hazards_fixed": 2,
    "special_equipment_inspected": True,
    "emergency_plan_filed": True,
    "drills_held": 4,
    "repair_crew_ready": True,
    "fuel_reserve_days": "30",
    "convenience_measures": 4,
    "contracts_signed": 1000,
    "satisfaction_rate": "0.99",
}
_B = {
    "room_temp_compliance": "0.93",
    "satisfaction_rate": "0.85",
    "valid_complaints": 6,
    "complaints_responded_on_time": 5,
    "drills_held": 1,
    "fuel_reserve_days": "5",
    "device_coverage": "0.5",
}
_C = {
    "room_temp_compliance": "0.91",
    "satisfaction_rate": "0.80",
    "valid_complaints": 9,
    "complaints_responded_on_time": 6,
    "complaints_unclosed": 2,
    "drills_held": 0,
    "fuel_reserve_days": "5",
    "callback_satisfaction": "0.7",
    "device_coverage": "0.5",
    "outages_over_8h": 2,
}
_D = _C | {
    "room_temp_compliance": "0.80",
    "safety_incidents": 2,
    "hazards_fixed": 0,
    "emergency_plan_filed": False,
    "convenience_measures": 1,
    "platform_online_rate": "0.5",
    "stations_automated": 2,
}
FIGURES_FOR_GRADE: dict[str, dict[str, Any]] = {
    "A": GOOD,
    "B": GOOD | _B,
    "C": GOOD | _C,
    "D": GOOD | _D,
}
NAMES = {
    "A": "红山区第一热力有限公司",
    "B": "红山区第二热力有限公司",
    "C": "红山区第三热力有限公司",
    "D": "红山区第四热力有限公司",
}


def credit_code(body: str) -> str:
    """Return a valid 18-character credit code: `body` plus its check character."""
    return body + uscc.calc_check_digit(body)


CODES = {key: credit_code(f"91150402MA0N0000{n}") for n, key in enumerate("ABCD", 1)}
THREE = ("A", "C", "D")  # the default cast: grades A, C and D
FOUR = ("A", "B", "C", "D")


def figures_for(key: str) -> Any:
    """Return the verified figures of enterprise `key` as a `Figures` model."""
    from rules.figures import Figures

    return Figures.model_validate(FIGURES_FOR_GRADE[key])


def expected_sheet(key: str, adjustments: tuple[tuple[str, str], ...] = ()) -> Any:
    """Score enterprise `key` with the engine, as the test's expected value.

    `adjustments` are (sub_item, points) pairs decided by a committee member.
    """
    from cycle.scoring import rulebook
    from rules.engine import score
    from rules.sheet import Adjustment

    decided = [
        Adjustment(sub_item=item, points=points, reason="expected", member="test")
        for item, points in adjustments
    ]
    return score(figures_for(key), rulebook(), decided)


def local_noon(day: date) -> datetime:
    """Noon in Asia/Shanghai on `day`, as an aware UTC datetime."""
    return datetime.combine(day, time(4, 0), UTC)


@dataclass
class SyntheticSeason:
    """The fixture database: its URL, the enterprises' keys and ids, the mail server."""

    url: str
    capture_dir: Path
    keys: tuple[str, ...]
    ids: dict[str, int] = field(default_factory=dict)
    mail: Any = None  # the capture SMTP server the cycle flow sends to
    # Values a module-scoped fixture records while it plays the season, by name
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> dict[str, str]:
        """Credit code of each enterprise key in this season."""
        return {key: CODES[key] for key in self.keys}

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session on the fixture database that commits on success.

        It names the database by URL, so a test can read a season that a
        module-scoped fixture played while other settings were in force.
        """
        from storage.db import session_scope

        with session_scope(self.url) as session:
            yield session

    def deliver(
        self,
        key: str,
        day: date,
        *,
        verified: bool = True,
        figures_of: str | None = None,
    ) -> int:
        """Store an accepted package of `key` received on `day` and return its id.

        `figures_of` names another grade's figures to send instead of `key`'s own.
        """
        with self.session() as session:
            return add_submission(
                session, self.ids[key], day, verified=verified, figures_of=figures_of
            )

    def cycle_stage(self) -> str:
        """The county's stage now."""
        from storage.models import Cycle

        with self.session() as session:
            return session.scalar(
                select(Cycle.stage).where(Cycle.county_code == COUNTY)
            )

    def notices(self, kind: str | None = None) -> list[Any]:
        """Notices queued for the fixture county or its enterprises, oldest first."""
        from storage.models import Notice

        query = select(Notice).where(Notice.county_code == COUNTY)
        if kind is not None:
            query = query.where(Notice.kind == kind)
        with self.session() as session:
            return list(session.scalars(query.order_by(Notice.id)))

    def notice_counts(self) -> Counter[str]:
        """How many notices of each kind the fixture county has."""
        return Counter(notice.kind for notice in self.notices())

    def sent_to(self, kind: str) -> Counter[str]:
        """Recipient address → number of `kind` notices queued for it."""
        return Counter(n.recipient_address for n in self.notices(kind))

    def sheets(self, key: str) -> list[Any]:
        """Score sheet versions of enterprise `key`, oldest first."""
        from storage.models import ScoreSheet

        with self.session() as session:
            return list(
                session.scalars(
                    select(ScoreSheet)
                    .where(ScoreSheet.enterprise_id == self.ids[key])
                    .order_by(ScoreSheet.version)
                )
            )


def add_submission(
    session: Session,
    enterprise_id: int,
    day: date,
    *,
    verified: bool = True,
    figures_of: str | None = None,
) -> int:
    """Insert an accepted package with its verified figures, as intake would store it.

    The package is a `StoredFile` row without bytes, named by a SHA-256 of the
    credit code, version and figures. Only a re-check by the checks stage would
    read its files, and `verified=True` marks it checked so that none happens.
    """
    from sqlalchemy import func

    from cycle.setup import get_season
    from storage import ledger
    from storage.hashing import content_hash
    from storage.models import Enterprise, StoredFile, Submission, VerifiedFigures

    enterprise = session.get(Enterprise, enterprise_id)
    season = get_season(session, SEASON)
    key = next(k for k, code in CODES.items() if code == enterprise.credit_code)
    figures = figures_for(figures_of or key).model_dump(mode="json")
    version = (
        session.scalar(
            select(func.max(Submission.version)).where(
                Submission.season_id == season.id,
                Submission.owner_key == enterprise.credit_code,
            )
        )
        or 0
    ) + 1
    digest = hashlib.sha256(
        f"{enterprise.credit_code} v{version} {content_hash(figures)}".encode()
    ).hexdigest()
    session.add(StoredFile(sha256=digest, size=1, media_type="application/zip"))
    received = local_noon(day)
    submission = Submission(
        season_id=season.id,
        county_code=enterprise.county_code,
        enterprise_id=enterprise.id,
        source="enterprise",
        owner_key=enterprise.credit_code,
        version=version,
        package_name=f"{enterprise.credit_code}-v{version}.zip",
        package_sha256=digest,
        received_at=received,
        late=day > INTAKE_DEADLINE,
        accepted=True,
        checked_at=received,
        verified_at=received if verified else None,
    )
    session.add(submission)
    session.flush()
    session.add(
        VerifiedFigures(
            submission_id=submission.id,
            enterprise_id=enterprise.id,
            season_id=season.id,
            figures=figures,
            input_hash=content_hash(figures),
        )
    )
    ledger.record(
        session,
        submission,
        actor=f"enterprise:{enterprise.credit_code}",
        action="submission.stored",
    )
    return submission.id


def create_database(path: Path, keys: tuple[str, ...]) -> None:
    """Create a SQLite file with the season, the enterprises `keys` and the people.

    No package is stored here, because each test delivers its own.
    """
    from sqlalchemy.orm import sessionmaker

    from cycle.scoring import rulebook
    from cycle.setup import ensure_season, register_enterprise, register_person
    from storage.db import make_engine
    from storage.migrate import upgrade_database

    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    with sessionmaker(engine)() as session, session.begin():
        ensure_season(session, SEASON, rulebook().version)
        for key in keys:
            register_enterprise(
                session,
                credit_code=CODES[key],
                name=NAMES[key],
                county=COUNTY,
                type="heating",
                contact_name=f"{key}联系人",
                contact_email=f"{key.lower()}@enterprise.example.cn",
            )
        for number, name in enumerate(COMMITTEE, 1):
            register_person(
                session,
                name=name,
                role="committee",
                county=COUNTY,
                email=f"committee{number}@hongshan.example.cn",
            )
        register_person(
            session,
            name=CITY_REVIEWER,
            role="city_reviewer",
            county=None,
            email="reviewer@city.example.cn",
        )
    # Closing the last connection checkpoints the WAL into the main file.
    engine.dispose()


def build_season(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    template: Path,
    keys: tuple[str, ...],
    smtp_port: int,
) -> SyntheticSeason:
    """Copy the `template` database made by `create_database` and point settings at it.

    Mail goes to the capture server on `smtp_port` (127.0.0.1).
    """
    import shutil

    from heateval.settings import reset_settings
    from storage.db import dispose_engines
    from storage.models import Enterprise

    path = tmp_path / "cycle.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    capture = tmp_path / "mail"
    monkeypatch.setenv("HEATEVAL_DATABASE_URL", url)
    monkeypatch.setenv("HEATEVAL_SMTP_PORT", str(smtp_port))
    monkeypatch.setenv("HEATEVAL_MAIL_CAPTURE_DIR", str(capture))
    reset_settings()
    dispose_engines()

    built = SyntheticSeason(url=url, capture_dir=capture, keys=keys)
    with built.session() as session:
        for key in keys:
            built.ids[key] = session.scalar(
                select(Enterprise.id).where(Enterprise.credit_code == CODES[key])
            )
    return built


@contextmanager
def season_at(
    folder: Path, template: Path, keys: tuple[str, ...], smtp_port: int
) -> Iterator[SyntheticSeason]:
    """Point the settings at a copy of `template` in `folder` for the block.

    For module-scoped fixtures, which cannot use the per-test `monkeypatch`.
    The season stays readable afterwards through `SyntheticSeason.session`.
    """
    from heateval.settings import reset_settings
    from storage.db import dispose_engines

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("HEATEVAL_HOME", str(folder / "home"))
            yield build_season(
                folder, patch, template=template, keys=keys, smtp_port=smtp_port
            )
    finally:
        dispose_engines()
        reset_settings()


def run_stage(stage: Any, today: date, county: str | None = COUNTY) -> dict[str, Any]:
    """Run one stage flow's function in direct mode, as of `today`.

    With `county=None` the flow runs for every county it is due for, as the cycle
    flow calls it. With a county it runs for that county only, and only when the
    stage is due there, as an admin's re-run does.
    """
    from flows.stages import STAGE_FLOWS
    from tasks.runtime import direct_mode

    with direct_mode():
        return STAGE_FLOWS[stage].fn(season=SEASON, county=county, today=today)


def advance(today: date) -> dict[str, Any]:
    """Run the daily cycle flow's function in direct mode, as of `today`."""
    from flows.cycle import evaluation_cycle
    from tasks.runtime import direct_mode

    with direct_mode():
        return evaluation_cycle.fn(season=SEASON, today=today)


def due_here(today: date) -> list[str]:
    """The stage flows due today for the fixture county, in the cycle's order."""
    from cycle.advance import ORDER, is_due
    from cycle.setup import get_cycle, get_season
    from storage.db import session_scope

    with session_scope() as session:
        cycle = get_cycle(session, get_season(session, SEASON), COUNTY)
        return [flow.value for flow in ORDER if is_due(session, flow, cycle, today)]


def advance_when_due(first: date, last: date) -> list[date]:
    """Run the cycle flow on each day from `first` to `last` when a stage is due here.

    The other eleven counties have no enterprises, so only the fixture county's
    due stages decide which days run. Returns the days that ran.
    """
    ran = []
    day = first
    while day <= last:
        if due_here(day):
            advance(day)
            ran.append(day)
        day += timedelta(days=1)
    return ran


# Dates of the cycle when every package arrives on time, as the stages set them.
PACKAGES_ARRIVE = date(2026, 5, 2)
INTAKE_CLOSED = date(2026, 5, 16)  # the day after the deadline
ROUND1_OPENS = date(2026, 5, 21)  # five review days after scoring on 16 May
ROUND1_CLOSES = date(2026, 5, 28)  # 7 calendar days later, a Thursday


def drive_to_scored(season: SyntheticSeason) -> None:
    """Open intake, deliver every package, close intake, check and score (16 May)."""
    from cycle.stages import StageFlow

    run_stage(StageFlow.OPEN_INTAKE, INTAKE_OPENS)
    for key in season.keys:
        season.deliver(key, PACKAGES_ARRIVE)
    run_stage(StageFlow.INTAKE_SWEEP, INTAKE_CLOSED)
    run_stage(StageFlow.EVIDENCE_CHECKS, INTAKE_CLOSED)
    run_stage(StageFlow.SCORING, INTAKE_CLOSED)


def drive_to_publicity(season: SyntheticSeason) -> None:
    """Drive the county to its first publicity window, open 21 to 28 May."""
    from cycle.stages import StageFlow

    drive_to_scored(season)
    run_stage(StageFlow.OPEN_PUBLICITY, ROUND1_OPENS)


def drive_to_city_review(season: SyntheticSeason) -> None:
    """Drive the county through publicity to its report to the city on 29 May."""
    from cycle.stages import StageFlow

    drive_to_publicity(season)
    run_stage(StageFlow.CLOSE_PUBLICITY, ROUND1_CLOSES + timedelta(days=1))
    run_stage(StageFlow.ESCALATION, ROUND1_CLOSES + timedelta(days=1))


def drive_to_follow_up(season: SyntheticSeason, confirmed_on: date) -> None:
    """Drive the county to final publication, the city confirming on `confirmed_on`."""
    from cycle.stages import StageFlow

    drive_to_city_review(season)
    city_review("confirm", confirmed_on)
    run_stage(StageFlow.CITY_REVIEW, confirmed_on)
    run_stage(StageFlow.FINAL_PUBLICATION, confirmed_on)


def file_objection(
    key: str,
    filed_on: date,
    *,
    kind: str = "objection",
    filed_by: str = "热用户张某",
    contact: str = "zhang@resident.example.cn",
    grounds: str = "室温长期不达标，评分过高",
) -> dict[str, Any]:
    """File an objection or appeal about enterprise `key` and return its summary."""
    from cycle import decisions

    return decisions.run_decision(
        f"file {kind}",
        filed_by,
        None,
        lambda session: decisions.objection_summary(
            decisions.file_objection(
                session,
                season_label=SEASON,
                credit_code=CODES[key],
                kind=kind,
                filed_by=filed_by,
                contact=contact,
                grounds=grounds,
                filed_on=filed_on,
            )
        ),
    )


def decide_objection(
    reference: str,
    verdict: str,
    decided_on: date,
    *,
    member: str = COMMITTEE[0],
    changes: tuple[str, ...] = (),
    corrections: tuple[str, ...] = (),
    reason: str = "经现场核查",
) -> dict[str, Any]:
    """Record a verdict on `reference`, with sub-item changes and corrections."""
    from cycle import decisions
    from cycle.corrections import parse_corrections
    from cycle.objections import parse_changes

    return decisions.run_decision(
        f"decide {reference}",
        member,
        COUNTY,
        lambda session: decisions.objection_summary(
            decisions.decide_objection(
                session,
                reference=reference,
                verdict=verdict,
                reason=reason,
                member=member,
                decided_on=decided_on,
                changes=parse_changes(list(changes)),
                corrections=parse_corrections(list(corrections)),
            )
        ),
    )


def adjust(
    key: str, sub_item: str, points: str, *, member: str = COMMITTEE[0]
) -> dict[str, Any]:
    """Set a judgement sub-item of enterprise `key` as committee member `member`."""
    from cycle import decisions

    return decisions.run_decision(
        f"adjust {sub_item}",
        member,
        COUNTY,
        lambda session: decisions.adjust_sub_item(
            session,
            season_label=SEASON,
            credit_code=CODES[key],
            sub_item=sub_item,
            points=points,
            reason="现场核查结果与材料不符",
            member=member,
        ),
    )


def city_review(
    decision: str,
    decided_on: date,
    *,
    reasons: str = "",
    keys: tuple[str, ...] = (),
    reviewer: str = CITY_REVIEWER,
) -> dict[str, Any]:
    """Record the city's review of the county's latest report."""
    from cycle import decisions

    def decide(session: Session) -> dict[str, Any]:
        escalation = decisions.record_city_review(
            session,
            season_label=SEASON,
            county=COUNTY,
            decision=decision,
            reviewer=reviewer,
            decided_on=decided_on,
            reasons=reasons,
            enterprises=[CODES[key] for key in keys],
        )
        return {"status": escalation.status, "attempt": escalation.attempt}

    return decisions.run_decision(f"{decision} county", reviewer, COUNTY, decide)


def check_rectification(
    key: str, outcome: str, checked_on: date, *, member: str = COMMITTEE[1]
) -> str:
    """Record a committee member's check of `key`'s rectification order."""
    from cycle import decisions

    return decisions.run_decision(
        "rectification check",
        member,
        COUNTY,
        lambda session: (
            decisions.record_rectification_check(
                session,
                season_label=SEASON,
                credit_code=CODES[key],
                outcome=outcome,
                member=member,
                checked_on=checked_on,
                note="复查合格" if outcome == "rectified" else "复查不合格",
            ).status
        ),
    )
