"""The scoring engine on hand-worked cases: lines, rescaling, grades, adjustments."""

from __future__ import annotations

import copy
import re
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rules.engine import Adjustment, AdjustmentError, score
from rules.exact import SCORING_CONTEXT, load_exact_yaml, round_points
from rules.figures import PARTS_OF_WHOLES, Figures
from rules.figures_file import read_figures
from rules.rulebook import (
    DEFAULT_RULEBOOK,
    ChecklistItem,
    DeductionItem,
    Direction,
    Quotient,
    RatioItem,
    Rulebook,
    StepItem,
    load_rulebook,
    rulebook_from_data,
)
from rules.sheet import LineKind, ScoreSheet
from storage.hashing import content_hash

HAND_WORKED = Path(__file__).parents[2] / "rules" / "examples" / "hand-worked.yaml"


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return load_rulebook()


def perfect_heating(**changes: Any) -> Figures:
    """A heating unit with full points everywhere: base 100, bonus B1 only (3)."""
    data: dict[str, Any] = {
        "enterprise_type": "heating",
        "households_served": 10000,
        "meetings_called": 4,
        "meetings_attended": 4,
        "licence_valid": True,
        "season_plan_filed": True,
        "room_temp_compliance": "0.99",
        "households_measured_share": "0.2",
        "full_season": True,
        "platform_online_rate": "0.99",
        "device_coverage": "0.2",
        "online_service_channels": True,
        "metered_households": 5000,
        "energy_ratio_to_benchmark": "0.85",
        "clean_heat_share": "1",
        "callback_satisfaction": "1",
        "safety_responsibility_system": True,
        "special_equipment_inspected": True,
        "emergency_plan_filed": True,
        "drills_held": 2,
        "repair_crew_ready": True,
        "fuel_reserve_days": "20",
        "convenience_measures": 4,
        "contracts_signed": 10000,
        "satisfaction_rate": "0.96",
    }
    data.update(changes)
    return Figures.model_validate(data)


