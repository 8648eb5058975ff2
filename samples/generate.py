"""Generate the sample season: enterprise packages, bureau records and scenario.yaml.

Run `python -m samples.generate [--seed 2025] [--out samples/2025-2026]
[--enterprises 60] [--readings-per-household 66]`. The same arguments always give
byte-identical files. Every enterprise's figures are planned with the scoring engine
and checked again after the scripted decisions, so the generator fails rather than
write a season whose grades differ from its script.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from rules.legal_calendar import season_calendars
from rules.rulebook import load_rulebook
from samples import bureaus, tables
from samples.build import SEASON, Built, build_enterprise, rng_for
from samples.events import scripted_events
from samples.evidence import check_evidence_table
from samples.expected import check_intended_grades
from samples.planner import plan_enterprise
from samples.records import county_record, enterprise_record, scenario_text
from samples.roster import Role, build_roster
from samples.scenario import SCHEMA_VERSION, SIMULATION_END, city_reviewers, committee

DEFAULT_OUT = Path(__file__).resolve().parent / SEASON
# 66 readings spread over a season of up to 190 days are at most 70 hours apart,
# inside the 72 hours after which intake reports a device's gap.
DEFAULT_READINGS_PER_HOUSEHOLD = 66


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
    roster = build_roster(rng_for(seed, "roster"), enterprises)
    plans = {
        e.credit_code: plan_enterprise(
            e, rng_for(seed, "plan", e.credit_code), rulebook, readings_per_household
        )
        for e in roster
    }
    used_names = {e.contact.name for e in roster} | {e.contact.handle for e in roster}
    people_rng = rng_for(seed, "people")
    people = committee(people_rng, list(calendars.values()), used_names)
    reviewers = city_reviewers(people_rng, used_names)
    events = scripted_events(roster, people, reviewers, rng_for(seed, "events"))
    check_intended_grades(roster, plans, events, rulebook)

    out.mkdir(parents=True, exist_ok=True)
    _clear(out)
    owner = next(e for e in roster if Role.EVIDENCE_OWNER in e.roles)
    tickets = {
        code: tables.TicketBook(rng_for(seed, "tickets", code)) for code in calendars
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
            code: county_record(c, people[code])
            for code, c in sorted(calendars.items())
        },
        "city_reviewers": reviewers,
        "enterprises": [enterprise_record(b) for b in built],
        "events": events,
        "expected_grades": dict(sorted(Counter(e.final_grade for e in roster).items())),
    }
    text = scenario_text(scenario, seed, enterprises, readings_per_household)
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
