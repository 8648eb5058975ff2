"""Checks across tables and across enterprises, which no single table can express.

Per-row facts (a ledger row's hotline ticket status, an evidence file shared with
another enterprise, a claim without evidence) become computed columns that the
table suites hand to GX. Facts with no row in any table of the package (a hotline
ticket missing from the ledger, counts that exceed the households served) become
defects here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd

from expectations.context import CheckContext, HotlineTicket, SubItem
from expectations.findings import Finding
from expectations.values import clean, render
from intake.cells import Kind
from intake.defects import Defect, Severity

if TYPE_CHECKING:
    from rules.rulebook import Rulebook

COMPLAINTS_FILE = "tables/complaints.csv"


class TicketStatus(StrEnum):
    """The outcome of comparing a ledger row's hotline ticket with the export."""

    MATCHED = "matched"
    UNKNOWN = "unknown"  # the export has no such ticket
    INVALID = "invalid"  # the export marks it invalid, the ledger counts it as valid
    DISMISSED = "dismissed"  # the export marks it valid, the ledger marks it invalid


def identifier_key(value: Any) -> str | None:
    """Normalise an identifier (ticket number, household, sub-item) for matching:
    NFKC, no spaces, upper case."""
    text = render(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).upper() or None


def hotline_status(
    tickets: Iterable[Any],
    ledger_valid: Iterable[Any],
    hotline: Iterable[HotlineTicket],
) -> list[TicketStatus | None]:
    """Return each ledger row's `TicketStatus`, None for a row without a ticket."""
    export = {identifier_key(t.ticket): t for t in hotline}
    statuses: list[TicketStatus | None] = []
    for ticket, valid in zip(tickets, ledger_valid, strict=True):
        key = identifier_key(ticket)
        if key is None:
            statuses.append(None)
        elif key not in export:
            statuses.append(TicketStatus.UNKNOWN)
        elif export[key].valid is False and valid is not False:
            statuses.append(TicketStatus.INVALID)
        elif export[key].valid is True and valid is False:
            statuses.append(TicketStatus.DISMISSED)
        else:
            statuses.append(TicketStatus.MATCHED)
    return statuses


def shared_with(
    hashes: Iterable[Any], other_evidence: Mapping[str, frozenset[str]], own: str | None
) -> list[str | None]:
    """Return, per evidence row, the other enterprises' codes with the same file."""
    shared: list[str | None] = []
    for sha256 in hashes:
        key = sha256.lower() if isinstance(sha256, str) else None
        codes = sorted(other_evidence.get(key, frozenset()) - {own}) if key else []
        shared.append("、".join(codes) or None)
    return shared


def evidence_present(
    sub_items: Iterable[Any],
    claimed: Iterable[Any],
    evidence: pd.DataFrame | None,
    rulebook: Mapping[str, SubItem],
) -> list[bool | None]:
    """Tell per claim row whether a claim above zero has evidence of a kind it expects.

    None for rows that claim nothing (or whose values are unreadable), so GX skips
    them. A sub-item that names no kinds accepts a file of any kind.
    """
    filed = _filed_kinds(evidence)
    present: list[bool | None] = []
    for sub_item, points in zip(sub_items, claimed, strict=True):
        if not isinstance(sub_item, str) or not isinstance(points, Decimal):
            present.append(None)
            continue
        if points <= 0:
            present.append(None)
            continue
        kinds = filed.get(sub_item, set())
        expected = rulebook[sub_item].evidence_kinds if sub_item in rulebook else set()
        present.append(bool(kinds & expected) if expected else bool(kinds))
    return present


def _filed_kinds(evidence: pd.DataFrame | None) -> dict[str, set[str]]:
    filed: dict[str, set[str]] = {}
    if evidence is None or not {"sub_item", "kind"} <= set(evidence.columns):
        return filed
    for sub_item, kind in zip(evidence["sub_item"], evidence["kind"], strict=True):
        key = identifier_key(sub_item)
        if key is not None and isinstance(kind, str):
            filed.setdefault(key, set()).add(kind)
    return filed


def missing_hotline_tickets(
    complaints: pd.DataFrame | None, ctx: CheckContext
) -> list[Finding]:
    """Report each valid hotline ticket of the enterprise that the ledger lacks."""
    if ctx.hotline is None:
        return []
    recorded: set[str] = set()
    file = COMPLAINTS_FILE
    if complaints is not None:
        file = str(complaints.attrs.get("file", _first_file(complaints) or file))
        if "hotline_ticket" in complaints:
            keys = (identifier_key(t) for t in complaints["hotline_ticket"])
            recorded = {k for k in keys if k is not None}
    findings = []
    for ticket in ctx.hotline:
        if ticket.valid is not True or identifier_key(ticket.ticket) in recorded:
            continue
        where = f"{ticket.file} 第 {ticket.row} 行" if ticket.row else ticket.file
        defect = Defect(
            file=file,
            column="热线工单号",
            value=ticket.ticket,
            rule="complaints.hotline_ticket.missing",
            severity=Severity.REVIEW,
            message=f"县级主管部门政府热线导出（{where}）中的有效工单 "
            f"{ticket.ticket}（受理日期 {render(ticket.received_on) or '未填'}，"
            f"户号 {ticket.household or '未填'}）没有出现在投诉台账的「热线工单号」"
            "列中。请在台账中补录该投诉并填写工单号，或向评价委员会说明原因。",
        )
        findings.append(Finding((file, None, None, "hotline_ticket"), defect))
    return findings