def test_hand_worked_heating_unit(book: Rulebook) -> None:
    sheet = score(read_figures(HAND_WORKED), book)
    expected = {
        # C1 = 2.7 + 2 + 2.25 + 0.5 = 7.45
        "C1.1": "2.7",  # 3 × 9 ÷ 10
        "C1.2": "2",  # 3 − 1 report late × 1
        "C1.3": "2.25",  # 3 × 6 ÷ 8
        "C1.4": "0.5",  # 1 × 1 of 2 items (licence yes, plan no)
        # C2 = 3 + 5 + 1 + 0.5 + 1 = 10.5
        "C2.1": "3",  # no day late
        "C2.2": "5",  # 0.962 ≥ 0.95
        "C2.3": "1",  # 0.08 ≥ 0.05
        "C2.4": "0.5",  # 3 − (2 × 0.5 + 1 × 1.5)
        "C2.5": "1",  # full season
        # C3 = 1.5 + 1.5 + 1.5 + 1 + 0.5 = 6
        "C3.1": "1.5",  # 0.93 ≥ 0.90
        "C3.2": "1.5",  # 0.06 ≥ 0.05
        "C3.3": "1.5",  # 2 × 30 ÷ 40
        "C3.4": "1",  # channels yes
        "C3.5": "0.5",  # 1 × min((1800 ÷ 12000) ÷ 0.3, 1) = 1 × 0.15 ÷ 0.3
        # C4 = 1.5 + 2 + 1.2 + 1.6 = 6.3
        "C4.1": "1.5",  # 1.02 ≤ 1.05
        "C4.2": "2",  # 3 − 1 violation × 1
        "C4.3": "1.2",  # 2 × 0.6
        "C4.4": "1.6",  # 2 × 4 ÷ 5
        # C5 = 4 + 17/6 + 2 + 1.5 + 1.5 = 9 + 17/6 = 11.8333…
        "C5.1": "4",  # 54 ÷ 12000 × 1000 = 4.5 per mille ≤ 5
        "C5.3": "2",  # 3 − 2 unclosed × 0.5
        "C5.4": "1.5",  # 0.91 ≥ 0.90
        "C5.5": "1.5",  # 2 − 1 repeat × 0.5
        # C6 = 3 + 2.88 + 3.6 + 2 + 1.5 = 12.98
        "C6.1": "3",
        "C6.2": "2.88",  # 3 × 24 ÷ 25
        "C6.3": "3.6",  # 4 × 18 ÷ 20
        "C6.4": "2",
        "C6.5": "1.5",  # 3 − 1 incident × 1.5
        # C7 = 2 + 1 + 3 + 2 + 2 = 10
        "C7.1": "2",
        "C7.2": "1",  # 1 drill ≥ 1
        "C7.3": "3",
        "C7.4": "2",  # 12 days ≥ 10
        "C7.5": "2",
        # C8 = 2 + 2.25 + 1.9 + 3 + 2 = 11.15
        "C8.1": "2",  # 3 − 1 failed check × 1
        "C8.2": "2.25",  # 3 × 3 ÷ 4
        "C8.3": "1.9",  # 2 × 11400 ÷ 12000
        "C8.4": "3",
        "C8.5": "2",  # 0.88 ≥ 0.85
        # Bonus: B1 fails (2 unclosed, 51/54 = 0.944 < 0.95); B2 2 + B4 1 + B5 2 = 5
        "B1": "0",
        "B2": "2",
        "B3": "0",
        "B4": "1",
        "B5": "2",  # saving 0.06 ≥ 0.05
        # Deductions: one serious petition × 3
        "D1": "0",
        "D2": "0",
        "D3": "3",
        "D4": "0",
    }
    for rule_id, points in expected.items():
        assert sheet.line(rule_id).points == Decimal(points), rule_id
    # C5.2 = 3 × 51 ÷ 54 = 17/6, kept unrounded to 50 significant digits
    c52 = sheet.line("C5.2").points
    assert abs(c52 - Decimal(17) / Decimal(6)) < Decimal("1E-25")
    assert len(c52.as_tuple().digits) == 50

    categories = {category.id: category.points for category in sheet.categories}
    assert categories["C1"] == Decimal("7.45")
    assert categories["C2"] == Decimal("10.5")
    assert categories["C3"] == Decimal("6")
    assert categories["C4"] == Decimal("6.3")
    assert categories["C5"].quantize(Decimal("0.0001")) == Decimal("11.8333")
    assert categories["C6"] == Decimal("12.98")
    assert categories["C7"] == Decimal("10")
    assert categories["C8"] == Decimal("11.15")

    # base = 7.45 + 10.5 + 6 + 6.3 + 11.8333… + 12.98 + 10 + 11.15 = 76.2133… → 76.21
    assert sheet.base == Decimal("76.21")
    assert sheet.bonus == Decimal("5.00")
    assert sheet.deductions == Decimal("3.00")
    # final = 76.2133… + 5 − 3 = 78.2133… → 78.21, grade C (70 ≤ 78.21 < 80)
    assert sheet.final == Decimal("78.21")
    assert sheet.grade == "C"
    assert sheet.colour == "yellow"
    assert sheet.colour_name == "黄牌"


def test_hand_worked_reasons(book: Rulebook) -> None:
    sheet = score(read_figures(HAND_WORKED), book)
    assert sheet.line("C2.4").reason == (
        "扣分 非计划停热8至24小时次数 2 × 0.5 + "
        "非计划停热超过24小时次数 1 × 1.5 = 2.5：3 − 2.5 = 0.5"
    )
    assert sheet.line("C2.4").inputs == {
        "outages_over_8h": "2",
        "outages_over_24h": "1",
    }
    assert sheet.line("C5.1").inputs == {
        "valid_complaints": "54",
        "households_served": "12000",
    }
    assert "有效投诉件数 54 ÷ 供热户数 12000 × 1000 = 4.5 ≤ 5：得 4 分" in (
        sheet.line("C5.1").reason
    )


