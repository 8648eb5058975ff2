"""Decision flows: what people record, with typed parameters for the UI's run form.

Each one names the person acting, who must be registered for the county and role.
Anyone else is rejected, and the attempt is kept on file.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from prefect import flow

from cycle import actions
from flows.common import today_or_now


@flow(name="file-objection", flow_run_name="file-objection {season} {credit_code}")
def file_objection(
    season: str,
    credit_code: str,
    filed_by: str,
    contact: str,
    grounds: str,
    kind: Literal["objection", "appeal"] = "objection",
    filed_on: date | None = None,
) -> dict[str, Any]:
    """Record a written objection (anyone) or an appeal (the enterprise itself)."""
    return actions.file_objection(
        season=season,
        credit_code=credit_code,
        kind=kind,
        filed_by=filed_by,
        contact=contact,
        grounds=grounds,
        filed_on=today_or_now(filed_on),
    )


@flow(name="decide-objection", flow_run_name="decide-objection {reference}")
def decide_objection(
    reference: str,
    verdict: Literal["upheld", "rejected"],
    reason: str,
    member: str,
    sub_items: list[str] | None = None,
    corrections: list[str] | None = None,
    decided_on: date | None = None,
) -> dict[str, Any]:
    """Record the committee's verdict on an objection.

    `sub_items` set judgement sub-items, like C1.4=0.5; `corrections` correct the
    figures computed sub-items come from, like satisfaction_rate=0.95.
    """
    return actions.decide_objection(
        reference=reference,
        verdict=verdict,
        reason=reason,
        member=member,
        decided_on=today_or_now(decided_on),
        sub_items=sub_items,
        corrections=corrections,
    )


@flow(name="decide-appeal", flow_run_name="decide-appeal {reference}")
def decide_appeal(
    reference: str,
    verdict: Literal["upheld", "rejected"],
    reason: str,
    member: str,
    sub_items: list[str] | None = None,
    corrections: list[str] | None = None,
    decided_on: date | None = None,
) -> dict[str, Any]:
    """Record the committee's decision on an enterprise's appeal.

    `sub_items` and `corrections` as for an objection's verdict.
    """
    return actions.decide_objection(
        reference=reference,
        verdict=verdict,
        reason=reason,
        member=member,
        decided_on=today_or_now(decided_on),
        sub_items=sub_items,
        corrections=corrections,
    )


@flow(name="adjust-sub-item", flow_run_name="adjust {season} {credit_code} {sub_item}")
def adjust_sub_item(
    season: str,
    credit_code: str,
    sub_item: str,
    points: Decimal,
    reason: str,
    member: str,
) -> dict[str, Any]:
    """Set a judgement-based sub-item within its bounds, with a mandatory reason."""
    return actions.adjust_sub_item(
        season=season,
        credit_code=credit_code,
        sub_item=sub_item,
        points=points,
        reason=reason,
        member=member,
    )


@flow(name="correct-figure", flow_run_name="correct {season} {credit_code} {field}")
def correct_figure(
    season: str, credit_code: str, field: str, value: str, reason: str, member: str
) -> dict[str, Any]:
    """Correct a verified figure, e.g. falsified_materials=true after review."""
    return actions.correct_figure(
        season=season,
        credit_code=credit_code,
        field=field,
        value=value,
        reason=reason,
        member=member,
    )


@flow(
    name="city-review-decision",
    flow_run_name="city-review-decision {season} {county} {decision}",
)
def city_review_decision(
    season: str,
    county: str,
    decision: Literal["confirm", "return"],
    reviewer: str,
    reasons: str = "",
    enterprises: list[str] | None = None,
    decided_on: date | None = None,
) -> dict[str, Any]:
    """The city confirms a county's results, or returns them with reasons."""
    return actions.city_review(
        season=season,
        county=county,
        decision=decision,
        reviewer=reviewer,
        decided_on=today_or_now(decided_on),
        reasons=reasons,
        enterprises=enterprises,
    )


@flow(
    name="rectification-check",
    flow_run_name="rectification-check {season} {credit_code}",
)
def rectification_check(
    season: str,
    credit_code: str,
    outcome: Literal["rectified", "failed"],
    member: str,
    note: str,
    checked_on: date | None = None,
) -> dict[str, Any]:
    """Record whether an enterprise rectified by its deadline."""
    return actions.rectification_check(
        season=season,
        credit_code=credit_code,
        outcome=outcome,
        member=member,
        note=note,
        checked_on=today_or_now(checked_on),
    )
