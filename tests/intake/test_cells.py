"""Cell values as people type them: dates, numbers, shares, 是/否, credit codes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from intake.cells import CellError, Kind, read_cell
from tests.intake.builders import CREDIT_CODE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026年3月31日", date(2026, 3, 31)),
        ("2026/3/31", date(2026, 3, 31)),
        ("2026-03-31", date(2026, 3, 31)),
        ("2026.3.31", date(2026, 3, 31)),
        ("２０２６年３月３１日", date(2026, 3, 31)),
        (" 2026-03-31 ", date(2026, 3, 31)),
        (46112, date(2026, 3, 31)),
        ("46112", date(2026, 3, 31)),
        (datetime(2026, 3, 31, 15, 30), date(2026, 3, 31)),
        ("2026-03-31 08:00", date(2026, 3, 31)),
    ],
)
def test_date_forms(raw, expected):
    assert read_cell(raw, Kind.DATE) == expected


def test_date_serial_1904():
    # 1904 system: day 0 is 1904-01-01, so 2026-03-31 is 46112 - 1462.
    assert read_cell(46112 - 1462, Kind.DATE, date1904=True) == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026年1月5日 8时30分", datetime(2026, 1, 5, 8, 30)),
        ("2026年1月5日8时30分", datetime(2026, 1, 5, 8, 30)),
        ("2026/1/5 8:30", datetime(2026, 1, 5, 8, 30)),
        ("2026-01-05T00:00:00+00:00", datetime(2026, 1, 5, 8, 0)),
        (46027.5, datetime(2026, 1, 5, 12, 0)),
        ("2026-01-05", datetime(2026, 1, 5, 0, 0)),
    ],
)
def test_datetime_forms(raw, expected):
    assert read_cell(raw, Kind.DATETIME) == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "明天", "31/3/2026", "12345678901"])
def test_bad_dates_raise(raw):
    with pytest.raises(CellError) as caught:
        read_cell(raw, Kind.DATE)
    assert caught.value.rule == "cell.date"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,200", 1200),
        ("１，２００", 1200),
        ("1200户", 1200),
        (" 1200 ", 1200),
        (1200.0, 1200),
        ("1 200", 1200),
    ],
)
def test_integer_forms(raw, expected):
    assert read_cell(raw, Kind.INT) == expected


def test_misplaced_thousands_separator():
    with pytest.raises(CellError) as caught:
        read_cell("12,34", Kind.INT)
    assert caught.value.rule == "cell.thousands"


def test_fraction_is_not_an_integer():
    with pytest.raises(CellError) as caught:
        read_cell("3.5", Kind.INT)
    assert caught.value.rule == "cell.integer"


def test_negative_count_rejected():
    with pytest.raises(CellError) as caught:
        read_cell("-3", Kind.INT)
    assert caught.value.rule == "cell.negative"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("95%", Decimal("0.95")),
        ("95％", Decimal("0.95")),
        ("95.5 %", Decimal("0.955")),
        ("0.95", Decimal("0.95")),
        (0.95, Decimal("0.95")),
        ("１００％", Decimal("1")),
    ],
)
def test_share_forms(raw, expected):
    assert read_cell(raw, Kind.SHARE) == expected


def test_share_above_one_rejected():
    with pytest.raises(CellError) as caught:
        read_cell("95", Kind.SHARE)
    assert caught.value.rule == "cell.share"


def test_decimal_from_float_cell_is_exact():
    assert read_cell(0.1, Kind.DECIMAL) == Decimal("0.1")


def test_temperature_with_unit():
    assert read_cell("18.5℃", Kind.SIGNED_DECIMAL) == Decimal("18.5")


@pytest.mark.parametrize(
    ("raw", "expected"), [("是", True), ("否", False), (True, True), ("FALSE", False)]
)
def test_yes_no(raw, expected):
    assert read_cell(raw, Kind.BOOL) is expected


def test_yes_no_rejects_other_words():
    with pytest.raises(CellError) as caught:
        read_cell("可能", Kind.BOOL)
    assert caught.value.rule == "cell.bool"


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "-"])
def test_blank_cells_are_none(raw):
    assert read_cell(raw, Kind.INT) is None


def test_text_is_nfkc_and_trimmed():
    assert read_cell("\u3000红山　热力  ", Kind.TEXT) == "红山 热力"


def test_whole_number_text_loses_excel_decimal():
    assert read_cell(1001.0, Kind.TEXT) == "1001"


def test_credit_code_accepted_with_spaces_and_lower_case():
    spaced = CREDIT_CODE[:9].lower() + " " + CREDIT_CODE[9:]
    assert read_cell(spaced, Kind.CREDIT_CODE) == CREDIT_CODE


def test_credit_code_with_wrong_check_character():
    wrong = CREDIT_CODE[:-1] + ("0" if CREDIT_CODE[-1] != "0" else "1")
    with pytest.raises(CellError) as caught:
        read_cell(wrong, Kind.CREDIT_CODE)
    assert caught.value.rule == "cell.credit_code"
