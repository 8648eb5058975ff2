"""Expected outcomes of the scenario: scores before and after the scripted decisions.

These functions read scenario data (the dicts of `scenario.yaml`), so the generator
can check a season before writing it and the tests can check the committed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rules.engine import score
from rules.figures import Figures
from rules.rulebook import Rulebook
from rules.sheet import Adjustment, ScoreSheet
from samples.plan import Plan


@dataclass(frozen=True)
class Outcome:
    """One enterprise's sheet from its package alone and after all decisions."""

    credit_code: str
    intake: ScoreSheet
    final: ScoreSheet


def figures_record(plan: Plan) -> dict[str, Any]:
    """Return the scenario's `figures` and `counts` of a plan."""
    return {
        "figures": plan.figures().model_dump(mode="json"),
        "counts": {
            "readings": {
                "households": plan.measured,
                "per_household": plan.readings_per_household,
                "rows": plan.readings,
                "below_threshold": plan.below_threshold,
            },
            "complaints": {
                "valid": plan.valid,
                "responded_on_time": plan.on_time,
                "unclosed": plan.unclosed,
                "called_back": plan.callbacks,
                "satisfied": plan.satisfied,
                "repeat": plan.repeats,
                "caused_by_household": plan.own_cause,
                "invalid": plan.invalid,
            },
            "findings": {
                "total": plan.findings_total,
                "fixed_on_time": plan.findings_fixed,
            },
            "faults": list(plan.faults),
        },
    }


def decisions_for(
    credit_code: str, events: list[dict[str, Any]]
) -> tuple[list[Adjustment], bool]:
    """Return the committee adjustments and the falsified-materials finding of one
    enterprise, as the scripted events leave them; a later adjustment of the same
    sub-item replaces an earlier one."""
    adjusted: dict[str, Adjustment] = {}
    falsified = False
    for event in events:
        if event.get("enterprise") != credit_code:
            continue
        action = event["action"]
        if action == "committee_adjustment":
            items = [{"sub_item": event["sub_item"], "points": event["points"]}]
        elif action == "objection_verdict" and event["status"] == "upheld":
            items = event.get("adjustments", [])
        elif action == "falsified_materials":
            falsified = bool(event["value"])
            continue
        else:
            continue
        for item in items:
            adjusted[item["sub_item"]] = Adjustment(
                sub_item=item["sub_item"],
                points=Decimal(item["points"]),
                reason=event["reason"],
                member=event["by"],
            )
    return list(adjusted.values()), falsified


def outcomes(
    enterprises: list[dict[str, Any]], events: list[dict[str, Any]], rulebook: Rulebook
) -> list[Outcome]:
    """Score every enterprise from its figures, then with its decisions applied."""
    results = []
    for record in enterprises:
        figures = Figures.model_validate(record["figures"])
        adjustments, falsified = decisions_for(record["credit_code"], events)
        decided = figures.model_copy(update={"falsified_materials": falsified})
        results.append(
            Outcome(
                credit_code=record["credit_code"],
                intake=score(figures, rulebook),
                final=score(decided, rulebook, adjustments),
            )
        )
    return results


def grade_problems(
    enterprises: list[dict[str, Any]], events: list[dict[str, Any]], rulebook: Rulebook
) -> list[str]:
    """List every enterprise whose intake or final grade differs from the script."""
    by_code = {record["credit_code"]: record for record in enterprises}
    problems = []
    for outcome in outcomes(enterprises, events, rulebook):
        record = by_code[outcome.credit_code]
        if outcome.intake.grade != record["intake_grade"]:
            problems.append(
                f"{outcome.credit_code}: intake grade {outcome.intake.grade} "
                f"({outcome.intake.final}), script says {record['intake_grade']}"
            )
        if outcome.final.grade != record["intended_grade"]:
            problems.append(
                f"{outcome.credit_code}: final grade {outcome.final.grade} "
                f"({outcome.final.final}), script says {record['intended_grade']}"
            )
    return problems


def check_intended_grades(
    roster: list[Any],
    plans: dict[str, Plan],
    events: list[dict[str, Any]],
    rulebook: Rulebook,
) -> None:
    """Raise ValueError when any planned enterprise misses its scripted grades."""
    records = [
        {
            "credit_code": e.credit_code,
            "intake_grade": e.intake_grade,
            "intended_grade": e.final_grade,
            **figures_record(plans[e.credit_code]),
        }
        for e in roster
    ]
    problems = grade_problems(records, events, rulebook)
    if problems:
        raise ValueError(
            "planned grades differ from the script:\n  " + "\n  ".join(problems)
        )