def test_sheet_records_versions(book: Rulebook) -> None:
    figures = read_figures(HAND_WORKED)
    sheet = score(figures, book)
    assert sheet.rulebook_version == book.version
    assert sheet.input_hash == content_hash(figures)


def test_heat_source_rescaled(book: Rulebook) -> None:
    data = load_exact_yaml(HAND_WORKED.read_text(encoding="utf-8"))
    data.update(
        enterprise_type="heat_source",
        households_served=0,
        metered_households=0,
        contracts_signed=0,
        valid_complaints=0,
        complaints_responded_on_time=0,
        complaints_unclosed=0,
        repeat_complaints=0,
    )
    sheet = score(Figures.model_validate(data), book)

    # C3.5: no households, so the denominator is 0 and the ratio counts as 1 → 1 point
    assert sheet.line("C3.5").points == Decimal(1)
    assert sheet.category("C5").applies is False
    assert sheet.category("C8").applies is False
    assert sheet.line("C5.1").points == Decimal(0)
    assert sheet.line("B1").applies is False
    # raw = C1 7.45 + C2 10.5 + C3 6.5 + C4 6.3 + C6 12.98 + C7 10 = 53.73 of 70
    assert sheet.raw_points == Decimal("53.73")
    assert sheet.applicable_max == Decimal(70)
    # base = 53.73 × 100 ÷ 70 = 76.757142857… → 76.76
    assert sheet.base == Decimal("76.76")
    # final = 76.757142857… + (B2 2 + B4 1 + B5 2) − D3 3 = 78.757142857… → 78.76
    assert sheet.final == Decimal("78.76")
    assert sheet.grade == "C"


def test_heat_source_full_marks(book: Rulebook) -> None:
    figures = perfect_heating(enterprise_type="heat_source")
    sheet = score(figures, book)
    assert sheet.raw_points == Decimal(70)
    assert sheet.base == Decimal("100.00")


def test_perfect_heating_unit(book: Rulebook) -> None:
    sheet = score(perfect_heating(), book)
    assert sheet.base == Decimal("100.00")
    assert sheet.bonus == Decimal("3.00")  # B1: no complaint at all
    assert sheet.final == Decimal("103.00")


@pytest.mark.parametrize(
    ("changes", "final", "grade"),
    [
        # 100 + B1 3 − D2 2 × 5 − D3 1 × 3 = 90.00
        ({}, "90.00", "A"),
        # C1.1 = 3 × 599 ÷ 600 = 2.995, so 89.995 → 90.00
        ({"meetings_called": 600, "meetings_attended": 599}, "90.00", "A"),
        # C1.1 = 3 × 499 ÷ 500 = 2.994, so 89.994 → 89.99
        ({"meetings_called": 500, "meetings_attended": 499}, "89.99", "B"),
        # 103 − 4 × 5 − 3 = 80.00
        ({"unapproved_transfers": 4}, "80.00", "B"),
        # C1.1 = 3 × 299 ÷ 300 = 2.99, so 79.99
        (
            {
                "unapproved_transfers": 4,
                "meetings_called": 300,
                "meetings_attended": 299,
            },
            "79.99",
            "C",
        ),
        # 103 − 6 × 5 − 3 = 70.00
        ({"unapproved_transfers": 6}, "70.00", "C"),
        (
            {
                "unapproved_transfers": 6,
                "meetings_called": 300,
                "meetings_attended": 299,
            },
            "69.99",
            "D",
        ),
    ],
)
def test_grade_boundaries(
    book: Rulebook, changes: dict[str, Any], final: str, grade: str
) -> None:
    figures = perfect_heating(
        **{"unapproved_transfers": 2, "serious_petitions": 1, **changes}
    )
    sheet = score(figures, book)
    assert sheet.final == Decimal(final)
    assert sheet.grade == grade


def test_unrounded_boundary_kept(book: Rulebook) -> None:
    figures = perfect_heating(
        unapproved_transfers=2,
        serious_petitions=1,
        meetings_called=600,
        meetings_attended=599,
    )
    sheet = score(figures, book)
    assert sheet.final_unrounded == Decimal("89.995")


