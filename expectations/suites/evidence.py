"""Suite of the evidence files (evidence/<sub-item>/…): kind, sub-item, and files that
other enterprises submitted too."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from expectations.context import CheckContext, EvidenceKind
from expectations.reconcile import identifier_key, shared_with
from expectations.suites.base import (
    BLOCKING,
    REVIEW,
    Column,
    E,
    TableSuite,
    check,
    new_suite,
    object_column,
    prepare,
)
from intake.cells import Kind

TABLE = "evidence"
COLUMNS = {
    "sub_item": Column("细项编号", Kind.TEXT),
    "path": Column("文件路径", Kind.TEXT),
    "kind": Column("文件类型", Kind.TEXT),
    "sha256": Column("SHA-256", Kind.TEXT),
}


def build(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check each evidence file's sub-item and kind, and look for shared files."""
    frame = prepare(source, COLUMNS)
    if "sub_item" in frame:
        ids = (identifier_key(s) for s in frame["sub_item"])
        frame["sub_item"] = object_column(ids, frame)
    if "sha256" in frame:
        own = ctx.credit_code or _declared_code(tables)
        shared = shared_with(frame["sha256"], ctx.other_evidence, own)
        frame["sha256__shared_with"] = object_column(shared, frame)
    checks = [
        check(
            "evidence.sub_item.known",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at="sub_item",
            needs=["sub_item"],
            message="证明材料放在 evidence/{value}/ 文件夹中，但「{value}」不是评分"
            "细则中的细项编号。请把文件移到对应细项的文件夹（如 evidence/C1.4/）。",
            column="sub_item",
            value_set=sorted(ctx.sub_items),
        ),
        check(
            "evidence.kind.allowed",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at="kind",
            needs=["kind"],
            message="证明材料「{path}」的类型「{value}」不被接受。请提交 PDF、JPEG、"
            "PNG、DOCX 或 XLSX 文件。",
            column="kind",
            value_set=[k.value for k in EvidenceKind],
        ),
        check(
            "evidence.sha256.format",
            BLOCKING,
            E.ExpectColumnValuesToMatchRegex,
            at="sha256",
            needs=["sha256"],
            message="证明材料「{path}」的内容摘要「{value}」无效，这是平台内部错误。"
            "请联系平台管理员。",
            column="sha256",
            regex=r"^[0-9a-f]{64}$",
        ),
        check(
            "evidence.sha256.shared",
            REVIEW,
            E.ExpectColumnValuesToBeNull,
            at="sha256",
            needs=["sha256"],
            message="证明材料「{path}」与本供热季其他企业（统一社会信用代码："
            "{sha256__shared_with}）提交的文件内容完全相同，可能存在材料造假，已提交"
            "评价委员会核查。如为共用文件（如主管部门统一下发的通知），请向评价委员会"
            "说明。",
            column="sha256__shared_with",
        ),
    ]
    return [
        new_suite(
            TABLE,
            source,
            frame,
            COLUMNS,
            checks,
            default_file="evidence",
            headers=dict.fromkeys(COLUMNS),
        )
    ]


def _declared_code(tables: Mapping[str, pd.DataFrame]) -> str | None:
    identity = tables.get("identity")
    if identity is None or "credit_code" not in identity or identity.empty:
        return None
    code = identity["credit_code"].iloc[0]
    return code if isinstance(code, str) else None
