"""Run the evidence checks of one package and return its defect list.

Contract with intake (`run_checks(tables, ctx)`):

- `tables` maps a table name to a pandas DataFrame. Enterprise packages: 'identity',
  'key_figures', 'claims', 'complaints', 'spot_checks', 'outages', 'incidents',
  'drills', 'trainings', 'evidence'. Bureau packages: 'inspections', 'hotline'. A
  table that is absent is not checked, because intake reports a missing file. A
  table that is present but empty still has its columns checked.
- Columns use the English keys of `intake.schema`. 'identity' is one row with the
  keys of `IDENTITY_FIELDS`, the county as its code and the type as heat_source or
  heating (the labels 热源单位 and 供热单位 are accepted too). 'key_figures' has rows
  of (field, value), 'claims' has (sub_item, max_points, claimed), and 'evidence'
  has (sub_item, path, kind, sha256) with kind one of pdf, image, office.
- Every frame has `_file`, `_sheet` (None for CSV and JSON) and `_row` (1-based
  spreadsheet row, the header being row 1). An empty frame may name its file in
  `frame.attrs["file"]` and `["sheet"]`, or else the template's path is used.
  'identity' keeps each field's row in a column `_row_<key>`.
- Values are typed as intake reads them (date, naive local datetime, bool, int,
  Decimal, str) and None for a blank or unreadable cell. A value of another type
  is reported as a type defect and never compared.
- Intake passes the cells it has already reported in `ctx.reported_cells`, as
  (file, sheet, row, column key or header). The checks add no defect on those
  cells, so an unreadable cell is not reported a second time as empty. A cell
  with row None means the whole column.
- Each cell gets at most one defect: the first blocking one in suite order, else
  the first one for review. Defects without a row are never merged.
- `Defect.column` is the column's template header (内容 on the identity sheet,
  数值 for a key figure's value, None for an evidence file). Rule ids read
  `<table>.<column key>.<check>`, and `expectations.findings.Finding` keeps the key.

Severities: impossible values, dates outside the season and its preparation
period, broken ids and codes, and claims without evidence are blocking. Values that
are possible but rare (room temperatures below 10 °C or above 35 °C, more retrofits
than planned, more households than served) and every disagreement with the
bureau's hotline export or another enterprise's evidence are for review.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import pandas as pd

from expectations.context import Cell, CheckContext
from expectations.findings import Finding
from expectations.reconcile import household_totals, missing_hotline_tickets
from intake.defects import Defect, Severity

logger = logging.getLogger(__name__)


def run_checks(tables: Mapping[str, pd.DataFrame], ctx: CheckContext) -> list[Defect]:
    """Check every table of one package with its GX suite and across tables.

    Returns the defects sorted by file, sheet, row and column.

    Raises:
        KeyError: a table name that no suite checks.
        expectations.validate.CheckFailedError: GX failed to evaluate a rule.
    """
    from expectations.suites import SUITE_BUILDERS
    from expectations.suites.cells import cells_suite, columns_suite
    from expectations.validate import validate_suites

    unknown = sorted(set(tables) - set(SUITE_BUILDERS))
    if unknown:
        raise KeyError(
            f"no suite checks table(s) {', '.join(unknown)}; known tables: "
            f"{', '.join(sorted(SUITE_BUILDERS))}"
        )
    started = time.perf_counter()
    # A fresh 0..n-1 index lets every finding find its row with .at[index].
    frames = {name: frame.reset_index(drop=True) for name, frame in tables.items()}
    suites = []
    for name, frame in frames.items():
        suites.extend(SUITE_BUILDERS[name](frame, ctx, frames))
    layout = [columns_suite(suites), cells_suite(suites)]
    suites = [suite for suite in layout if suite is not None] + suites

    findings = validate_suites(suites)
    findings += missing_hotline_tickets(frames.get("complaints"), ctx)
    findings += household_totals(frames, ctx)
    defects = _one_per_cell(findings, ctx)
    logger.info(
        "checked %d tables of season %s: %d defects (%d blocking) in %.2f s",
        len(frames),
        ctx.season,
        len(defects),
        sum(d.severity is Severity.BLOCKING for d in defects),
        time.perf_counter() - started,
    )
    return defects


def _already_reported(finding: Finding, reported: frozenset[Cell]) -> bool:
    """Tell whether intake reported the finding's cell or its whole column.

    Intake names a column by its English key in table files and by the header it
    read in the application workbook, so both forms are looked up.
    """
    file, sheet, row, key = finding.cell
    for column in {key, finding.defect.column}:
        if (file, sheet, row, column) in reported:
            return True
        if (file, sheet, None, column) in reported:
            return True
    return False


def _one_per_cell(findings: list[Finding], ctx: CheckContext) -> list[Defect]:
    """Keep the first blocking finding per cell, else the first one, and drop
    cells that intake already reported."""
    first_per_cell: dict[Cell, Defect] = {}
    table_level: list[Defect] = []
    for finding in findings:
        if _already_reported(finding, ctx.reported_cells):
            continue
        defect = finding.defect
        if defect.row is None:
            table_level.append(defect)
            continue
        first = first_per_cell.get(finding.cell)
        if first is None or (
            first.severity is Severity.REVIEW and defect.severity is Severity.BLOCKING
        ):
            first_per_cell[finding.cell] = defect
    return sorted([*first_per_cell.values(), *table_level], key=_position)


def _position(defect: Defect) -> tuple:
    return (defect.file, defect.sheet or "", defect.row or 0, defect.column or "")
