"""Suites of the application workbook: identity, key figures and claims, and the
evidence each claim needs."""

from __future__ import annotations

from decimal import Decimal

from expectations.runner import run_checks
from intake.defects import Severity
from rules.figures import EnterpriseType
from tests.expectations.package import (
    COMPLAINT_COLUMNS,
    CREDIT_CODE,
    OTHER_CODE,
    claims,
    complaint,
    context,
    evidence,
    identity,
    key_figures,
    table,
)

B, R = Severity.BLOCKING, Severity.REVIEW


def summary(defects) -> list[tuple]:
    return [(d.rule, d.row, d.column, d.value, d.severity) for d in defects]


# Identity -------------------------------------------------------------------


def check_identity(**changes):
    return summary(run_checks({"identity": identity(**changes)}, context()))


def test_identity_credit_code_format():
    # 17 characters: one short.
    assert check_identity(credit_code="91150402MA0N12345") == [
        ("identity.credit_code.format", 3, "内容", "91150402MA0N12345", B)
    ]


def test_identity_credit_code_letter_o_not_allowed():
    assert check_identity(credit_code="91150402MA0O123457") == [
        ("identity.credit_code.format", 3, "内容", "91150402MA0O123457", B)
    ]


def test_identity_credit_code_check_character():
    # The check character of 91150402MA0N12345 is 7, not 8.
    assert check_identity(credit_code="91150402MA0N123458") == [
        ("identity.credit_code.check_character", 3, "内容", "91150402MA0N123458", B)
    ]


def test_identity_credit_code_with_letter_authority_passes():
    # Y (other registering authority) is valid in GB 32100 though stdnum's
    # is_valid demands digits there; Y1150402MA0N12345 has check character H.
    defects = run_checks(
        {"identity": identity(credit_code="Y1150402MA0N12345H")},
        context(credit_code="Y1150402MA0N12345H"),
    )
    assert defects == []


def test_identity_credit_code_not_registered():
    defects = run_checks({"identity": identity()}, context(credit_code=OTHER_CODE))
    assert summary(defects) == [
        ("identity.credit_code.registered", 3, "内容", CREDIT_CODE, B)
    ]
    assert OTHER_CODE in defects[0].message


def test_identity_county_not_in_chifeng():
    # 150102 is a district of Hohhot, not of Chifeng.
    assert (
        check_identity(county="150102")
        == [
            ("identity.county.allowed", 4, "内容", "150102", B),
            ("identity.county.registered", 4, "内容", "150102", B),
        ][:1]
    )


def test_identity_county_other_than_submitted():
    assert check_identity(county="150404") == [
        ("identity.county.registered", 4, "内容", "150404", B)
    ]


def test_identity_type_not_allowed():
    assert check_identity(type="供水单位") == [
        ("identity.type.allowed", 5, "内容", "供水单位", B)
    ]


def test_identity_type_label_accepted():
    assert check_identity(type="供热单位") == []


def test_identity_type_other_than_registered():
    defects = run_checks(
        {"identity": identity(type="热源单位")},
        context(enterprise_type=EnterpriseType.HEATING),
    )
    assert summary(defects) == [("identity.type.registered", 5, "内容", "热源单位", B)]


def test_identity_season_other_than_evaluated():
    assert check_identity(season="2024-2025") == [
        ("identity.season.current", 6, "内容", "2024-2025", B)
    ]


def test_identity_email_invalid():
    assert check_identity(contact_email="wangwei@") == [
        ("identity.contact_email.format", 9, "内容", "wangwei@", B)
    ]


def test_identity_phone_unusual_is_for_review():
    assert check_identity(contact_phone="8888") == [
        ("identity.contact_phone.format", 8, "内容", "8888", R)
    ]


def test_identity_mobile_phone_passes():
    assert check_identity(contact_phone="13800000000") == []


def test_identity_empty_name():
    defects = run_checks({"identity": identity(name=None)}, context())
    assert summary(defects) == [("identity.name.not_empty", 2, "内容", None, B)]
    assert defects[0].sheet == "基本信息"
    assert "企业名称" in defects[0].message


# Key figures ----------------------------------------------------------------


def check_figures(**changes):
    return summary(run_checks({"key_figures": key_figures(**changes)}, context()))


