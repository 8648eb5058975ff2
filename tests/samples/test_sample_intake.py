"""Intake on the committed sample season: each package accepted or rejected as designed.

Packages are checked in arrival order, with the county bureau's records and the
evidence hashes of the packages accepted before, as `heateval submit` looks them up.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from heateval.settings import get_settings
from intake.check import BureauRecords, CheckInputs, check_path
from intake.defects import Severity
from intake.sniff import ArchiveLimits
from rules.figures import Figures
from rules.rulebook import load_rulebook

SEASON = "2025-2026"


@pytest.fixture(scope="module")
def bureau_records(scenario, samples_root) -> dict[str, BureauRecords]:
    """Each county's inspections and hotline, read by intake as a bureau package."""
    rulebook = load_rulebook()
    limits = ArchiveLimits.from_settings(get_settings())
    records = {}
    for county, info in scenario["counties"].items():
        result = check_path(
            samples_root / info["bureau_records"],
            source="bureau",
            season=SEASON,
            county=county,
            rulebook=rulebook,
            limits=limits,
            today=info["season_end"],
        )
        assert result.accepted, (county, result.defects)
        assert result.defects == [], county
        records[county] = BureauRecords(
            inspections=result.parsed.tables["inspections"],
            hotline=result.parsed.tables["hotline"],
        )
    return records


def _rules(defects: list[Any], severity: Severity) -> list[str]:
    return sorted({d.rule for d in defects if d.severity is severity})


def _in_arrival_order(scenario: dict[str, Any]) -> list[tuple[dict, dict]]:
    pairs = [(e, p) for e in scenario["enterprises"] for p in e["packages"]]
    return sorted(pairs, key=lambda pair: (pair[1]["arrives"], pair[1]["path"]))


@pytest.mark.slow
def test_every_package_as_designed(scenario, samples_root, bureau_records):
    rulebook = load_rulebook()
    limits = ArchiveLimits.from_settings(get_settings())
    evidence_owners: dict[str, set[str]] = {}
    mismatches = []
    for enterprise, package in _in_arrival_order(scenario):
        code = enterprise["credit_code"]
        others = {
            sha256: frozenset(owners - {code})
            for sha256, owners in evidence_owners.items()
            if owners - {code}
        }
        inputs = CheckInputs(
            bureau=bureau_records[enterprise["county"]],
            registered_credit_code=code,
            registered_type=enterprise["type"],
            other_evidence=others,
        )
        arrives: date = package["arrives"]
        result = check_path(
            samples_root / package["path"],
            source="enterprise",
            season=SEASON,
            county=None,
            rulebook=rulebook,
            limits=limits,
            inputs=inputs,
            today=arrives,
        )
        outcome = {
            "accepted": result.accepted,
            "blocking": _rules(result.defects, Severity.BLOCKING),
        }
        expected = {
            "accepted": package["expect"] == "accepted",
            "blocking": sorted(package["defects"]),
        }
        # The scenario lists review findings for accepted packages only: those of
        # a rejected version depend on which of its cells could be read.
        if result.accepted:
            outcome["review"] = _rules(result.defects, Severity.REVIEW)
            expected["review"] = sorted({f["rule"] for f in package["review_findings"]})
        if outcome != expected:
            mismatches.append((package["path"], outcome, expected))
            continue
        tickets = {
            d.value
            for d in result.defects
            if d.rule == "complaints.hotline_ticket.missing"
        }
        planted = {
            f["value"]
            for f in package["review_findings"]
            if f["rule"] == "complaints.hotline_ticket.missing"
        }
        if tickets != planted:
            mismatches.append((package["path"], "hotline tickets", tickets, planted))
        if result.accepted:
            if result.figures != Figures.model_validate(enterprise["figures"]):
                mismatches.append((package["path"], "figures differ"))
            for evidence in result.parsed.evidence:
                evidence_owners.setdefault(evidence.sha256, set()).add(code)
    assert mismatches == []
