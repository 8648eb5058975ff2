"""Generate the sample season: enterprise packages, bureau records and scenario.yaml.

Run `python -m samples.generate [--seed 2025] [--out samples/2025-2026]
[--enterprises 60] [--readings-per-household 6]`. The same arguments always give
byte-identical files. Every enterprise's figures are planned with the scoring engine
and checked again after the scripted decisions, so the generator fails rather than
write a season whose grades differ from its script.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import yaml

from intake.schema import KEY_FIGURES
from rules.legal_calendar import CountyCalendar, season_calendars
from rules.rulebook import Rulebook, load_rulebook
from samples import bureaus, tables
from samples.evidence import (
    EvidenceFile,
    award_certificate,
    check_evidence_table,
    evidence_for,
)
from samples.expected import check_intended_grades, figures_record
from samples.package import (
    DEFECT_DESIGNS,
    PackageContent,
    apply_defect,
    package_files,
    write_package,
)
from samples.plan import Plan, plan_enterprise, score_plan
from samples.roster import DEFECT_ROLES, Enterprise, Role, build_roster
from samples.scenario import (
    SCHEMA_VERSION,
    SIMULATION_END,
    Arrival,
    arrivals,
    city_reviewers,
    committee,
    scripted_events,
)
from samples.workbook import WorkbookStyle, claims_from_sheet

SEASON = "2025-2026"
DEFAULT_OUT = Path(__file__).resolve().parent / SEASON
# 66 readings spread over a season of up to 190 days are at most 70 hours apart,
# inside the 72 hours after which intake reports a device's gap.
DEFAULT_READINGS_PER_HOUSEHOLD = 66
# Sub-items a hopeful clerk claims in full although the figures give less.
OPTIMISM = {"A": 0, "B": 1, "C": 2, "D": 3}


@dataclass
class Summary:
    """Counts, size and duration of one generator run."""

    out: Path
    enterprises: int
    packages: int
    files: int
    bytes: int
    readings: int
    grades: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


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


def _rng(seed: int, purpose: str, key: str = "") -> random.Random:
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
        enterprise, claimed, _rng(seed, "evidence", enterprise.credit_code), prepared
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
    rng = _rng(seed, "tables", code)
    rows = _tables(enterprise, plan, window, rng, tickets)
    readings = tables.readings_csv(
        plan, window, rng, chinese_headers=rng.random() < 0.35
    )
    sheet = score_plan(plan, rulebook)
    claims = claims_from_sheet(sheet, OPTIMISM[enterprise.intake_grade], rng)
    claimed = [c.sub_item for c in claims if c.points > 0]
    schedule = arrivals(enterprise, calendar, _rng(seed, "arrival", code))
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
    )


def _review_findings(built: Built) -> list[dict[str, str]]:
    """Findings for the committee that the accepted package should raise."""
    roles = built.enterprise.roles
    findings = []
    if built.missing_ticket:
        findings.append(
            {"rule": "complaints.hotline_ticket.missing", "value": built.missing_ticket}
        )
    if Role.FALSIFIER in roles:
        findings.append(
            {"rule": "evidence.sha256.shared", "value": "evidence/B2/荣誉证书.pdf"}
        )
    return findings


def _package_records(built: Built) -> list[dict[str, Any]]:
    enterprise = built.enterprise
    defect_roles = sorted(enterprise.roles & DEFECT_ROLES)
    records = []
    for index, (arrival, path) in enumerate(
        zip(built.arrivals, built.paths, strict=True)
    ):
        record: dict[str, Any] = {
            "version": arrival.version,
            "path": path,
            "arrives": arrival.day,
            "late": arrival.late,
        }
        if defect_roles and index == 0:
            design = DEFECT_DESIGNS[defect_roles[0]]
            record["expect"] = "rejected"
            record["defects"] = list(design["rules"])
            record["review_findings"] = []
            record["design"] = design["summary"]
            record["changed"] = built.notes[0]
        else:
            record["expect"] = "accepted"
            record["defects"] = []
            record["review_findings"] = _review_findings(built)
        records.append(record)
    return records


def enterprise_record(built: Built) -> dict[str, Any]:
    """Return the scenario entry of one enterprise."""
    enterprise = built.enterprise
    record: dict[str, Any] = {
        "credit_code": enterprise.credit_code,
        "name": enterprise.name,
        "county": enterprise.county.code,
        "type": enterprise.kind,
        "households_served": enterprise.households,
        "contact": {
            "name": enterprise.contact.name,
            "phone": enterprise.phone,
            "email": enterprise.email,
        },
        "roles": sorted(role.value for role in enterprise.roles),
        "intake_grade": enterprise.intake_grade,
        "intake_final": built.intake_final,
        "intended_grade": enterprise.final_grade,
        "packaging": enterprise.packaging.value,
        "table_encoding": enterprise.table_encoding,
        "packages": _package_records(built),
    }
    if Role.LATE_AFTER_REMINDERS in enterprise.roles:
        record["reminders_expected"] = True
    record.update(figures_record(built.plan))
    return record


def _county_record(
    calendar: CountyCalendar, people: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "name": calendar.county_name,
        "season_start": calendar.season_start,
        "season_end": calendar.season_end,
        "intake_deadline": calendar.intake_deadline,
        "report_due": calendar.county_report_due,
        "temperature_threshold_c": str(calendar.temperature_threshold_c),
        "bureau_records": f"bureaus/{calendar.county_code}",
        "committee": people,
    }


def _clear(out: Path) -> None:
    """Remove what an earlier run wrote, and nothing else."""
    for name in ("enterprises", "bureaus"):
        if (out / name).is_dir():
            shutil.rmtree(out / name)
    (out / "scenario.yaml").unlink(missing_ok=True)


def _write_bureaus(out: Path, built: list[Built]) -> None:
    for county in sorted({b.enterprise.county.code for b in built}):
        folder = out / "bureaus" / county
        folder.mkdir(parents=True, exist_ok=True)
        in_county = [b for b in built if b.enterprise.county.code == county]
        inspections = [row for b in in_county for row in b.inspections]
        hotline = [row for b in in_county for row in b.hotline]
        (folder / "inspections.csv").write_bytes(
            bureaus.bureau_csv("inspections", inspections)
        )
        (folder / "hotline.csv").write_bytes(bureaus.bureau_csv("hotline", hotline))


class _PlainDumper(yaml.SafeDumper):
    """A YAML dumper that repeats equal values instead of writing anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _yaml_text(data: dict[str, Any], seed: int, total: int, per_household: int) -> str:
    header = (
        f"# Script of the sample season {SEASON}, written by samples/generate.py;"
        " do not edit.\n"
        f"# Regenerate: python -m samples.generate --seed {seed} --enterprises {total}"
        f" --readings-per-household {per_household}\n"
        "# Field reference: samples/README.md\n"
    )
    body = yaml.dump(
        data, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=100
    )
    return header + body