def test_key_figures_part_above_whole():
    # meetings_attended is on row 4, after households_served and meetings_called.
    assert check_figures(meetings_attended=11) == [
        ("key_figures.meetings_attended.not_above_meetings_called", 4, "数值", "11", B)
    ]


def test_key_figures_part_equal_to_whole_passes():
    assert check_figures(hazards_fixed=12, hazards_found=12) == []


def test_key_figures_metered_above_households():
    defects = check_figures(metered_households=1001)
    assert defects == [
        (
            "key_figures.metered_households.not_above_households_served",
            7,
            "数值",
            "1001",
            B,
        )
    ]


def test_key_figures_retrofits_above_plan_is_for_review():
    assert check_figures(retrofits_done=5) == [
        ("key_figures.retrofits_done.not_above_retrofits_planned", 10, "数值", "5", R)
    ]


def test_key_figures_share_above_one():
    assert check_figures(platform_online_rate=Decimal("1.2")) == [
        ("key_figures.platform_online_rate.maximum", 15, "数值", "1.2", B)
    ]


def test_key_figures_negative_amount():
    assert check_figures(fuel_reserve_days=Decimal("-2")) == [
        ("key_figures.fuel_reserve_days.minimum", 19, "数值", "-2", B)
    ]


def test_key_figures_convenience_measures_above_four():
    assert check_figures(convenience_measures=5) == [
        ("key_figures.convenience_measures.maximum", 17, "数值", "5", B)
    ]


def test_key_figures_value_of_wrong_kind():
    assert check_figures(licence_valid=Decimal("1")) == [
        ("key_figures.value.type", 18, "数值", "1", B)
    ]


def test_key_figures_without_households_served():
    table = key_figures(only=True, meetings_called=3)
    defects = run_checks({"key_figures": table}, context())
    assert summary(defects) == [
        ("key_figures.households_served.present", None, "指标代码", None, B)
    ]


def test_key_figures_unknown_field():
    table = key_figures(only=True, households_served=10, valid_complaints=3)
    defects = run_checks({"key_figures": table}, context())
    assert summary(defects) == [
        ("key_figures.field.known", 3, "指标代码", "valid_complaints", B)
    ]


# Claims and evidence ----------------------------------------------------------


def check_claims(*rows, files=None, **ctx_fields):
    tables = {"claims": claims(*rows), "evidence": evidence(*(files or ()))}
    return summary(run_checks(tables, context(**ctx_fields)))


def test_claim_above_maximum():
    # The rulebook gives C1.1 3 points.
    assert check_claims(("C1.1", "3", "3.5"), files=[_pdf("C1.1")]) == [
        ("claims.claimed.within_max", 2, "自评得分", "3.5", B)
    ]


def test_claim_negative():
    assert check_claims(("C1.1", "3", "-1")) == [
        ("claims.claimed.non_negative", 2, "自评得分", "-1", B)
    ]


def test_claim_maximum_other_than_rulebook():
    assert check_claims(("C1.1", "4", "0")) == [
        ("claims.max_points.rulebook", 2, "满分", "4", B)
    ]


def test_claim_unknown_sub_item():
    assert check_claims(("C9.1", "3", "0")) == [
        ("claims.sub_item.known", 2, "细项编号", "C9.1", B)
    ]


def test_claim_sub_item_in_lower_case_passes():
    assert check_claims(("c1.1", "3", "3"), files=[_pdf("C1.1")]) == []


def test_claim_sub_item_twice():
    assert check_claims(("C1.1", "3", "0"), ("C1.1", "3", "0")) == [
        ("claims.sub_item.unique", 2, "细项编号", "C1.1", B),
        ("claims.sub_item.unique", 3, "细项编号", "C1.1", B),
    ]


def test_claim_without_evidence():
    tables = {"claims": claims(("C1.4", "1", "1")), "evidence": evidence(_pdf("C1.1"))}
    defects = run_checks(tables, context())
    assert summary(defects) == [("claims.claimed.evidence", 2, "自评得分", "1", B)]
    assert "evidence/C1.4/" in defects[0].message
    assert "供热经营许可证" in defects[0].message


def test_claim_with_evidence_of_wrong_kind():
    # C2.1 (on-time start) expects a PDF notice; a photo does not support it.
    files = [("C2.1", "evidence/C2.1/photo.jpg", "image", "d" * 64)]
    assert check_claims(("C2.1", "3", "3"), files=files) == [
        ("claims.claimed.evidence", 2, "自评得分", "3", B)
    ]