def households_served(
    ctx: CheckContext, key_figures: pd.DataFrame | None
) -> int | None:
    """Return households served from the context, else from the key figures."""
    if ctx.households_served is not None:
        return ctx.households_served
    if key_figures is None or not {"field", "value"} <= set(key_figures.columns):
        return None
    rows = key_figures[key_figures["field"] == "households_served"]
    if rows.empty:
        return None
    value = clean(rows["value"].iloc[0], Kind.INT)
    return value if isinstance(value, int) else None


def household_totals(
    tables: Mapping[str, pd.DataFrame], ctx: CheckContext
) -> list[Finding]:
    """Report tables that name more distinct households than the enterprise serves."""
    served = households_served(ctx, tables.get("key_figures"))
    if served is None:
        return []
    findings = []
    for table, label in (("spot_checks", "室温抽测记录"), ("complaints", "投诉台账")):
        frame = tables.get(table)
        if frame is None or "household" not in frame:
            continue
        households = {identifier_key(h) for h in frame["household"]} - {None}
        if len(households) > served:
            file = str(
                frame.attrs.get("file", _first_file(frame) or f"tables/{table}.csv")
            )
            defect = Defect(
                file=file,
                column="户号",
                value=str(len(households)),
                rule=f"{table}.household.within_households_served",
                severity=Severity.REVIEW,
                message=f"{label}涉及 {len(households)} 个不同户号，多于关键数据中的"
                f"供热户数 {served}。请核对户号和供热户数，由评价委员会复核。",
            )
            findings.append(Finding((file, None, None, "household"), defect))
    return findings


def _first_file(frame: pd.DataFrame) -> str | None:
    if len(frame) and "_file" in frame and isinstance(frame["_file"].iloc[0], str):
        return frame["_file"].iloc[0]
    return None


# Figures that the complaint ledger alone decides (with the households served).
LEDGER_FIGURES = frozenset(
    {
        "valid_complaints",
        "complaints_responded_on_time",
        "complaints_unclosed",
        "callback_satisfaction",
        "repeat_complaints",
    }
)


def ledger_points(
    sub_items: Iterable[Any],
    claimed: Iterable[Any],
    complaints: pd.DataFrame | None,
    rulebook: Rulebook | None,
    enterprise_type: str | None,
    served: int | None,
) -> list[tuple[Decimal, str] | None]:
    """Score each claimed sub-item that the complaint ledger decides, with the reason.

    A sub-item is ledger-decided when its evaluation reads only complaint figures and
    the households served, such as the complaint rate (C5.1) or the complaint bonus
    (B1) of the default rulebook. Rows that claim nothing, and other sub-items, get
    None. Points are rounded half-up to two decimals, as claims are written.
    """
    claimed = list(claimed)
    if complaints is None or rulebook is None or enterprise_type is None:
        return [None] * len(claimed)
    if served is None:
        return [None] * len(claimed)
    from intake.figures import complaint_figures
    from rules.exact import SCORING_CONTEXT, round_points
    from rules.figures import Figures
    from rules.methods import evaluate_bonus, evaluate_sub_item

    figures = Figures(
        enterprise_type=enterprise_type,
        households_served=served,
        **complaint_figures(complaints),
    )
    results: list[tuple[Decimal, str] | None] = []
    for sub_item, points in zip(sub_items, claimed, strict=True):
        if not isinstance(sub_item, str) or not isinstance(points, Decimal):
            results.append(None)
            continue
        found = rulebook.find_sub_item(sub_item)
        bonus = rulebook.find_bonus(sub_item)
        if points <= 0 or (found is None and bonus is None):
            results.append(None)
            continue
        with localcontext(SCORING_CONTEXT):
            if found is not None:
                evaluation = evaluate_sub_item(found[1], figures)
            else:
                evaluation = evaluate_bonus(bonus, figures)
        read = set(evaluation.inputs)
        if read & LEDGER_FIGURES and read <= LEDGER_FIGURES | {"households_served"}:
            results.append((round_points(evaluation.points), evaluation.reason))
        else:
            results.append(None)
    return results