def test_major_accident_caps_grade(book: Rulebook) -> None:
    sheet = score(perfect_heating(major_accidents=1), book)
    assert sheet.final == Decimal("93.00")  # 103 − 10
    assert sheet.grade_by_points == "A"
    assert sheet.grade == "D"
    assert sheet.colour == "red"
    assert sheet.grade_capped_by == ("D1",)


def test_falsified_materials_grade_d(book: Rulebook) -> None:
    sheet = score(perfect_heating(falsified_materials=True), book)
    assert sheet.deductions == Decimal("10.00")
    assert sheet.final == Decimal("93.00")
    assert sheet.grade == "D"
    assert sheet.colour_name == "红牌"


def test_petitions_deduction_capped(book: Rulebook) -> None:
    sheet = score(perfect_heating(serious_petitions=5), book)
    assert sheet.line("D3").points == Decimal(10)  # 5 × 3 = 15, at most 10
    assert sheet.final == Decimal("93.00")


def test_final_floored_at_zero(book: Rulebook) -> None:
    sheet = score(perfect_heating(unapproved_transfers=30), book)
    assert sheet.deductions == Decimal("150.00")
    assert sheet.final == Decimal("0.00")
    assert sheet.grade == "D"


def test_sub_item_floored_at_zero(book: Rulebook) -> None:
    sheet = score(perfect_heating(start_delay_days=7), book)
    assert sheet.line("C2.1").points == Decimal(0)  # 3 − 7 × 1, not below 0


def test_bonus_capped(book: Rulebook) -> None:
    data = load_exact_yaml(DEFAULT_RULEBOOK.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["bonus"][1]["points"] = 5  # B2 worth 5: all five items give 13
    generous = rulebook_from_data(data)
    figures = perfect_heating(
        city_award=True,
        government_tasks_completed=True,
        outstanding_activities=True,
        metering_energy_saving="0.08",
    )
    sheet = score(figures, generous)
    assert sheet.bonus_uncapped == Decimal(13)
    assert sheet.bonus == Decimal("10.00")
    assert sheet.final == Decimal("110.00")


def test_nothing_to_do_gives_full_points(book: Rulebook) -> None:
    sheet = score(perfect_heating(findings_total=0, hazards_found=0), book)
    assert sheet.line("C1.3").points == Decimal(3)
    assert sheet.line("C6.3").points == Decimal(4)
    assert "监督检查发现问题数为 0" in sheet.line("C1.3").reason


def test_adjustment_sets_judgement_item(book: Rulebook) -> None:
    figures = read_figures(HAND_WORKED)
    adjustment = Adjustment(
        sub_item="C1.4",
        points="1",
        reason="运行方案已于10月报备，回执补交",
        member="王敏",
    )
    sheet = score(figures, book, [adjustment])
    line = sheet.line("C1.4")
    assert line.points == Decimal(1)
    assert line.computed_points == Decimal("0.5")
    assert line.adjusted_by == "王敏"
    assert "评审委员会成员 王敏 调整为 1 分" in line.reason
    assert "理由：运行方案已于10月报备，回执补交" in line.reason
    # final moves by exactly the 0.5 added: 78.2133… + 0.5 = 78.7133… → 78.71
    assert sheet.final == Decimal("78.71")
    assert sheet.adjustments == (adjustment,)


def test_adjustment_of_bonus_item(book: Rulebook) -> None:
    adjustment = Adjustment(
        sub_item="B3", points="2", reason="完成煤改气任务", member="李强"
    )
    sheet = score(read_figures(HAND_WORKED), book, [adjustment])
    assert sheet.line("B3").points == Decimal(2)
    assert sheet.bonus == Decimal("7.00")


@pytest.mark.parametrize(
    ("sub_item", "points", "message"),
    [
        ("C6.1", "3.5", "3.5 points are outside 0 to 3"),
        ("C9.9", "1", "'C9.9' is not a sub-item of rulebook"),
        ("C2.2", "6", "C2.2 is computed from the figures"),
    ],
)
def test_adjustment_rejected(
    book: Rulebook, sub_item: str, points: str, message: str
) -> None:
    adjustment = Adjustment(
        sub_item=sub_item, points=points, reason="核查", member="王敏"
    )
    with pytest.raises(AdjustmentError, match=re.escape(message)):
        score(read_figures(HAND_WORKED), book, [adjustment])


def test_adjustment_outside_type_rejected(book: Rulebook) -> None:
    figures = perfect_heating(enterprise_type="heat_source")
    adjustment = Adjustment(sub_item="C8.2", points="3", reason="核查", member="王敏")
    with pytest.raises(
        AdjustmentError, match=re.escape("C8.2 does not apply to a 热源单位")
    ):
        score(figures, book, [adjustment])


def test_adjustment_twice_rejected(book: Rulebook) -> None:
    first = Adjustment(sub_item="C6.1", points="2", reason="初审", member="王敏")
    second = Adjustment(sub_item="C6.1", points="3", reason="复核", member="李强")
    with pytest.raises(AdjustmentError, match=re.escape("C6.1 is adjusted twice")):
        score(read_figures(HAND_WORKED), book, [first, second])


def test_adjustment_errors_listed_together(book: Rulebook) -> None:
    wrong = [
        Adjustment(sub_item="C2.2", points="6", reason="核查", member="王敏"),
        Adjustment(sub_item="C6.1", points="9", reason="核查", member="王敏"),
    ]
    with pytest.raises(AdjustmentError) as caught:
        score(read_figures(HAND_WORKED), book, wrong)
    assert len(caught.value.problems) == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "   ", "reason is blank"),
        ("member", "", "member is blank"),
        ("points", "-1", "greater than or equal to 0"),
        ("points", "1.005", "no more than 2 decimal places"),
        ("points", 1.5, "float 1.5 is not allowed"),
        ("member", "王敏\n李强", "one line"),
    ],
)
def test_adjustment_model_rejects(field: str, value: Any, message: str) -> None:
    values: dict[str, Any] = {"sub_item": "C6.1", "points": "2", "reason": "核查"}
    values["member"] = "王敏"
    values[field] = value
    with pytest.raises(ValidationError, match=re.escape(message)):
        Adjustment(**values)