def test_claim_of_zero_needs_no_evidence():
    assert check_claims(("C1.4", "1", "0"), files=[_pdf("C1.1")]) == []


def test_claim_without_evidence_table():
    defects = run_checks({"claims": claims(("C1.4", "1", "1"))}, context())
    assert [d.rule for d in defects] == ["claims.claimed.evidence"]


def test_claim_not_applicable_to_heat_source():
    # rules/chifeng-default.yaml applies complaint management (C5) to heating
    # units only.
    files = [("C5.1", "evidence/C5.1/ledger.xlsx", "office", "e" * 64)]
    assert check_claims(
        ("C5.1", "5", "5"),
        files=files,
        enterprise_type=EnterpriseType.HEAT_SOURCE,
    ) == [("claims.claimed.applies", 2, "自评得分", "5", R)]


def test_evidence_under_unknown_sub_item():
    files = [("C9.9", "evidence/C9.9/a.pdf", "pdf", "f" * 64)]
    tables = {"evidence": evidence(*files)}
    defects = run_checks(tables, context())
    assert summary(defects) == [("evidence.sub_item.known", None, None, "C9.9", B)]
    assert defects[0].file == "evidence/C9.9/a.pdf"


def test_evidence_of_unknown_kind():
    files = [("C1.1", "evidence/C1.1/a.exe", "other", "f" * 64)]
    defects = run_checks({"evidence": evidence(*files)}, context())
    assert summary(defects) == [("evidence.kind.allowed", None, None, "other", B)]


def test_evidence_shared_with_other_enterprise():
    files = [_pdf("C1.1")]
    defects = run_checks(
        {"evidence": evidence(*files)},
        context(other_evidence={"1" * 64: frozenset({OTHER_CODE})}),
    )
    assert summary(defects) == [("evidence.sha256.shared", None, None, "1" * 64, R)]
    assert OTHER_CODE in defects[0].message
    assert "造假" in defects[0].message


def test_evidence_shared_only_with_itself_passes():
    defects = run_checks(
        {"evidence": evidence(_pdf("C1.1")), "identity": identity()},
        context(other_evidence={"1" * 64: frozenset({CREDIT_CODE})}),
    )
    assert defects == []


def _pdf(sub_item: str) -> tuple[str, str, str, str]:
    return (sub_item, f"evidence/{sub_item}/file.pdf", "pdf", "1" * 64)


# Claims against the complaint ledger -------------------------------------------


def ledger_package(complaints: int, *rows):
    """Claims with evidence for each row, and `complaints` valid complaints among the
    1,000 households of the clean package."""
    ledger = [complaint(id=f"T{i}", household=f"H-{i}") for i in range(complaints)]
    files = [(s, f"evidence/{s}/ledger.pdf", "pdf", "2" * 64) for s, _, _ in rows]
    return {
        "claims": claims(*rows),
        "evidence": evidence(*files),
        "complaints": table("complaints", ledger, COMPLAINT_COLUMNS),
        "key_figures": key_figures(),
        "identity": identity(),
    }


def test_complaint_rate_claim_above_ledger():
    # 6 valid complaints per 1,000 households is 6 ‰, which earns 2.5 of C5.1's 5.
    defects = run_checks(ledger_package(6, ("C5.1", "5", "4")), context())
    assert summary(defects) == [("claims.claimed.ledger", 2, "自评得分", "4", R)]
    assert "2.50" in defects[0].message


def test_complaint_rate_claim_matching_ledger_passes():
    assert run_checks(ledger_package(6, ("C5.1", "5", "2.5")), context()) == []


def test_complaint_bonus_claim_above_ledger():
    # B1 needs fewer than 5 valid complaints per 1,000 households.
    defects = run_checks(ledger_package(5, ("B1", "3", "3")), context())
    assert summary(defects) == [("claims.claimed.ledger", 2, "自评得分", "3", R)]


def test_complaint_bonus_claim_met_by_ledger_passes():
    assert run_checks(ledger_package(4, ("B1", "3", "3")), context()) == []


def test_claim_not_decided_by_ledger_is_not_compared():
    # C1.1 reads meeting figures, which the ledger does not decide.
    assert run_checks(ledger_package(6, ("C1.1", "3", "3")), context()) == []
