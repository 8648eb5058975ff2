"""Reading stored score sheets: the engine's own output, and malformed JSON."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from publication.sheets import SheetFormatError, code_key, sheet_view
from rules.engine import score
from rules.figures_file import read_figures
from rules.rulebook import load_rulebook

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "rules" / "examples" / "hand-worked.yaml"
)


def _stored(categories: object, lines: object, sheet: object = None) -> SimpleNamespace:
    """A stand-in for a ScoreSheet row with the columns sheet_view reads."""
    totals = [Decimal("0.00")] * 4
    if sheet is not None:
        totals = [sheet.base, sheet.bonus, sheet.deductions, sheet.final]
    return SimpleNamespace(
        id=7,
        version=1,
        reason="initial",
        rulebook_version="v",
        base=totals[0],
        bonus=totals[1],
        deductions=totals[2],
        final=totals[3],
        grade="C",
        categories=categories,
        lines=lines,
    )


def test_engine_sheet_round_trips() -> None:
    sheet = score(read_figures(EXAMPLE), load_rulebook())
    data = sheet.model_dump(mode="json")
    view = sheet_view(_stored(data["categories"], data["lines"], sheet))
    assert [c.code for c in view.categories] == [f"C{n}" for n in range(1, 9)]
    for parsed, original in zip(view.categories, sheet.categories, strict=True):
        assert parsed.points == original.points
        assert parsed.applicable == original.applies
    assert len(view.lines) == len(sheet.lines)
    line = next(line for line in view.lines if line.code == "C1.1")
    assert line.points == sheet.line("C1.1").points
    assert line.reason == sheet.line("C1.1").reason
    assert view.final == sheet.final


def test_categories_as_mapping_accepted() -> None:
    sheet = score(read_figures(EXAMPLE), load_rulebook())
    data = sheet.model_dump(mode="json")
    keyed = {c["id"]: c for c in data["categories"]}
    view = sheet_view(_stored(keyed, data["lines"], sheet))
    assert [c.code for c in view.categories][:2] == ["C1", "C2"]


def test_malformed_line_names_sheet_and_line() -> None:
    with pytest.raises(SheetFormatError) as error:
        sheet_view(_stored([], [{"rule_id": "C1.1"}]))
    assert str(error.value).startswith("score sheet 7: line 1 is invalid:")


def test_wrong_column_type_rejected() -> None:
    with pytest.raises(SheetFormatError) as error:
        sheet_view(_stored("C1", []))
    assert "column categories contains str" in str(error.value)


def test_code_order() -> None:
    codes = ["D1", "B2", "C1.10", "C2.1", "C1.9", "B1"]
    assert sorted(codes, key=code_key) == ["C1.9", "C1.10", "C2.1", "B1", "B2", "D1"]
