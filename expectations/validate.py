"""Run table suites through GX and turn every failure into a `Defect`."""

from __future__ import annotations

from typing import Any

from expectations.context import Cell
from expectations.findings import Finding
from expectations.gx_offline import load_great_expectations, new_context
from expectations.suites.base import Check, TableSuite
from expectations.values import render, row_number
from intake.defects import Defect

DATASOURCE = "heateval"
# A first pass requests only whether each expectation is met, which costs about a
# third less than listing the failures. The failed expectations run again with
# COMPLETE, which lists every unexpected row by its pandas index without the cap
# of 200 that SUMMARY has.
PASS_FORMAT = {"result_format": "BOOLEAN_ONLY"}
DETAIL_FORMAT = {"result_format": "COMPLETE"}


class CheckFailedError(RuntimeError):
    """GX raised while evaluating an expectation: a bug, not a finding in the data."""


def validate_suites(suites: list[TableSuite]) -> list[Finding]:
    """Validate each suite on its frame, all in one fresh ephemeral context.

    Findings come in suite order and, within a suite, in check order.
    """
    context = new_context()
    source = context.data_sources.add_pandas(DATASOURCE)
    # One asset and batch definition serve every frame, because each asset added
    # rewrites the context's whole configuration at a cost above a small suite's.
    asset = source.add_dataframe_asset("tables")
    batch_definition = asset.add_batch_definition_whole_dataframe("whole table")
    findings: list[Finding] = []
    for suite in suites:
        checks = suite.runnable_checks()
        if not checks:
            continue
        batch = batch_definition.get_batch(batch_parameters={"dataframe": suite.frame})
        passed = _outcomes(batch, suite, checks, PASS_FORMAT)
        failed = [c for c in checks if not passed[c.rule].success]
        if not failed:
            continue
        details = _outcomes(batch, suite, failed, DETAIL_FORMAT)
        # GX does not keep the suite's order, and the order decides which defect a
        # cell keeps, so the outcomes are read in the checks' order.
        for check in failed:
            findings.extend(_findings_of(suite, check, details[check.rule].result))
    return findings


def _outcomes(
    batch: Any, suite: TableSuite, checks: list[Check], result_format: dict
) -> dict[str, Any]:
    """Validate `checks` on `batch`; return GX's result per rule id."""
    gx = load_great_expectations()
    gx_suite = gx.ExpectationSuite(
        name=suite.name, expectations=[c.expectation for c in checks]
    )
    result = batch.validate(gx_suite, result_format=result_format)
    outcomes = {r.expectation_config.meta["rule"]: r for r in result.results}
    for rule, outcome in outcomes.items():
        _raise_on_exception(suite, rule, outcome)
    return outcomes


def _raise_on_exception(suite: TableSuite, rule: str, outcome: Any) -> None:
    """Raise `CheckFailedError` when GX caught an exception evaluating `rule`.

    GX 1.24.1 reports a metric that raised under the metric's id, as
    {metric id: {"raised_exception": True, "exception_message": ...}}, and an
    exception in the expectation's own code with the same keys at the top level
    (`Validator.graph_validate`). Both shapes are read.
    """
    info = outcome.exception_info or {}
    reports = [info, *(v for v in info.values() if isinstance(v, dict))]
    messages = [
        r.get("exception_message") for r in reports if r.get("raised_exception")
    ]
    if messages:
        raise CheckFailedError(
            f"GX could not evaluate rule {rule} on table {suite.table}: "
            f"{'; '.join(str(m) for m in messages)}"
        )


def _findings_of(suite: TableSuite, check: Check, result: dict) -> list[Finding]:
    """Build one finding per unexpected row, per missing column, or for the table."""
    indexes = result.get("unexpected_index_list")
    if indexes is not None:
        return [_row_finding(suite, check, index) for index in indexes]
    missing = (result.get("details") or {}).get("mismatched", {}).get("missing")
    if missing:
        return [_table_finding(suite, check, column) for column in missing]
    return [_table_finding(suite, check, check.at)]


def _table_finding(suite: TableSuite, check: Check, key: str | None) -> Finding:
    header = suite.columns[key].header if key in suite.columns else ""
    fields = {"header": header, "column": key or "", "value": "", **check.params}
    defect = Defect(
        file=suite.file,
        sheet=suite.sheet,
        row=None,
        column=suite.header(key),
        value=None,
        rule=check.rule.format_map(fields),
        severity=check.severity,
        message=check.message.format_map(fields),
    )
    return Finding((suite.file, suite.sheet, None, key), defect)


def _row_finding(suite: TableSuite, check: Check, index: Any) -> Finding:
    if suite.locate is not None:
        cell, display = suite.locate(index, check.at)
    else:
        cell, display = _source_cell(suite, index, check.at), suite.header(check.at)
    raw = suite.source.at[index, check.at] if check.at in suite.source else None
    fields = {**_rendered_row(suite.frame, index), **_rendered_row(suite.source, index)}
    if check.at in suite.columns:
        fields["header"] = suite.columns[check.at].header
    fields.update(check.params)
    fields["value"] = render(raw) or ""
    defect = Defect(
        file=cell[0],
        sheet=cell[1],
        row=cell[2],
        column=display,
        value=render(raw),
        rule=check.rule.format_map(fields),
        severity=check.severity,
        message=check.message.format_map(fields),
    )
    return Finding(cell, defect)


def _rendered_row(frame: Any, index: Any) -> dict[str, str]:
    """Render every value of one row for the templates ('' for a blank)."""
    return {str(key): render(value) or "" for key, value in frame.loc[index].items()}


def _source_cell(suite: TableSuite, index: Any, key: str | None) -> Cell:
    source = suite.source
    file = source.at[index, "_file"] if "_file" in source else None
    sheet = source.at[index, "_sheet"] if "_sheet" in source else None
    row = source.at[index, "_row"] if "_row" in source else None
    return (
        file if isinstance(file, str) else suite.file,
        sheet if isinstance(sheet, str) else None,
        row_number(row),
        key,
    )
