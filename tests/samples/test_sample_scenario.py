"""The committed scenario.yaml: the cast, the calendar, the decisions and the grades."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from stdnum.cn import uscc

from rules.rulebook import load_rulebook
from samples.expected import decisions_for, grade_problems, outcomes
from samples.roster import Role


def test_sixty_enterprises_in_twelve_counties(scenario):
    counts = Counter(e["county"] for e in scenario["enterprises"])
    assert len(scenario["enterprises"]) == 60
    assert set(counts) == set(scenario["counties"])
    assert len(counts) == 12
    assert min(counts.values()) >= 3


def test_urban_districts_have_most(scenario):
    counts = Counter(e["county"] for e in scenario["enterprises"])
    others = [n for code, n in counts.items() if code not in ("150402", "150404")]
    assert counts["150402"] > max(others)
    assert counts["150404"] > max(others)


def test_sizes_and_types_mix(scenario):
    households = [e["households_served"] for e in scenario["enterprises"]]
    types = Counter(e["type"] for e in scenario["enterprises"])
    assert min(households) <= 1000
    assert max(households) >= 55000
    assert types["heat_source"] >= 10
    assert types["heating"] >= 30


def test_credit_codes_valid_and_local(scenario):
    codes = [e["credit_code"] for e in scenario["enterprises"]]
    assert len(set(codes)) == len(codes)
    for enterprise in scenario["enterprises"]:
        code = enterprise["credit_code"]
        assert uscc.is_valid(code), code
        assert code[2:8] == enterprise["county"], code


def test_every_grade_several_times(scenario):
    grades = Counter(e["intended_grade"] for e in scenario["enterprises"])
    assert sorted(grades) == ["A", "B", "C", "D"]
    assert min(grades.values()) >= 3
    assert scenario["expected_grades"] == dict(sorted(grades.items()))


def test_each_role_played_once(scenario):
    roles = Counter(role for e in scenario["enterprises"] for role in e["roles"])
    assert set(roles) == {role.value for role in Role}
    assert set(roles.values()) == {1}


def test_engine_confirms_scripted_grades(scenario):
    problems = grade_problems(
        scenario["enterprises"], scenario["events"], load_rulebook()
    )
    assert problems == []


def test_decisions_move_the_scripted_grades(scenario, by_role):
    results = {
        o.credit_code: o
        for o in outcomes(scenario["enterprises"], scenario["events"], load_rulebook())
    }
    moves = {
        "falsifier": ("B", "D"),
        "objection_upheld": ("A", "B"),
        "appeal_upheld": ("C", "B"),
        "city_returned_down": ("B", "C"),
        "major_accident": ("D", "D"),
    }
    for role, (before, after) in moves.items():
        outcome = results[by_role[role]["credit_code"]]
        assert (outcome.intake.grade, outcome.final.grade) == (before, after), role


def test_major_accident_caps_grade(scenario, by_role):
    record = by_role["major_accident"]
    (outcome,) = outcomes([record], scenario["events"], load_rulebook())
    assert record["figures"]["major_accidents"] == 1
    assert outcome.intake.final >= Decimal("70")
    assert outcome.intake.grade_by_points == "C"
    assert outcome.intake.grade_capped_by == ("D1",)


def test_arrivals_follow_the_intake_window(scenario):
    for enterprise in scenario["enterprises"]:
        county = scenario["counties"][enterprise["county"]]
        for package in enterprise["packages"]:
            assert package["arrives"] > county["season_end"], package["path"]
            after_deadline = package["arrives"] > county["intake_deadline"]
            assert after_deadline == package["late"], package["path"]


def test_late_packages(scenario, by_role):
    late = {
        e["credit_code"]
        for e in scenario["enterprises"]
        if any(p["late"] for p in e["packages"])
    }
    expected = {
        by_role[r]["credit_code"]
        for r in ("late", "late_after_reminders", "defect_late_correction")
    }
    assert late == expected
    assert by_role["late_after_reminders"]["reminders_expected"] is True


def test_defective_packages_are_followed_by_a_fix(scenario):
    defective = [e for e in scenario["enterprises"] if len(e["packages"]) == 2]
    assert len(defective) == 7
    for enterprise in defective:
        first, second = enterprise["packages"]
        assert first["expect"] == "rejected"
        assert first["defects"]
        assert second["expect"] == "accepted"
        assert second["defects"] == []
        assert second["arrives"] > first["arrives"]


def test_every_enterprise_ends_accepted(scenario):
    for enterprise in scenario["enterprises"]:
        assert enterprise["packages"][-1]["expect"] == "accepted"


def test_some_packages_are_zips(scenario):
    packaging = Counter(e["packaging"] for e in scenario["enterprises"])
    assert packaging["folder"] > 50
    assert packaging["zip"] >= 3
    assert packaging["zip_gbk_names"] == 1


def _events(scenario: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [e for e in scenario["events"] if e["action"] == action]


def test_objections_and_appeal(scenario, by_role):
    filed = {e["reference"]: e for e in _events(scenario, "objection")}
    verdicts = {e["reference"]: e for e in _events(scenario, "objection_verdict")}
    kinds = Counter(e["kind"] for e in filed.values())
    assert kinds == {"objection": 3, "appeal": 1}
    statuses = Counter(v["status"] for v in verdicts.values())
    assert statuses == {"upheld": 2, "rejected": 1}
    (late,) = [e for e in filed.values() if e.get("expect_status") == "late"]
    assert late["enterprise"] == by_role["objection_late"]["credit_code"]
    assert late["when"]["anchor"] == "publicity_closed"
    assert late["reference"] not in verdicts
    (appeal,) = [e for e in filed.values() if e["kind"] == "appeal"]
    assert verdicts[appeal["reference"]]["adjustments"] == [
        {"sub_item": "C7.2", "points": "2"}
    ]


def test_city_returns_one_county(scenario, by_role):
    reviews = _events(scenario, "city_review")
    returned = [r for r in reviews if r["status"] == "returned"]
    assert len(returned) == 1
    assert returned[0]["county"] == "150404"
    assert returned[0]["enterprises"] == [
        by_role["city_returned_down"]["credit_code"],
        by_role["city_returned_kept"]["credit_code"],
    ]
    confirmed = Counter(r["county"] for r in reviews if r["status"] == "confirmed")
    assert set(confirmed) == set(scenario["counties"])
    assert set(confirmed.values()) == {1}


def test_falsified_finding_names_the_shared_file(scenario, by_role):
    (finding,) = _events(scenario, "falsified_materials")
    assert finding["enterprise"] == by_role["falsifier"]["credit_code"]
    assert finding["evidence"]["same_as"] == by_role["evidence_owner"]["credit_code"]
    adjustments, falsified = decisions_for(finding["enterprise"], scenario["events"])
    assert falsified is True
    assert [(a.sub_item, a.points) for a in adjustments] == [("B2", Decimal("0"))]


def test_rectification_checks(scenario, by_role):
    checks = {e["enterprise"]: e for e in _events(scenario, "rectification_check")}
    rectified = checks[by_role["rectified"]["credit_code"]]
    failed = checks[by_role["not_rectified"]["credit_code"]]
    assert by_role["rectified"]["intended_grade"] == "C"
    assert by_role["not_rectified"]["intended_grade"] == "D"
    assert rectified["outcome"] == "rectified"
    assert rectified["when"]["days"] < 0
    assert failed["outcome"] == "failed"
    assert failed["when"]["days"] > 0
    assert failed["expect_follow_ups"] == ["licence_revocation", "emergency_takeover"]


def test_deciders_are_registered(scenario):
    reviewers = {r["name"] for r in scenario["city_reviewers"]}
    for event in scenario["events"]:
        if "by" not in event:
            continue
        if event["action"] == "city_review":
            assert event["by"] in reviewers, event["id"]
            continue
        members = {
            m["name"] for m in scenario["counties"][event["county"]]["committee"]
        }
        assert event["by"] in members, event["id"]


def test_events_name_known_enterprises(scenario):
    counties = {e["credit_code"]: e["county"] for e in scenario["enterprises"]}
    for event in scenario["events"]:
        if "enterprise" in event:
            assert counties[event["enterprise"]] == event["county"], event["id"]