def test_figures_reject_floats() -> None:
    with pytest.raises(ValidationError, match=re.escape("float 0.95 is not allowed")):
        perfect_heating(room_temp_compliance=0.95)


def test_figures_reject_part_above_whole() -> None:
    with pytest.raises(
        ValidationError, match=re.escape("hazards_fixed 5 is more than hazards_found 4")
    ):
        perfect_heating(hazards_found=4, hazards_fixed=5)


def test_score_rejects_plain_dict(book: Rulebook) -> None:
    with pytest.raises(
        TypeError, match=re.escape("figures must be rules.figures.Figures")
    ):
        score({"enterprise_type": "heating"}, book)  # type: ignore[arg-type]


def test_adjustments_from_generator(book: Rulebook) -> None:
    decisions = (
        Adjustment(sub_item=rule_id, points="1", reason="核查", member="王敏")
        for rule_id in ["C1.4"]
    )
    sheet = score(read_figures(HAND_WORKED), book, decisions)  # type: ignore[arg-type]
    assert len(sheet.adjustments) == 1
    assert sheet.line("C1.4").points == Decimal(1)


def test_adjustment_must_be_model(book: Rulebook) -> None:
    plain = {"sub_item": "C1.4", "points": "1", "reason": "核查", "member": "王敏"}
    with pytest.raises(TypeError, match=re.escape("must be rules.sheet.Adjustment")):
        score(read_figures(HAND_WORKED), book, [plain])  # type: ignore[list-item]


# -- Properties over random figures ---------------------------------------------------


BOOK = load_rulebook()
BOOK_AGAIN = load_rulebook()  # an equal rulebook loaded separately
PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _share(scale: int = 10000) -> st.SearchStrategy[Decimal]:
    return st.integers(0, scale).map(lambda n: Decimal(n) / Decimal(scale))