def generate_season(
    out: Path = DEFAULT_OUT,
    seed: int = 2025,
    enterprises: int = 60,
    readings_per_household: int = DEFAULT_READINGS_PER_HOUSEHOLD,
) -> Summary:
    """Write the sample season into `out` and return what was written."""
    started = time.perf_counter()
    rulebook = load_rulebook()
    check_evidence_table()
    calendars = {c.county_code: c for c in season_calendars(SEASON)}
    roster = build_roster(_rng(seed, "roster"), enterprises)
    plans = {
        e.credit_code: plan_enterprise(
            e, _rng(seed, "plan", e.credit_code), rulebook, readings_per_household
        )
        for e in roster
    }
    used_names = {e.contact.name for e in roster} | {e.contact.handle for e in roster}
    people_rng = _rng(seed, "people")
    people = committee(people_rng, list(calendars.values()), used_names)
    reviewers = city_reviewers(people_rng, used_names)
    events = scripted_events(roster, people, reviewers, _rng(seed, "events"))
    check_intended_grades(roster, plans, events, rulebook)

    out.mkdir(parents=True, exist_ok=True)
    _clear(out)
    owner = next(e for e in roster if Role.EVIDENCE_OWNER in e.roles)
    tickets = {
        code: tables.TicketBook(_rng(seed, "tickets", code)) for code in calendars
    }
    built = [
        build_enterprise(
            e,
            plans[e.credit_code],
            calendars[e.county.code],
            tickets[e.county.code],
            rulebook,
            seed,
            out,
            owner,
        )
        for e in roster
    ]
    _write_bureaus(out, built)

    scenario = {
        "schema": SCHEMA_VERSION,
        "season": SEASON,
        "seed": seed,
        "rulebook_version": rulebook.version,
        "simulation": {
            "start": min(c.season_end for c in calendars.values()) + timedelta(days=1),
            "end": SIMULATION_END,
        },
        "counties": {
            code: _county_record(c, people[code])
            for code, c in sorted(calendars.items())
        },
        "city_reviewers": reviewers,
        "enterprises": [enterprise_record(b) for b in built],
        "events": events,
        "expected_grades": dict(sorted(Counter(e.final_grade for e in roster).items())),
    }
    text = _yaml_text(scenario, seed, enterprises, readings_per_household)
    (out / "scenario.yaml").write_text(text, encoding="utf-8")

    files = [p for p in out.rglob("*") if p.is_file()]
    return Summary(
        out=out,
        enterprises=len(roster),
        packages=sum(len(b.paths) for b in built),
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
        readings=sum(p.readings for p in plans.values()),
        grades=scenario["expected_grades"],
        seconds=time.perf_counter() - started,
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, generate the season and print a summary."""
    parser = argparse.ArgumentParser(
        prog="python -m samples.generate",
        description="Generate the sample heating season.",
    )
    parser.add_argument(
        "--seed", type=int, default=2025, help="random seed (default 2025)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output folder (default {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--enterprises", type=int, default=60, help="number of enterprises, at least 36"
    )
    parser.add_argument(
        "--readings-per-household",
        type=int,
        default=DEFAULT_READINGS_PER_HOUSEHOLD,
        help="room-temperature readings per measured household over the season "
        f"(default {DEFAULT_READINGS_PER_HOUSEHOLD}, about one every 66 hours; "
        "732 is one every 6 hours)",
    )
    args = parser.parse_args(argv)
    if args.readings_per_household < 1:
        parser.error("--readings-per-household must be at least 1")
    try:
        summary = generate_season(
            args.out, args.seed, args.enterprises, args.readings_per_household
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"wrote {summary.enterprises} enterprises, {summary.packages} packages, "
        f"{summary.files} files ({summary.bytes / 1024**2:.1f} MiB, "
        f"{summary.readings} readings) to {summary.out} in {summary.seconds:.1f} s; "
        f"grades {summary.grades}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
