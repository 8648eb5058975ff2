"""Rulebook loading: the default Chifeng rulebook, its version, and broken rulebooks."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from rules.exact import load_exact_yaml
from rules.figures import EnterpriseType
from rules.rulebook import (
    DEFAULT_RULEBOOK,
    ChecklistItem,
    Rulebook,
    RulebookError,
    StepItem,
    load_rulebook,
    parse_rulebook,
    rulebook_from_data,
)

HEATING = EnterpriseType.HEATING
HEAT_SOURCE = EnterpriseType.HEAT_SOURCE


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return load_rulebook()


@pytest.fixture
def data() -> dict[str, Any]:
    """The default rulebook as parsed YAML, to break in a test."""
    return copy.deepcopy(load_exact_yaml(DEFAULT_RULEBOOK.read_text(encoding="utf-8")))


def _category(data: dict[str, Any], category_id: str) -> dict[str, Any]:
    return next(item for item in data["categories"] if item["id"] == category_id)


def _sub_item(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    category = _category(data, rule_id.split(".")[0])
    return next(item for item in category["sub_items"] if item["id"] == rule_id)


def _problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(RulebookError) as caught:
        rulebook_from_data(data, "broken.yaml")
    return [(problem.rule_id, problem.message) for problem in caught.value.problems]


def _ids(problems: list[tuple[str, str]]) -> list[str]:
    return [rule_id for rule_id, _ in problems]


def _has(problems: list[tuple[str, str]], rule_id: str, fragment: str) -> bool:
    return any(rule == rule_id and fragment in text for rule, text in problems)


def test_default_category_maxima(book: Rulebook) -> None:
    maxima = {category.id: category.max for category in book.categories}
    assert maxima == {
        "C1": Decimal(10),
        "C2": Decimal(15),
        "C3": Decimal(8),
        "C4": Decimal(10),
        "C5": Decimal(15),
        "C6": Decimal(15),
        "C7": Decimal(12),
        "C8": Decimal(15),
    }


def test_default_sub_items_sum_to_category(book: Rulebook) -> None:
    for category in book.categories:
        total = sum(item.points for item in category.sub_items)
        assert total == category.max, category.id


def test_default_applicability(book: Rulebook) -> None:
    heating_only = [
        category.id
        for category in book.categories
        if HEAT_SOURCE not in category.applies_to
    ]
    assert heating_only == ["C5", "C8"]
    assert all(HEATING in category.applies_to for category in book.categories)


def test_default_bonus_and_deductions(book: Rulebook) -> None:
    assert book.bonus_cap == Decimal(10)
    bonus = {item.id: item.points for item in book.bonus}
    assert bonus == {
        "B1": Decimal(3),
        "B2": Decimal(2),
        "B3": Decimal(2),
        "B4": Decimal(1),
        "B5": Decimal(2),
    }
    deductions = {
        rule.id: (rule.per_unit, rule.max, rule.grade_cap) for rule in book.deductions
    }
    assert deductions == {
        "D1": (Decimal(10), None, "D"),
        "D2": (Decimal(5), None, None),
        "D3": (Decimal(3), Decimal(10), None),
        "D4": (Decimal(10), None, "D"),
    }


def test_default_grades(book: Rulebook) -> None:
    bands = [(b.grade, b.min, b.below, b.colour, b.colour_name) for b in book.grades]
    assert bands == [
        ("A", Decimal(90), None, "green", "绿牌"),
        ("B", Decimal(80), Decimal(90), "blue", "蓝牌"),
        ("C", Decimal(70), Decimal(80), "yellow", "黄牌"),
        ("D", Decimal(0), Decimal(70), "red", "红牌"),
    ]


def test_default_room_temperature_steps(book: Rulebook) -> None:
    found = book.find_sub_item("C2.2")
    assert found is not None
    item = found[1]
    assert isinstance(item, StepItem)
    assert item.input == "room_temp_compliance"
    steps = [(step.at, step.points) for step in item.steps]
    assert steps == [
        (Decimal("0.98"), Decimal(6)),
        (Decimal("0.95"), Decimal(5)),
        (Decimal("0.92"), Decimal(4)),
        (Decimal("0.90"), Decimal(2)),
    ]


def test_default_complaint_rate_steps(book: Rulebook) -> None:
    found = book.find_sub_item("C5.1")
    assert found is not None
    item = found[1]
    assert isinstance(item, StepItem)
    assert item.quotient is not None
    assert item.quotient.per == Decimal(1000)
    steps = [(step.at, step.points) for step in item.steps]
    assert steps == [
        (Decimal(2), Decimal(5)),
        (Decimal(5), Decimal(4)),
        (Decimal(8), Decimal("2.5")),
        (Decimal(10), Decimal(1)),
    ]


def test_checklists_are_judgement_items(book: Rulebook) -> None:
    items = [item for _, item in book.sub_items()]
    checklists = [item for item in items if isinstance(item, ChecklistItem)]
    assert len(checklists) == 8
    assert all(item.judgement for item in checklists)


def test_every_name_is_chinese(book: Rulebook) -> None:
    names = [category.name for category in book.categories]
    names += [item.name for _, item in book.sub_items()]
    names += [item.name for item in book.bonus]
    names += [rule.name for rule in book.deductions]
    assert all(any("\u4e00" <= char <= "\u9fff" for char in name) for name in names)


def test_version_is_sha256_hex(book: Rulebook) -> None:
    assert len(book.version) == 64
    assert set(book.version) <= set("0123456789abcdef")


def test_version_ignores_layout() -> None:
    text = DEFAULT_RULEBOOK.read_text(encoding="utf-8")
    data = load_exact_yaml(text)
    reordered = dict(reversed(list(data.items())))
    reordered["scale"] = "100.00"  # the same number, written differently
    rewritten = yaml.safe_dump(reordered, allow_unicode=True)  # drops every comment
    assert parse_rulebook(rewritten).version == parse_rulebook(text).version


def test_version_changes_with_points(data: dict[str, Any]) -> None:
    before = rulebook_from_data(copy.deepcopy(data)).version
    step = _sub_item(data, "C2.2")["steps"][1]
    step["at"] = "0.96"
    assert rulebook_from_data(data).version != before


def test_broken_rulebook_lists_every_problem(data: dict[str, Any]) -> None:
    _category(data, "C3")["max"] = 9  # C3 must be 8; sub-items still add up to 8
    _sub_item(data, "C2.2")["input"] = "room_temp"  # not a Figures field
    _sub_item(data, "C2.2")["steps"][1]["at"] = "0.99"  # not decreasing any more
    _category(data, "C5")["applies_to"] = ["heat_source", "heating"]
    data["bonus_cap"] = 12
    data["grades"][1]["min"] = 85  # B from 85 leaves a gap below C's 80
    data["deductions"][0]["input"] = "major_accident"

    problems = _problems(data)

    assert _has(problems, "bonus_cap", "bonus_cap is 12 but the measure caps it at 10")
    assert ("C3", "max is 9 but the measure gives C3 8") in problems
    assert _has(problems, "C3", "add up to 8")
    assert _has(problems, "categories", "add up to 101")
    assert _has(problems, "C2.2", "'room_temp'")
    assert _has(problems, "C2.2", "strictly decreasing")
    assert _has(problems, "C5", "applies_to")
    assert _has(problems, "grade C", "no gaps")
    assert _has(problems, "grade B", "85")
    assert _has(problems, "D1", "'major_accident'")
    assert len(problems) == 10


def test_unknown_input_suggests_the_field(data: dict[str, Any]) -> None:
    _sub_item(data, "C2.2")["input"] = "room_temp"
    [(rule_id, message)] = _problems(data)
    assert rule_id == "C2.2"
    assert "did you mean room_temp_compliance?" in message


def test_structure_and_rule_problems_together(data: dict[str, Any]) -> None:
    _sub_item(data, "C2.4")["deduct"][0]["points"] = "abc"  # not a number
    _sub_item(data, "C1.2")["method"] = "DEDX"  # no such method
    _sub_item(data, "C6.2")["quotient"]["numerator"] = "certified"  # unknown input
    data["bonus"][4]["conditions"][0]["input"] = "metering_saving"  # unknown input

    problems = _problems(data)

    assert sorted(_ids(problems)) == ["B5", "C1.2", "C2.4", "C6.2"]
    assert _has(problems, "C2.4", "deduct[0].points")
    assert _has(problems, "C1.2", "'DEDX'")


def test_step_points_must_fall(data: dict[str, Any]) -> None:
    _sub_item(data, "C5.4")["steps"][2]["points"] = "1.5"  # equal to the step above
    [(rule_id, message)] = _problems(data)
    assert rule_id == "C5.4"
    assert "fall strictly" in message


def test_lower_is_better_steps_must_rise(data: dict[str, Any]) -> None:
    _sub_item(data, "C4.1")["steps"][2]["at"] = "0.95"  # below the step before it
    [(rule_id, message)] = _problems(data)
    assert rule_id == "C4.1"
    assert "strictly increasing" in message


def test_best_step_gives_full_points(data: dict[str, Any]) -> None:
    item = _sub_item(data, "C7.2")
    item["points"] = 3
    _category(data, "C7")["sub_items"][0]["points"] = 1  # keep C7 at 12
    [(rule_id, message)] = _problems(data)
    assert rule_id == "C7.2"
    assert "best step gives 2" in message


def test_checklist_input_must_be_yes_no(data: dict[str, Any]) -> None:
    _sub_item(data, "C6.1")["items"] = ["drills_held"]
    [(rule_id, message)] = _problems(data)
    assert rule_id == "C6.1"
    assert "must be a yes/no (bool) figure" in message


def test_share_input_must_be_a_share(data: dict[str, Any]) -> None:
    _sub_item(data, "C4.3")["share"] = "fuel_reserve_days"
    [(rule_id, message)] = _problems(data)
    assert rule_id == "C4.3"
    assert "share between 0 and 1" in message


def test_sub_item_needs_chinese_name(data: dict[str, Any]) -> None:
    _sub_item(data, "C8.4")["name"] = "charges and refunds"
    [(rule_id, message)] = _problems(data)
    assert rule_id == "C8.4"
    assert "Chinese name" in message


def test_points_have_two_decimals(data: dict[str, Any]) -> None:
    _sub_item(data, "C2.4")["deduct"][0]["points"] = "0.125"
    [(rule_id, message)] = _problems(data)
    assert rule_id == "C2.4"
    assert "2 decimal places" in message


def test_float_points_rejected(data: dict[str, Any]) -> None:
    _sub_item(data, "C2.4")["deduct"][0]["points"] = 0.5
    [(rule_id, message)] = _problems(data)
    assert rule_id == "C2.4"
    assert "float 0.5 is not allowed" in message


def test_duplicate_ids_rejected(data: dict[str, Any]) -> None:
    data["bonus"][1]["id"] = "B1"
    problems = _problems(data)
    assert ("B1", "id used 2 times; ids must be unique") in problems


def test_missing_category_rejected(data: dict[str, Any]) -> None:
    data["categories"] = [c for c in data["categories"] if c["id"] != "C8"]
    problems = _problems(data)
    assert ("categories", "categories C8 of the measure are missing") in problems
    assert _has(problems, "categories", "category maxima add up to 85, not to 100")


def test_unknown_grade_cap_rejected(data: dict[str, Any]) -> None:
    data["deductions"][3]["grade_cap"] = "E"
    [(rule_id, message)] = _problems(data)
    assert rule_id == "D4"
    assert "'E' is not one of the grades A, B, C, D" in message


def test_direct_construction_runs_checks(data: dict[str, Any]) -> None:
    data["bonus_cap"] = 12
    with pytest.raises(ValidationError, match="bonus_cap is 12"):
        Rulebook.model_validate(data)


def test_missing_file_rejected(tmp_path: Path) -> None:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(tmp_path / "absent.yaml")
    assert [problem.rule_id for problem in caught.value.problems] == ["file"]


def test_invalid_yaml_rejected() -> None:
    with pytest.raises(RulebookError, match="invalid YAML"):
        parse_rulebook("title: [unclosed\n")


def test_top_level_must_be_mapping() -> None:
    with pytest.raises(RulebookError, match="top level must be a mapping"):
        parse_rulebook("- just\n- a list\n")