@st.composite
def figures_data(draw: st.DrawFn) -> dict[str, Any]:
    """Random valid figures as a dict: counts, shares, yes/no, parts within wholes."""
    data: dict[str, Any] = {
        "enterprise_type": draw(st.sampled_from(["heating", "heat_source"]))
    }
    for name, field in Figures.model_fields.items():
        if name in data:
            continue
        if field.annotation is bool:
            data[name] = draw(st.booleans())
        elif field.annotation is int:
            upper = 4 if name == "convenience_measures" else 40
            data[name] = draw(st.integers(0, upper))
        elif name == "energy_ratio_to_benchmark":
            data[name] = draw(st.integers(70, 130).map(lambda n: Decimal(n) / 100))
        elif name == "fuel_reserve_days":
            data[name] = draw(st.integers(0, 25).map(Decimal))
        else:
            data[name] = draw(_share())
    data["households_served"] = draw(st.integers(0, 20000))
    for part, whole in PARTS_OF_WHOLES:
        data[part] = draw(st.integers(0, data[whole]))
    return data


def _improvement_directions(book: Rulebook) -> dict[str, int]:
    """Map each input to +1 or −1, the way it improves every rule that reads it.

    Inputs that improve one rule by rising and another by falling (households
    served: a complaint-rate denominator and a metering-ratio denominator) are left
    out, because no single move improves them.
    """
    votes: dict[str, set[int]] = {}

    def vote(name: str, direction: int) -> None:
        votes.setdefault(name, set()).add(direction)

    def vote_quotient(quotient: Quotient, direction: int) -> None:
        vote(quotient.numerator, direction)
        vote(quotient.denominator, -direction)

    for _, item in book.sub_items():
        if isinstance(item, ChecklistItem):
            for name in item.items:
                vote(name, 1)
            if item.counted is not None:
                vote(item.counted.input, 1)
        elif isinstance(item, RatioItem):
            if item.share is not None:
                vote(item.share, 1)
            if item.quotient is not None:
                vote_quotient(item.quotient, 1)
        elif isinstance(item, StepItem):
            up = 1 if item.direction is Direction.HIGHER_IS_BETTER else -1
            if item.input is not None:
                vote(item.input, up)
            if item.quotient is not None:
                vote_quotient(item.quotient, up)
        elif isinstance(item, DeductionItem):
            for unit in item.deduct:
                vote(unit.input, -1)
    for bonus in book.bonus:
        for condition in bonus.conditions:
            comparisons = condition.comparisons()
            up = -1 if comparisons and comparisons[0][0] in ("<", "<=") else 1
            if condition.input is not None:
                vote(condition.input, up)
            if condition.quotient is not None:
                vote_quotient(condition.quotient, up)
    for rule in book.deductions:
        vote(rule.input, -1)
    return {name: next(iter(found)) for name, found in votes.items() if len(found) == 1}


DIRECTIONS = _improvement_directions(BOOK)


def _bounds(data: dict[str, Any], name: str) -> tuple[Any, Any]:
    """Return the lowest and highest valid value of `name`, given the other figures."""
    field = Figures.model_fields[name]
    if field.annotation is bool:
        return False, True
    if field.annotation is Decimal:
        upper = (
            Decimal(1)
            if name not in ("energy_ratio_to_benchmark", "fuel_reserve_days")
            else Decimal(200)
        )
        return Decimal(0), upper
    low = max([data[part] for part, whole in PARTS_OF_WHOLES if whole == name] or [0])
    high = next((data[whole] for part, whole in PARTS_OF_WHOLES if part == name), 10**6)
    if name == "convenience_measures":
        high = 4
    return low, high


def _check_totals(sheet: ScoreSheet) -> None:
    """Assert that every total follows from the lines as the sheet documents."""
    with localcontext(SCORING_CONTEXT):  # the engine's 50 significant digits
        _check_totals_exactly(sheet)


