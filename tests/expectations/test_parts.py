"""Parts of the checks on their own: value cleaning, the GX context, the context
model and the evidence kinds file."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from expectations.context import (
    CheckContext,
    EvidenceKind,
    HotlineTicket,
    build_context,
    load_evidence_kinds,
    preparation_start_of,
)
from expectations.gx_offline import load_great_expectations, new_context
from expectations.values import WRONG_TYPE, clean, render, row_number, to_day
from intake.cells import Kind
from rules.rulebook import load_rulebook


def test_clean_whole_float_as_int():
    assert clean(3.0, Kind.INT) == 3


def test_clean_fractional_float_is_wrong_int():
    assert clean(2.5, Kind.INT) is WRONG_TYPE


def test_clean_nan_is_missing():
    assert clean(float("nan"), Kind.DECIMAL) is None


def test_clean_nat_is_missing():
    assert clean(pd.NaT, Kind.DATETIME) is None


def test_clean_bool_is_not_a_number():
    assert clean(True, Kind.INT) is WRONG_TYPE


def test_clean_float_share_keeps_its_digits():
    assert clean(0.95, Kind.SHARE) == Decimal("0.95")


def test_clean_aware_datetime_to_local_time():
    aware = datetime(2025, 12, 24, 16, 0, tzinfo=UTC)
    assert clean(aware, Kind.DATETIME) == datetime(2025, 12, 25, 0, 0)


def test_clean_date_in_datetime_column_is_midnight():
    assert clean(date(2025, 12, 24), Kind.DATETIME) == datetime(2025, 12, 24)


def test_clean_text_in_date_column_is_wrong():
    assert clean("2025-12-24", Kind.DATE) is WRONG_TYPE


def test_to_day_of_timestamp():
    assert to_day(pd.Timestamp("2025-12-24 23:30")) == date(2025, 12, 24)


def test_render_bool_in_chinese():
    assert render(False) == "否"


def test_render_datetime_to_minutes():
    assert render(datetime(2025, 12, 24, 22, 5, 9)) == "2025-12-24 22:05"


def test_render_cuts_long_text():
    assert render("长" * 300) == "长" * 200 + "…"


def test_row_number_of_float():
    assert row_number(12.0) == 12


def test_row_number_of_nan():
    assert row_number(float("nan")) is None


def test_analytics_disabled_before_import():
    load_great_expectations()
    assert os.environ["GX_ANALYTICS_ENABLED"] == "false"


def test_new_context_has_progress_bars_off():
    context = new_context()
    assert context.variables.progress_bars["globally"] is False


def test_new_context_holds_no_earlier_data_source():
    first = new_context()
    first.data_sources.add_pandas("heateval")
    second = new_context()
    second.data_sources.add_pandas("heateval")
    assert [d.name for d in second.data_sources.all().values()] == ["heateval"]


def test_preparation_starts_first_of_august():
    assert preparation_start_of(date(2025, 10, 8)) == date(2025, 8, 1)


def test_context_dates_follow_county_orders():
    # 150425 starts early on 2025-10-08 by order; 150421 is extended to 2026-04-20.
    early = build_context(season="2025-2026", county_code="150425", today=date.today())
    late = build_context(season="2025-2026", county_code="150421", today=date.today())
    assert (early.season_start, late.season_end) == (
        date(2025, 10, 8),
        date(2026, 4, 20),
    )


def test_context_rejects_dates_out_of_order():
    with pytest.raises(ValueError, match="out of order"):
        CheckContext(
            season="2025-2026",
            season_start=date(2025, 10, 15),
            season_end=date(2025, 10, 1),
            preparation_start=date(2025, 8, 1),
            today=date(2026, 5, 1),
            county_codes=frozenset({"150402"}),
            sub_items={},
        )


def test_hotline_ticket_blank_cells_from_pandas():
    ticket = HotlineTicket(
        ticket="RX-1", valid=float("nan"), household=float("nan"), file="h.csv"
    )
    assert (ticket.valid, ticket.household) == (None, None)


def test_evidence_kinds_cover_rulebook():
    rulebook = load_rulebook()
    ids = {item.id for _, item in rulebook.sub_items()} | {b.id for b in rulebook.bonus}
    assert ids - set(load_evidence_kinds()) == set()


def test_evidence_kinds_name_no_unknown_sub_item():
    rulebook = load_rulebook()
    ids = {item.id for _, item in rulebook.sub_items()} | {b.id for b in rulebook.bonus}
    assert set(load_evidence_kinds()) - ids == set()


def test_context_from_rulebook_carries_maximum_and_kinds():
    ctx = build_context(
        season="2025-2026",
        county_code="150402",
        today=date(2026, 5, 10),
        rulebook=load_rulebook(),
    )
    assert (ctx.sub_items["B2"].max_points, ctx.sub_items["B2"].evidence_kinds) == (
        Decimal("2"),
        frozenset({EvidenceKind.PDF, EvidenceKind.IMAGE}),
    )


def test_gx_exception_fails_loudly():
    from expectations.suites.base import BLOCKING, E, TableSuite, check
    from expectations.validate import CheckFailedError, validate_suites

    # Text and numbers in one column cannot be compared, so GX raises inside.
    frame = pd.DataFrame({"x": pd.Series([1, "a"], dtype=object)})
    between = check(
        "demo.x.range",
        BLOCKING,
        E.ExpectColumnValuesToBeBetween,
        at="x",
        message="",
        column="x",
        min_value=0,
        max_value=5,
    )
    suite = TableSuite(
        name="demo",
        table="demo",
        source=frame,
        frame=frame,
        columns={},
        checks=[between],
        file="demo.csv",
        sheet=None,
    )
    with pytest.raises(CheckFailedError, match=r"demo\.x\.range"):
        validate_suites([suite])
