"""The human decisions of the sample season: findings, objections, reviews, checks.

Each event names who decides and when, anchored to a product event with a day
offset (see `samples/README.md`). The reasons are written as a committee would
write them, in Chinese.
"""

from __future__ import annotations

import random
from typing import Any

from samples import names
from samples.roster import Enterprise, Role


def _when(anchor: str, days: int, **extra: int) -> dict[str, Any]:
    return {"anchor": anchor, **extra, "days": days}


def _holder(enterprises: list[Enterprise], role: Role) -> Enterprise:
    return next(e for e in enterprises if role in e.roles)


def _member(people: dict[str, list[dict[str, str]]], county: str, index: int) -> str:
    return people[county][index]["name"]


def scripted_events(
    enterprises: list[Enterprise],
    people: dict[str, list[dict[str, str]]],
    reviewers: list[dict[str, str]],
    rng: random.Random,
) -> list[dict[str, Any]]:
    """Return the human decisions of the season, in the order they happen."""
    events: list[dict[str, Any]] = []
    events += _falsified_events(enterprises, people)
    events += _objection_events(enterprises, people, rng)
    events += _city_events(enterprises, people, reviewers)
    events += _rectification_events(enterprises, people)
    for number, event in enumerate(events, start=1):
        event["id"] = f"E{number:02d}"
    return [{"id": e.pop("id"), **e} for e in events]


def _falsified_events(
    enterprises: list[Enterprise], people: dict[str, list[dict[str, str]]]
) -> list[dict[str, Any]]:
    owner = _holder(enterprises, Role.EVIDENCE_OWNER)
    copier = _holder(enterprises, Role.FALSIFIER)
    county = copier.county.code
    reason = (
        f"B2 提交的荣誉证书与{owner.name}（{owner.credit_code}）提交的文件完全相同，"
        f"证书授予对象为该公司；经向市住房和城乡建设局核实，{copier.name}"
        "未获得市级表彰，认定评价材料弄虚作假。"
    )
    when = _when("intake_deadline", 1)
    return [
        {
            "action": "committee_adjustment",
            "county": county,
            "enterprise": copier.credit_code,
            "when": when,
            "by": _member(people, county, 3),
            "sub_item": "B2",
            "points": "0",
            "reason": reason,
        },
        {
            "action": "falsified_materials",
            "county": county,
            "enterprise": copier.credit_code,
            "when": when,
            "by": _member(people, county, 0),
            "value": True,
            "reason": reason,
            "evidence": {
                "file": "evidence/B2/荣誉证书.pdf",
                "same_as": owner.credit_code,
            },
        },
    ]


def _resident(rng: random.Random) -> tuple[str, str]:
    person = names.person(rng)
    return person.name, f"139{rng.randrange(10**8):08d}"


def _objection_events(
    enterprises: list[Enterprise],
    people: dict[str, list[dict[str, str]]],
    rng: random.Random,
) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []

    upheld = _holder(enterprises, Role.OBJECTION_UPHELD)
    county = upheld.county.code
    filer, phone = _resident(rng)
    reference = f"YY-{county}-001"
    events.append(
        {
            "action": "objection",
            "kind": "objection",
            "reference": reference,
            "county": county,
            "enterprise": upheld.credit_code,
            "when": _when("publicity_opened", 2, round=1),
            "filed_by": f"{filer}（热用户）",
            "contact": phone,
            "grounds": "本小区未公示收费标准、服务电话和维修流程，"
            "也没有设立便民服务点，"
            "四项便民措施仅落实了停热通知一项，自评满分与实际不符。附现场照片 6 张。",
        }
    )
    events.append(
        {
            "action": "objection_verdict",
            "reference": reference,
            "county": county,
            "enterprise": upheld.credit_code,
            "when": _when("publicity_opened", 5, round=1),
            "by": _member(people, county, 3),
            "status": "upheld",
            "reason": "经现场核查，该企业所辖 3 个小区中 2 个"
            "未公示收费标准、服务电话和维修流程，"
            "四项便民措施仅落实一项，C8.2 按 1/4 计分。",
            "adjustments": [{"sub_item": "C8.2", "points": "0.75"}],
        }
    )

    rejected = _holder(enterprises, Role.OBJECTION_REJECTED)
    county = rejected.county.code
    filer, phone = _resident(rng)
    reference = f"YY-{county}-001"
    events.append(
        {
            "action": "objection",
            "kind": "objection",
            "reference": reference,
            "county": county,
            "enterprise": rejected.credit_code,
            "when": _when("publicity_opened", 3, round=1),
            "filed_by": f"{filer}（热用户）",
            "contact": phone,
            "grounds": "今年 1 月小区停热两天，企业未如实上报停热情况，评价结果偏高。",
        }
    )
    events.append(
        {
            "action": "objection_verdict",
            "reference": reference,
            "county": county,
            "enterprise": rejected.credit_code,
            "when": _when("publicity_opened", 6, round=1),
            "by": _member(people, county, 0),
            "status": "rejected",
            "reason": "经核对停热记录和主管部门检查记录，该次停热为外部电网停电所致，"
            "持续 5 小时，已如实登记，不属于 8 小时以上的非计划停热，评分无误。",
        }
    )

    late = _holder(enterprises, Role.OBJECTION_LATE)
    county = late.county.code
    filer, phone = _resident(rng)
    events.append(
        {
            "action": "objection",
            "kind": "objection",
            "reference": f"YY-{county}-001",
            "county": county,
            "enterprise": late.credit_code,
            "when": _when("publicity_closed", 2, round=1),
            "filed_by": f"{filer}（热用户）",
            "contact": phone,
            "grounds": "对该企业的评价结果有异议，室温长期偏低。",
            "expect_status": "late",
        }
    )

    appeal = _holder(enterprises, Role.APPEAL_UPHELD)
    county = appeal.county.code
    reference = f"SS-{county}-001"
    events.append(
        {
            "action": "objection",
            "kind": "appeal",
            "reference": reference,
            "county": county,
            "enterprise": appeal.credit_code,
            "when": _when("publicity_opened", 1, round=1),
            "filed_by": appeal.name,
            "contact": appeal.email,
            "grounds": "本企业于 2026 年 1 月 9 日"
            "参加了旗供热主管部门组织的联合应急演练，"
            "该次演练记录在主管部门台账中，未列入本企业演练记录表，"
            "应急演练应按两次计分。附演练通知和签到表。",
        }
    )
    events.append(
        {
            "action": "objection_verdict",
            "reference": reference,
            "county": county,
            "enterprise": appeal.credit_code,
            "when": _when("publicity_opened", 6, round=1),
            "by": _member(people, county, 0),
            "status": "upheld",
            "reason": "经核对主管部门演练台账，"
            "该企业参加了 2026 年 1 月 9 日的联合演练，"
            "全年演练两次，C7.2 按 2 分计。",
            "adjustments": [{"sub_item": "C7.2", "points": "2"}],
        }
    )
    return events


