"""The scenario.yaml entries of enterprises and counties, and the file's text."""

from __future__ import annotations

from typing import Any

import yaml

from rules.legal_calendar import CountyCalendar
from samples.build import SEASON, Built
from samples.expected import figures_record
from samples.package import DEFECT_DESIGNS
from samples.roster import DEFECT_ROLES, Role


def _review_findings(built: Built) -> list[dict[str, str]]:
    """Findings for the committee that the accepted package should raise."""
    roles = built.enterprise.roles
    findings = []
    if built.missing_ticket:
        findings.append(
            {"rule": "complaints.hotline_ticket.missing", "value": built.missing_ticket}
        )
    if Role.FALSIFIER in roles:
        findings.append(
            {"rule": "evidence.sha256.shared", "value": "evidence/B2/荣誉证书.pdf"}
        )
    findings.extend(
        {"rule": "claims.claimed.ledger", "value": sub_item}
        for sub_item in built.ledger_overclaims
    )
    return findings


def _package_records(built: Built) -> list[dict[str, Any]]:
    enterprise = built.enterprise
    defect_roles = sorted(enterprise.roles & DEFECT_ROLES)
    records = []
    for index, (arrival, path) in enumerate(
        zip(built.arrivals, built.paths, strict=True)
    ):
        record: dict[str, Any] = {
            "version": arrival.version,
            "path": path,
            "arrives": arrival.day,
            "late": arrival.late,
        }
        if defect_roles and index == 0:
            design = DEFECT_DESIGNS[defect_roles[0]]
            record["expect"] = "rejected"
            record["defects"] = list(design["rules"])
            record["review_findings"] = []
            record["design"] = design["summary"]
            record["changed"] = built.notes[0]
        else:
            record["expect"] = "accepted"
            record["defects"] = []
            record["review_findings"] = _review_findings(built)
        records.append(record)
    return records


def enterprise_record(built: Built) -> dict[str, Any]:
    """Return the scenario entry of one enterprise."""
    enterprise = built.enterprise
    record: dict[str, Any] = {
        "credit_code": enterprise.credit_code,
        "name": enterprise.name,
        "county": enterprise.county.code,
        "type": enterprise.kind,
        "households_served": enterprise.households,
        "contact": {
            "name": enterprise.contact.name,
            "phone": enterprise.phone,
            "email": enterprise.email,
        },
        "roles": sorted(role.value for role in enterprise.roles),
        "intake_grade": enterprise.intake_grade,
        "intake_final": built.intake_final,
        "intended_grade": enterprise.final_grade,
        "packaging": enterprise.packaging.value,
        "table_encoding": enterprise.table_encoding,
        "packages": _package_records(built),
    }
    if Role.LATE_AFTER_REMINDERS in enterprise.roles:
        record["reminders_expected"] = True
    record.update(figures_record(built.plan))
    return record


def county_record(
    calendar: CountyCalendar, people: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "name": calendar.county_name,
        "season_start": calendar.season_start,
        "season_end": calendar.season_end,
        "intake_deadline": calendar.intake_deadline,
        "report_due": calendar.county_report_due,
        "temperature_threshold_c": str(calendar.temperature_threshold_c),
        "bureau_records": f"bureaus/{calendar.county_code}",
        "committee": people,
    }


class _PlainDumper(yaml.SafeDumper):
    """A YAML dumper that repeats equal values instead of writing anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def scenario_text(
    data: dict[str, Any], seed: int, total: int, per_household: int
) -> str:
    header = (
        f"# Script of the sample season {SEASON}, written by samples/generate.py;"
        " do not edit.\n"
        f"# Regenerate: python -m samples.generate --seed {seed} --enterprises {total}"
        f" --readings-per-household {per_household}\n"
        "# Field reference: samples/README.md\n"
    )
    body = yaml.dump(
        data, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=100
    )
    return header + body
