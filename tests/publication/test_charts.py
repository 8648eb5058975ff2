"""Hand-written SVG charts: geometry, escaping and stable output."""

from __future__ import annotations

from decimal import Decimal

from publication.charts import category_svg, grade_distribution_svg
from publication.views import CategoryScore


def test_grade_bars_scale_to_largest_county() -> None:
    svg = grade_distribution_svg(
        [("红山区", {"A": 1, "B": 1, "D": 1}), ("松山区", {"A": 1, "C": 1})], "t"
    )
    # 420 px for the largest county's 3 enterprises: 140 px per enterprise
    assert svg.count('width="140"') == 5
    assert 'x="390"' in svg  # third segment of 红山区 starts at 110 + 2 × 140


def test_grade_bars_escape_county_names() -> None:
    svg = grade_distribution_svg([("<b>&区", {"A": 2})], "<title>")
    assert "<b>" not in svg
    assert "&lt;b&gt;&amp;区" in svg
    assert "&lt;title&gt;" in svg


def test_grade_bars_without_rows() -> None:
    svg = grade_distribution_svg([], "空")
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")


def test_category_chart_marks_median() -> None:
    categories = [
        CategoryScore(
            code="C1", name="配合行业监管", points=Decimal("5"), max=Decimal("10")
        ),
        CategoryScore(
            code="C5",
            name="投诉管理",
            points=Decimal("0"),
            max=Decimal("15"),
            applicable=False,
        ),
    ]
    svg = category_svg(categories, {"C1": Decimal("7.50")}, "t")
    assert 'width="150"' in svg  # 5 of 10 on a 300 px bar
    assert 'x1="375"' in svg  # median 7.5 of 10: 150 + 225
    assert "5.00 / 10.00（中位数 7.50）" in svg
    assert "不适用" in svg


def test_category_chart_is_stable() -> None:
    categories = [
        CategoryScore(
            code="C2", name="供热质量", points=Decimal("11.1"), max=Decimal("15")
        ),
    ]
    first = category_svg(categories, {"C2": Decimal("12.3")}, "t")
    second = category_svg(categories, {"C2": Decimal("12.3")}, "t")
    assert first == second
    assert 'width="222"' in first  # 11.1 / 15 × 300


def test_charts_use_no_style_attribute() -> None:
    svg = grade_distribution_svg([("红山区", {"A": 1})], "t")
    assert "style=" not in svg
