"""Build one enterprise of the sample season: tables, readings, evidence, packages.

`build_enterprise` turns a plan into the rows of each table, the readings export,
the self-assessment and the evidence files, plants the enterprise's designed defect
in its first package, and writes each package version as the enterprise sends it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from expectations.reconcile import LEDGER_FIGURES
from intake.schema import KEY_FIGURES
from rules.legal_calendar import CountyCalendar
from rules.rulebook import Rulebook
from rules.sheet import ScoreSheet
from samples import bureaus, tables
from samples.evidence import EvidenceFile, award_certificate, evidence_for
from samples.package import PackageContent, apply_defect, package_files, write_package
from samples.plan import Plan
from samples.planner import score_plan
from samples.roster import DEFECT_ROLES, Enterprise, Role
from samples.scenario import Arrival, arrivals
from samples.workbook import CENT, Claim, WorkbookStyle, claims_from_sheet

SEASON = "2025-2026"
# Sub-items a hopeful clerk claims in full although the figures give less.
OPTIMISM = {"A": 0, "B": 1, "C": 2, "D": 3}


@dataclass
class Built:
    """One enterprise with its plan, package versions and bureau rows."""

    enterprise: Enterprise
    plan: Plan
    arrivals: list[Arrival]
    paths: list[str]
    notes: list[str]
    intake_final: str
    inspections: list[dict[str, str]]
    hotline: list[dict[str, str]]
    missing_ticket: str | None
    ledger_overclaims: list[str]


def rng_for(seed: int, purpose: str, key: str = "") -> random.Random:
    """Return a generator of its own per purpose and key, so one change stays local."""
    return random.Random(f"{seed}:{purpose}:{key}")


def _window(calendar: CountyCalendar) -> tables.SeasonWindow:
    return tables.SeasonWindow(
        calendar.season_start, calendar.season_end, calendar.temperature_threshold_c
    )


def _tables(
    enterprise: Enterprise,
    plan: Plan,
    window: tables.SeasonWindow,
    rng: random.Random,
    tickets: tables.TicketBook,
) -> dict[str, list[dict[str, str]]]:
    heating = enterprise.is_heating
    complaints = tables.complaint_rows(plan, window, rng, tickets) if heating else []
    power_cut = Role.OBJECTION_REJECTED in enterprise.roles
    return {
        "complaints": complaints,
        "spot_checks": tables.spot_check_rows(plan, window, rng) if heating else [],
        "outages": tables.outage_rows(plan, window, rng, power_cut=power_cut),
        "incidents": tables.incident_rows(plan, window, rng),
        "drills": tables.event_rows(
            plan.drills, tables.DRILL_TOPICS, "YL", window, rng
        ),
        "trainings": tables.event_rows(
            rng.randint(2, 6), tables.TRAINING_TOPICS, "PX", window, rng
        ),
    }


def _evidence(
    enterprise: Enterprise,
    claimed: list[str],
    seed: int,
    prepared: datetime,
    owner: Enterprise,
) -> list[EvidenceFile]:
    files = evidence_for(
        enterprise, claimed, rng_for(seed, "evidence", enterprise.credit_code), prepared
    )
    shared_roles = {Role.EVIDENCE_OWNER, Role.FALSIFIER}
    if enterprise.roles & shared_roles:
        # The owner's real certificate; the falsifier files the very same bytes.
        certificate = award_certificate(owner, int(SEASON[:4]))
        files = [
            EvidenceFile("B2", "荣誉证书.pdf", certificate) if f.sub_item == "B2" else f
            for f in files
        ]
    return files


def build_enterprise(
    enterprise: Enterprise,
    plan: Plan,
    calendar: CountyCalendar,
    tickets: tables.TicketBook,
    rulebook: Rulebook,
    seed: int,
    out: Path,
    owner: Enterprise,
) -> Built:
    """Write every package version of one enterprise and return its records."""
    code = enterprise.credit_code
    window = _window(calendar)
    rng = rng_for(seed, "tables", code)
    rows = _tables(enterprise, plan, window, rng, tickets)
    readings = tables.readings_csv(
        plan, window, rng, chinese_headers=rng.random() < 0.35
    )
    sheet = score_plan(plan, rulebook)
    claims = claims_from_sheet(sheet, OPTIMISM[enterprise.intake_grade], rng)
    claimed = [c.sub_item for c in claims if c.points > 0]
    schedule = arrivals(enterprise, calendar, rng_for(seed, "arrival", code))
    prepared = datetime.combine(schedule[0].day - timedelta(days=1), clock(16, 30))
    style = WorkbookStyle(
        county_with_name=rng.random() < 0.7, shares_as_percent_text=rng.random() < 0.4
    )
    content = PackageContent(
        tables=rows,
        readings_csv=readings,
        key_figures={name: plan.key[name] for name in KEY_FIGURES},
        claims=claims,
        evidence=_evidence(enterprise, claimed, seed, prepared, owner),
    )
    defect_roles = sorted(enterprise.roles & DEFECT_ROLES)
    versions = [content]
    if defect_roles:
        broken = apply_defect(content, defect_roles[0], enterprise, rng)
        versions = [broken, content]

    paths, notes = [], []
    top_folder = f"{enterprise.name}{SEASON}年度综合评价申报材料"
    for arrival, version in zip(schedule, versions, strict=True):
        moment = datetime.combine(arrival.day - timedelta(days=1), clock(16, 30))
        files = package_files(enterprise, version, SEASON, rulebook, moment, style)
        target = out / "enterprises" / code / f"v{arrival.version}"
        written = write_package(target, files, enterprise.packaging, top_folder, moment)
        paths.append(written.relative_to(out).as_posix())
        notes.append(version.note)

    inspections = bureaus.inspection_rows(enterprise, plan, window, rng)
    hotline, missing = bureaus.hotline_rows(
        enterprise, rows["complaints"], window, tickets, rng
    )
    return Built(
        enterprise=enterprise,
        plan=plan,
        arrivals=schedule,
        paths=paths,
        notes=notes,
        intake_final=str(sheet.final),
        inspections=inspections,
        hotline=hotline,
        missing_ticket=missing,
        ledger_overclaims=ledger_overclaims(sheet, claims),
    )


def ledger_overclaims(sheet: ScoreSheet, claims: list[Claim]) -> list[str]:
    """Return the sub-items claimed above what the complaint ledger gives.

    Only the complaint figures and the households served decide such a sub-item,
    so intake can score it from the package alone and flags a higher claim for
    the committee's review. The hopeful claims at full points are the ones that
    differ.
    """
    claimed = {claim.sub_item: claim.points for claim in claims}
    overclaims = []
    for line in sheet.lines:
        read = set(line.inputs)
        ledger_only = read <= LEDGER_FIGURES | {"households_served"}
        decided = bool(read & LEDGER_FIGURES) and ledger_only
        points = line.points.quantize(CENT, rounding=ROUND_HALF_UP)
        if decided and claimed.get(line.rule_id, Decimal(0)) > points:
            overclaims.append(line.rule_id)
    return overclaims
