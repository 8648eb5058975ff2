"""The demo: the whole 2025-2026 cycle of the sample season in compressed time.

It starts the default database afresh, registers the sample enterprises and
people, then walks the calendar day by day from the day after the first season
ends. Each day it delivers the packages that arrive that day, records the
scripted decisions that fall on it, and runs the cycle flow when any stage is
due. It prints one line per day that changed something.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cycle import actions
from cycle.advance import anything_due
from cycle.errors import CycleDayError, CycleError
from cycle.receive import receive_package
from cycle.scenario import SAMPLE_SEASON, anchor_day, arrivals_on, load_scenario
from cycle.setup import (
    ensure_season,
    get_season,
    register_enterprise,
    register_person,
)
from cycle.stages import Stage
from heateval.settings import SAMPLES_DIR, Settings
from storage.db import dispose_engines, get_engine, session_scope
from storage.models import County, CreditRecord, Cycle, Enterprise
from storage.utcclock import LOCAL_ZONE

# Packages arrive during office hours; the exact minute only matters for "late".
ARRIVAL_TIME = clock(10, 30)
FINISHED = {Stage.FOLLOW_UP, Stage.CLOSED}


@dataclass
class DemoResult:
    """Outcome of a demo run, for its final report and for tests."""

    days_run: int = 0
    lines: list[str] = field(default_factory=list)
    grades: dict[str, Counter] = field(default_factory=dict)
    events_done: list[str] = field(default_factory=list)
    failed_days: list[str] = field(default_factory=list)
    seconds: float = 0.0


def reset_home(settings: Settings) -> None:
    """Remove the default database and what the previous demo wrote next to it."""
    dispose_engines()
    database = settings.home / "heateval.db"
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)
    for folder in (
        settings.files_dir,
        settings.capture_dir,
        settings.rejected_dir,
        settings.publication_dir,
    ):
        if folder.is_dir():
            shutil.rmtree(folder)
    settings.home.mkdir(parents=True, exist_ok=True)


def register_cast(scenario: dict[str, Any]) -> None:
    """Register the enterprises, committee members and city reviewers."""
    from cycle.scoring import rulebook

    with session_scope() as session:
        ensure_season(session, scenario["season"], rulebook().version)
        for item in scenario["enterprises"]:
            contact = item.get("contact") or {}
            register_enterprise(
                session,
                credit_code=item["credit_code"],
                name=item["name"],
                county=item["county"],
                type=item["type"],
                contact_name=contact.get("name", ""),
                contact_email=contact.get("email", ""),
                contact_phone=contact.get("phone", ""),
            )
        for code, county in scenario["counties"].items():
            for member in county.get("committee", []):
                register_person(
                    session,
                    name=member["name"],
                    role="committee",
                    county=code,
                    email=member.get("email", ""),
                )
        for reviewer in scenario.get("city_reviewers", []):
            register_person(
                session,
                name=reviewer["name"],
                role="city_reviewer",
                county=None,
                email=reviewer.get("email", ""),
            )


def _stages() -> dict[str, str]:
    with session_scope() as session:
        return dict(session.execute(select(Cycle.county_code, Cycle.stage)).all())


def _names() -> dict[str, str]:
    with session_scope() as session:
        return dict(session.execute(select(County.code, County.name)).all())


def _receive(
    path: str,
    season: str,
    received_at: str,
    source: str,
    county: str | None,
    actor: str,
) -> tuple[bool, bool, list[str]]:
    """Receive one package; run in a worker process, so it takes plain values."""
    outcome = receive_package(
        Path(path),
        season=season,
        received_at=datetime.fromisoformat(received_at),
        source=source,
        county=county,
        actor=actor,
    )
    return outcome.accepted, outcome.late, sorted({d.rule for d in outcome.defects})


class Player:
    """Plays the scenario's arrivals and decisions on the days they fall.

    Packages that arrive on the same day are checked and stored by `workers`
    processes side by side, as uploads from different enterprises would be; the
    checks (Great Expectations) are most of the demo's work.
    """

    def __init__(self, scenario: dict[str, Any], folder: Path, workers: int) -> None:
        self.scenario = scenario
        self.folder = folder
        self.season = scenario["season"]
        self.done: set[str] = set()
        self.references: dict[str, str] = {}
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    def close(self) -> None:
        """Stop the worker processes."""
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None

    def _receive_all(self, jobs: list[tuple]) -> list[tuple[bool, bool, list[str]]]:
        if self.workers <= 1 or len(jobs) <= 1:
            return [_receive(*job) for job in jobs]
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=get_context("spawn")
            )
        return list(self.pool.map(_receive, *zip(*jobs, strict=True)))

    def deliver(self, day: date) -> list[str]:
        """Submit the bureau records on the first day and each package on its day."""
        notes = []
        received_at = datetime.combine(day, ARRIVAL_TIME, LOCAL_ZONE).isoformat()
        if "bureaus" not in self.done:
            self.done.add("bureaus")
            jobs = [
                (
                    str(self.folder / county["bureau_records"]),
                    self.season,
                    received_at,
                    "bureau",
                    code,
                    f"bureau:{code}",
                )
                for code, county in self.scenario["counties"].items()
            ]
            for (_, _, _, _, code, _), (accepted, _, rules) in zip(
                jobs, self._receive_all(jobs), strict=True
            ):
                if not accepted:
                    notes.append(f"bureau records of {code} rejected: {rules}")
            notes.append(f"bureau records of {len(jobs)} counties received")
        jobs = [
            (
                str(self.folder / package["path"]),
                self.season,
                received_at,
                "enterprise",
                None,
                f"enterprise:{enterprise['credit_code']}",
            )
            for enterprise, package in arrivals_on(self.scenario, day)
        ]
        counts: Counter[str] = Counter()
        for accepted, late, _ in self._receive_all(jobs):
            counts["received"] += 1
            counts["late"] += bool(late)
            counts["rejected"] += not accepted
        if counts:
            plural = "" if counts["received"] == 1 else "s"
            notes.append(
                f"{counts['received']} package{plural} received"
                f" ({counts['rejected']} rejected, {counts['late']} late)"
            )
        return notes

    def decide(self, day: date) -> list[str]:
        """Record every scripted decision whose day has come."""
        notes = []
        for event in self.scenario.get("events", []):
            if event["id"] in self.done:
                continue
            with session_scope() as session:
                when = anchor_day(session, get_season(session, self.season), event)
            if when is None or when > day:
                continue
            notes.append(self._apply(event, day))
            self.done.add(event["id"])
        return notes

    def _apply(self, event: dict[str, Any], day: date) -> str:
        action = event["action"]
        season = self.season
        code = event.get("enterprise")
        if action == "objection":
            summary = actions.file_objection(
                season=season,
                credit_code=code,
                kind=event["kind"],
                filed_by=event["filed_by"],
                contact=event["contact"],
                grounds=event["grounds"],
                filed_on=day,
            )
            self.references[event["reference"]] = summary["reference"]
            return f"{event['kind']} {summary['reference']} filed ({summary['status']})"
        if action == "objection_verdict":
            reference = self.references[event["reference"]]
            actions.decide_objection(
                reference=reference,
                verdict=event["status"],
                reason=event["reason"],
                member=event["by"],
                decided_on=day,
                sub_items=[
                    f"{a['sub_item']}={a['points']}"
                    for a in event.get("adjustments", [])
                ],
            )
            return f"{reference} {event['status']}"
        if action == "committee_adjustment":
            actions.adjust_sub_item(
                season=season,
                credit_code=code,
                sub_item=event["sub_item"],
                points=event["points"],
                reason=event["reason"],
                member=event["by"],
            )
            return f"{code} {event['sub_item']} set to {event['points']}"
        if action == "falsified_materials":
            actions.correct_figure(
                season=season,
                credit_code=code,
                field="falsified_materials",
                value=str(event["value"]).lower(),
                reason=event["reason"],
                member=event["by"],
            )
            return f"{code} found to have falsified materials"
        if action == "city_review":
            actions.city_review(
                season=season,
                county=event["county"],
                decision="confirm" if event["status"] == "confirmed" else "return",
                reviewer=event["by"],
                decided_on=day,
                reasons=event.get("reasons", ""),
                enterprises=event.get("enterprises", []),
            )
            return f"city {event['status']} {event['county']}"
        if action == "rectification_check":
            actions.rectification_check(
                season=season,
                credit_code=code,
                outcome=event["outcome"],
                member=event["by"],
                note=event["note"],
                checked_on=day,
            )
            return f"{code} rectification {event['outcome']}"
        raise CycleError(f"event {event['id']}: unknown action {action!r}")

    def finished(self) -> bool:
        """Return whether every scripted decision is recorded."""
        return all(e["id"] in self.done for e in self.scenario.get("events", []))


def _stage_changes(
    before: dict[str, str], after: dict[str, str], names: dict[str, str]
) -> str:
    moved: dict[str, list[str]] = {}
    for code, stage in sorted(after.items()):
        if before.get(code) != stage:
            moved.setdefault(stage, []).append(names.get(code, code))
    return "; ".join(
        f"{', '.join(counties)} → {stage}" for stage, counties in moved.items()
    )


def run_demo(
    echo: Callable[[str], None] = print,
    *,
    samples: Path = SAMPLES_DIR / SAMPLE_SEASON,
    direct: bool = False,
    settings: Settings | None = None,
    reset: bool = True,
    workers: int = 2,
) -> DemoResult:
    """Run the sample season to final publication and the first follow-ups."""
    from heateval.settings import get_settings
    from storage.migrate import upgrade_database

    started = time.perf_counter()
    settings = settings or get_settings()
    scenario = load_scenario(samples)
    result = DemoResult()

    if reset:
        reset_home(settings)
    upgrade_database(get_engine(settings.db_url))
    register_cast(scenario)
    names = _names()
    player = Player(scenario, samples, workers)
    try:
        with _without_heartbeats(direct):
            _play(player, scenario, names, result, echo, direct)
    finally:
        player.close()
    result.events_done = sorted(player.done)
    result.grades = grade_table()
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def _without_heartbeats(direct: bool) -> Iterator[None]:
    """Run the demo's flow runs without Prefect's flow-run heartbeats.

    A heartbeat lets the server notice that a run on a worker has crashed, but the
    demo's runs live in this process and end within seconds. Prefect 3.9.1 stops a
    run's heartbeat thread by joining it, which waits up to a second after each of
    the demo's 50-odd runs. The daily deployment in production keeps its heartbeats.
    """
    if direct:
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def _play(
    player: Player,
    scenario: dict[str, Any],
    names: dict[str, str],
    result: DemoResult,
    echo: Callable[[str], None],
    direct: bool,
) -> None:
    """Walk the calendar until every decision is made and every county finished."""
    from flows.cycle import evaluation_cycle
    from tasks.runtime import direct_mode

    day = date.fromisoformat(str(scenario["simulation"]["start"]))
    last = date.fromisoformat(str(scenario["simulation"]["end"]))
    while day <= last:
        before = _stages()
        notes = player.deliver(day) + player.decide(day)
        with session_scope() as session:
            due = anything_due(session, get_season(session, SAMPLE_SEASON), day)
        if due or notes:
            result.days_run += 1
            try:
                if direct:
                    with direct_mode():
                        evaluation_cycle.fn(season=SAMPLE_SEASON, today=day)
                else:
                    evaluation_cycle(season=SAMPLE_SEASON, today=day)
            except Exception as error:
                notes.append(f"{_failure_note(error)}; due again tomorrow")
                result.failed_days.append(day.isoformat())
        moved = _stage_changes(before, _stages(), names)
        if moved:
            notes.append(moved)
        if notes:
            line = f"{day}  " + " | ".join(notes)
            result.lines.append(line)
            echo(line)
        after = _stages()
        if player.finished() and set(after.values()) <= FINISHED:
            break
        day += timedelta(days=1)


def _failure_note(error: Exception, limit: int = 200) -> str:
    """Return which stages failed and why, cut to `limit` characters."""
    if isinstance(error, CycleDayError):
        failed = error.failed.items()
        text = "; ".join(f"{stage} failed: {why}" for stage, why in failed)
    else:
        text = f"cycle failed: {error}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def grade_table() -> dict[str, Counter]:
    """Final grades per county name, from the credit archive."""
    with session_scope() as session:
        rows = session.execute(
            select(County.name, CreditRecord.grade)
            .join(Enterprise, Enterprise.county_code == County.code)
            .join(CreditRecord, CreditRecord.enterprise_id == Enterprise.id)
            .order_by(County.code)
        ).all()
    table: dict[str, Counter] = {}
    for name, grade in rows:
        table.setdefault(name, Counter())[grade] += 1
    return table