def _city_events(
    enterprises: list[Enterprise],
    people: dict[str, list[dict[str, str]]],
    reviewers: list[dict[str, str]],
) -> list[dict[str, Any]]:
    down = _holder(enterprises, Role.CITY_RETURNED_DOWN)
    kept = _holder(enterprises, Role.CITY_RETURNED_KEPT)
    returned_county = down.county.code
    events: list[dict[str, Any]] = []
    for county in sorted(people):
        if county == returned_county:
            continue
        events.append(
            {
                "action": "city_review",
                "county": county,
                "when": _when("escalated", 3, attempt=1),
                "by": reviewers[0]["name"],
                "status": "confirmed",
            }
        )
    events.append(
        {
            "action": "city_review",
            "county": returned_county,
            "when": _when("escalated", 3, attempt=1),
            "by": reviewers[1]["name"],
            "status": "returned",
            "reasons": (
                f"{down.name}的锅炉压力容器检验报告已于 2025 年 9 月过期，"
                "C6.4 不应得分；"
                f"{kept.name}的供热运行方案备案晚于开栓日期，C1.4 应酌情扣分。"
                "请复核后重新上报。"
            ),
            "enterprises": [down.credit_code, kept.credit_code],
        }
    )
    events.append(
        {
            "action": "committee_adjustment",
            "county": returned_county,
            "enterprise": down.credit_code,
            "when": _when("returned", 2),
            "by": _member(people, returned_county, 3),
            "sub_item": "C6.4",
            "points": "0",
            "reason": "市住建局复核指出锅炉压力容器检验报告已过期，"
            "经核实属实，C6.4 不得分。",
        }
    )
    events.append(
        {
            "action": "committee_adjustment",
            "county": returned_county,
            "enterprise": kept.credit_code,
            "when": _when("returned", 2),
            "by": _member(people, returned_county, 3),
            "sub_item": "C1.4",
            "points": "0.5",
            "reason": "供热运行方案于开栓后 6 日才备案，C1.4 按一半计分。",
        }
    )
    events.append(
        {
            "action": "city_review",
            "county": returned_county,
            "when": _when("escalated", 2, attempt=2),
            "by": reviewers[1]["name"],
            "status": "confirmed",
        }
    )
    return events


def _rectification_events(
    enterprises: list[Enterprise], people: dict[str, list[dict[str, str]]]
) -> list[dict[str, Any]]:
    rectified = _holder(enterprises, Role.RECTIFIED)
    failed = _holder(enterprises, Role.NOT_RECTIFIED)
    candidates = [
        e
        for e in enterprises
        if e.county.code == failed.county.code
        and e.is_heating
        and e.final_grade in ("A", "B")
        and e is not failed
    ]
    takeover = (
        max(candidates, key=lambda e: (e.final_grade == "A", e.households))
        if candidates
        else None
    )
    return [
        {
            "action": "rectification_check",
            "county": rectified.county.code,
            "enterprise": rectified.credit_code,
            "when": _when("rectification_deadline", -10),
            "by": _member(people, rectified.county.code, 0),
            "outcome": "rectified",
            "note": "室温不达标小区已完成管网平衡改造，复测室温全部达标；"
            "客服热线已实行 24 小时值守。",
        },
        {
            "action": "rectification_check",
            "county": failed.county.code,
            "enterprise": failed.credit_code,
            "when": _when("rectification_deadline", 1),
            "by": _member(people, failed.county.code, 0),
            "outcome": "failed",
            "note": "逾期未完成整改：换热站自控改造未实施，"
            "隐患整改台账仍有 6 项未销号。",
            "expect_follow_ups": ["licence_revocation", "emergency_takeover"],
            "takeover_by": takeover.credit_code if takeover else None,
        },
    ]