def _check_totals_exactly(sheet: ScoreSheet) -> None:
    for category in sheet.categories:
        lines = [line for line in sheet.lines if line.category == category.id]
        assert sum(line.points for line in lines) == category.points
        if not category.applies:
            assert category.points == 0
    applicable = [category for category in sheet.categories if category.applies]
    assert sheet.raw_points == sum(category.points for category in applicable)
    assert sheet.applicable_max == sum(category.max for category in applicable)
    assert sheet.base == round_points(
        sheet.raw_points * BOOK.scale / sheet.applicable_max
    )
    bonus = [line.points for line in sheet.lines if line.kind is LineKind.BONUS]
    assert sheet.bonus_uncapped == sum(bonus)
    assert sheet.bonus == round_points(min(sum(bonus), BOOK.bonus_cap))
    deductions = [
        line.points for line in sheet.lines if line.kind is LineKind.DEDUCTION
    ]
    assert sheet.deductions == round_points(sum(deductions))
    assert sheet.final == max(Decimal(0), sheet.base + sheet.bonus - sheet.deductions)
    assert sheet.final == round_points(sheet.final_unrounded)


@PROPERTY_SETTINGS
@given(figures_data())
def test_property_bounds(data: dict[str, Any]) -> None:
    sheet = score(Figures.model_validate(data), BOOK)
    assert Decimal(0) <= sheet.base <= Decimal(100)
    assert Decimal(0) <= sheet.final <= Decimal(110)
    for line in sheet.lines:
        if line.kind is LineKind.SUB_ITEM:
            assert Decimal(0) <= line.points <= line.max


@PROPERTY_SETTINGS
@given(figures_data())
def test_property_lines_add_up(data: dict[str, Any]) -> None:
    _check_totals(score(Figures.model_validate(data), BOOK))


@PROPERTY_SETTINGS
@given(figures_data())
def test_property_deterministic(data: dict[str, Any]) -> None:
    first = score(Figures.model_validate(data), BOOK)
    second = score(Figures.model_validate(copy.deepcopy(data)), BOOK_AGAIN)
    assert first == second
    assert content_hash(first) == content_hash(second)


# More examples than the other properties, so that each of the 54 inputs is moved
# several times.
@settings(PROPERTY_SETTINGS, max_examples=400)
@given(figures_data(), st.sampled_from(sorted(DIRECTIONS)), st.data())
def test_property_monotone(
    data: dict[str, Any], name: str, draw: st.DataObject
) -> None:
    low, high = _bounds(data, name)
    current = data[name]
    if DIRECTIONS[name] > 0:
        assume(current < high)
        if isinstance(current, bool):
            better: Any = True
        elif isinstance(current, Decimal):
            better = current + draw.draw(_share()) * (high - current)
        else:
            better = draw.draw(st.integers(current + 1, min(high, current + 50)))
    else:
        assume(current > low)
        if isinstance(current, bool):
            better = False
        elif isinstance(current, Decimal):
            better = current - draw.draw(_share()) * (current - low)
        else:
            better = draw.draw(st.integers(max(low, current - 50), current - 1))
    before = score(Figures.model_validate(data), BOOK)
    after = score(Figures.model_validate({**data, name: better}), BOOK)
    assert after.final_unrounded >= before.final_unrounded
    order = [band.grade for band in BOOK.grades]
    assert order.index(after.grade) <= order.index(before.grade)


@PROPERTY_SETTINGS
@given(figures_data(), st.data())
def test_property_adjusted_bounds(data: dict[str, Any], draw: st.DataObject) -> None:
    figures = Figures.model_validate(data)
    judged = [
        (item.id, item.points)
        for category, item in BOOK.sub_items()
        if item.judgement and figures.enterprise_type in category.applies_to
    ]
    rule_id, full = draw.draw(st.sampled_from(judged))
    cents = draw.draw(st.integers(0, int(full * 100)))
    points = Decimal(cents) / 100
    adjustment = Adjustment(
        sub_item=rule_id, points=points, reason="核查", member="王敏"
    )
    sheet = score(figures, BOOK, [adjustment])
    assert sheet.line(rule_id).points == points
    assert Decimal(0) <= sheet.final <= Decimal(110)
    _check_totals(sheet)
