"""A county bureau's own records: inspection findings and 12345 hotline tickets.

Inspection rows carry the findings each plan counts (`findings_total`, of which
`findings_fixed` fixed on time). Hotline tickets are the ones written into the
enterprises' complaint ledgers, plus tickets the bureau judged invalid, plus, for
the enterprise with `Role.HOTLINE_MISMATCH`, one valid ticket that its ledger lacks.
"""

from __future__ import annotations

import random
from datetime import timedelta

from intake.schema import BUREAU_TABLES
from samples.filewriters import encode_csv
from samples.plan import Plan
from samples.roster import Enterprise, Role
from samples.tables import SeasonWindow, TicketBook, household_code

INSPECTION_SUBJECTS = (
    ("换热站安全检查", "换热站消防器材过期未更换"),
    ("供热质量专项检查", "抽测住户室温低于 18℃"),
    ("安全生产检查", "安全生产台账记录不完整"),
    ("燃料储备检查", "储煤场苫盖不到位"),
    ("客服热线暗访", "夜间热线无人接听"),
    ("管网巡查", "检查井井盖缺失"),
)
HOTLINE_REQUESTS = {
    "室温不达标": "家中室温只有 15℃ 左右，请供热公司尽快处理",
    "暖气不热": "暖气片上热下凉，请上门排查",
    "管道漏水": "楼道暖气管道漏水，请尽快维修",
    "收费问题": "对采暖费计算面积有异议",
    "维修不及时": "报修三天无人上门",
    "服务态度": "客服人员态度生硬",
    "停热未通知": "小区突然停热，没有提前通知",
}
INVALID_REQUESTS = ("反映小区物业乱收停车费（非供热问题）", "咨询明年供热价格调整")
MISMATCH_REQUEST = "单元门口暖气管道冒热气，已反映多次"


def inspection_rows(
    enterprise: Enterprise, plan: Plan, window: SeasonWindow, rng: random.Random
) -> list[dict[str, str]]:
    """Return the bureau's findings about one enterprise."""
    fixed = [True] * plan.findings_fixed + [False] * (
        plan.findings_total - plan.findings_fixed
    )
    rng.shuffle(fixed)
    rows = []
    for on_time in fixed:
        subject, finding = rng.choice(INSPECTION_SUBJECTS)
        inspected = window.day(rng)
        rows.append(
            {
                "inspected_on": str(inspected),
                "credit_code": enterprise.credit_code,
                "subject": subject,
                "finding": finding,
                "due_on": str(inspected + timedelta(days=rng.choice((7, 10, 15, 30)))),
                "fixed_on_time": "是" if on_time else "否",
            }
        )
    return rows


def hotline_rows(
    enterprise: Enterprise,
    complaints: list[dict[str, str]],
    window: SeasonWindow,
    tickets: TicketBook,
    rng: random.Random,
) -> tuple[list[dict[str, str]], str | None]:
    """Return the hotline tickets about one enterprise and the planted missing ticket.

    The second value is the ticket number that is valid but absent from the ledger
    (only for `Role.HOTLINE_MISMATCH`), else None.
    """
    rows = []
    for complaint in complaints:
        if not complaint["hotline_ticket"]:
            continue
        rows.append(
            {
                "ticket": complaint["hotline_ticket"],
                "received_on": complaint["received_on"],
                "credit_code": enterprise.credit_code,
                "household": complaint["household"],
                "request": HOTLINE_REQUESTS.get(
                    complaint["category"], complaint["category"]
                ),
                # The bureau and the ledger agree on validity; whether the household
                # caused the problem is the enterprise's own finding.
                "valid": complaint["valid"],
            }
        )
    if enterprise.is_heating and rng.random() < 0.4:
        day = window.day(rng)
        rows.append(
            {
                "ticket": tickets.issue(day),
                "received_on": str(day),
                "credit_code": enterprise.credit_code,
                "household": household_code(rng.randrange(enterprise.households)),
                "request": rng.choice(INVALID_REQUESTS),
                "valid": "否",
            }
        )
    missing = None
    if Role.HOTLINE_MISMATCH in enterprise.roles:
        day = window.day(rng)
        missing = tickets.issue(day)
        rows.append(
            {
                "ticket": missing,
                "received_on": str(day),
                "credit_code": enterprise.credit_code,
                "household": household_code(rng.randrange(enterprise.households)),
                "request": MISMATCH_REQUEST,
                "valid": "是",
            }
        )
    return rows, missing


def bureau_csv(name: str, rows: list[dict[str, str]]) -> bytes:
    """Return a bureau table as UTF-8 CSV with BOM and Chinese headers, by date."""
    spec = BUREAU_TABLES[name]
    date_key = spec.columns[0].key if name == "inspections" else "received_on"
    ordered = sorted(rows, key=lambda row: (row[date_key], row["credit_code"]))
    header = [c.header for c in spec.columns]
    body = [[row[c.key] for c in spec.columns] for row in ordered]
    return encode_csv(header, body, "utf-8-sig")
