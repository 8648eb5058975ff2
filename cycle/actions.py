"""Each human decision as one call: its own transaction, its refusal kept on file.

The decision flows, the `heateval` commands and the demo all record decisions
through these functions, so a decision behaves the same from the UI's run form,
the command line and a script. Each returns a small summary dict.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from cycle import decisions
from cycle.corrections import parse_corrections
from cycle.objections import find_enterprise, parse_changes
from storage.db import session_scope


def _county_of(credit_code: str) -> str | None:
    """Return the enterprise's county, or None when the code is unknown."""
    from cycle.errors import CycleError

    with session_scope() as session:
        try:
            return find_enterprise(session, credit_code).county_code
        except CycleError:
            return None


def file_objection(
    *,
    season: str,
    credit_code: str,
    kind: str,
    filed_by: str,
    contact: str,
    grounds: str,
    filed_on: date,
) -> dict[str, Any]:
    """Record a written objection (anyone) or an appeal (the enterprise itself)."""
    return decisions.run_decision(
        f"file {kind}",
        filed_by,
        _county_of(credit_code),
        lambda session: decisions.objection_summary(
            decisions.file_objection(
                session,
                season_label=season,
                credit_code=credit_code,
                kind=kind,
                filed_by=filed_by,
                contact=contact,
                grounds=grounds,
                filed_on=filed_on,
            )
        ),
    )


def decide_objection(
    *,
    reference: str,
    verdict: str,
    reason: str,
    member: str,
    decided_on: date,
    sub_items: list[str] | None = None,
    corrections: list[str] | None = None,
) -> dict[str, Any]:
    """Record the committee's verdict; `sub_items` are changes like `C1.4=0.5`,
    `corrections` figures like `satisfaction_rate=0.95`."""
    changes = parse_changes(sub_items or [])
    figures = parse_corrections(corrections or [])
    return decisions.run_decision(
        f"decide {reference}",
        member,
        decisions.objection_county(reference),
        lambda session: decisions.objection_summary(
            decisions.decide_objection(
                session,
                reference=reference,
                verdict=verdict,
                reason=reason,
                member=member,
                decided_on=decided_on,
                changes=changes,
                corrections=figures,
            )
        ),
    )


def adjust_sub_item(
    *,
    season: str,
    credit_code: str,
    sub_item: str,
    points: Decimal | str,
    reason: str,
    member: str,
) -> dict[str, Any]:
    """Set a judgement-based sub-item within its bounds, with the reason."""
    return decisions.run_decision(
        f"adjust {sub_item}",
        member,
        _county_of(credit_code),
        lambda session: decisions.adjust_sub_item(
            session,
            season_label=season,
            credit_code=credit_code,
            sub_item=sub_item,
            points=points,
            reason=reason,
            member=member,
        ),
    )


def correct_figure(
    *,
    season: str,
    credit_code: str,
    field: str,
    value: str,
    reason: str,
    member: str,
) -> dict[str, Any]:
    """Correct a verified figure, e.g. falsified_materials=true after review."""
    return decisions.run_decision(
        f"correct {field}",
        member,
        _county_of(credit_code),
        lambda session: decisions.correct_figure(
            session,
            season_label=season,
            credit_code=credit_code,
            field=field,
            value=value,
            reason=reason,
            member=member,
        ),
    )


def city_review(
    *,
    season: str,
    county: str,
    decision: str,
    reviewer: str,
    decided_on: date,
    reasons: str = "",
    enterprises: list[str] | None = None,
) -> dict[str, Any]:
    """Confirm a county's results for the city, or return them with reasons."""

    def decide(session: Any) -> dict[str, Any]:
        escalation = decisions.record_city_review(
            session,
            season_label=season,
            county=county,
            decision=decision,
            reviewer=reviewer,
            decided_on=decided_on,
            reasons=reasons,
            enterprises=enterprises or [],
        )
        return {"status": escalation.status, "attempt": escalation.attempt}

    return decisions.run_decision(f"{decision} county", reviewer, county, decide)


def rectification_check(
    *,
    season: str,
    credit_code: str,
    outcome: str,
    member: str,
    note: str,
    checked_on: date,
) -> dict[str, Any]:
    """Record whether an enterprise rectified by its deadline."""

    def decide(session: Any) -> dict[str, Any]:
        order = decisions.record_rectification_check(
            session,
            season_label=season,
            credit_code=credit_code,
            outcome=outcome,
            member=member,
            checked_on=checked_on,
            note=note,
        )
        return {"status": order.status, "deadline": order.deadline.isoformat()}

    return decisions.run_decision(
        "rectification check", member, _county_of(credit_code), decide
    )
