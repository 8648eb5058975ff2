"""Evidence files for the sub-items an enterprise claims: tiny PDFs, photos and sheets.

Each claimed sub-item gets one file of a kind that `expectations/evidence_kinds.yaml`
allows for it. Content is generated from the enterprise's identity, so two
enterprises never share a file by accident. The one shared file of the season is
planted on purpose (see `Role.FALSIFIER`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml
from openpyxl import Workbook

from samples.filewriters import minimal_jpeg, minimal_pdf, minimal_png, xlsx_bytes
from samples.roster import Enterprise

EVIDENCE_KINDS_FILE = (
    Path(__file__).resolve().parent.parent / "expectations" / "evidence_kinds.yaml"
)
# File stem and kind (pdf, image, office) per sub-item, first choice first.
EVIDENCE_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "C1.1": (("会议签到表", "pdf"), ("培训签到照片", "image")),
    "C1.2": (("资料报送回执", "pdf"),),
    "C1.3": (("检查问题整改报告", "pdf"), ("整改前后对比照片", "image")),
    "C1.4": (("供热经营许可证", "image"), ("运行方案备案回执", "pdf")),
    "C2.1": (("开栓供热通知", "pdf"),),
    "C2.2": (("室温达标统计", "pdf"), ("室温达标统计表", "office")),
    "C2.3": (("测温户数统计", "pdf"),),
    "C2.4": (("停热情况报告", "pdf"),),
    "C2.5": (("供热期运行记录", "pdf"),),
    "C3.1": (("平台在线率截图", "image"),),
    "C3.2": (("测温设备清单", "pdf"),),
    "C3.3": (("换热站自控改造验收", "pdf"), ("换热站控制室", "image")),
    "C3.4": (("微信公众号截图", "image"),),
    "C3.5": (("计量收费户数统计", "pdf"),),
    "C4.1": (("能耗统计", "pdf"), ("能耗统计报表", "office")),
    "C4.2": (("排放监测报告", "pdf"),),
    "C4.3": (("热源结构说明", "pdf"),),
    "C4.4": (("节能改造验收单", "pdf"), ("改造现场照片", "image")),
    "C5.1": (("投诉统计", "pdf"), ("投诉统计分析", "office")),
    "C5.2": (("投诉响应时效统计", "pdf"),),
    "C5.3": (("投诉办结情况", "pdf"),),
    "C5.4": (("回访记录汇总", "pdf"),),
    "C5.5": (("重复投诉情况说明", "pdf"),),
    "C6.1": (("安全生产责任书", "pdf"),),
    "C6.2": (("持证上岗人员名册", "pdf"), ("操作证照片", "image")),
    "C6.3": (("隐患排查整改台账", "pdf"), ("隐患整改现场照片", "image")),
    "C6.4": (("特种设备检验报告", "pdf"),),
    "C6.5": (("安全生产情况说明", "pdf"),),
    "C7.1": (("应急预案备案回执", "pdf"),),
    "C7.2": (("应急演练照片", "image"),),
    "C7.3": (("抢修队伍及物资清单", "pdf"), ("抢修物资库照片", "image")),
    "C7.4": (("储煤场照片", "image"), ("燃料库存台账", "pdf")),
    "C7.5": (("值班记录", "pdf"),),
    "C8.1": (("热线值守记录", "pdf"),),
    "C8.2": (("便民措施公示照片", "image"),),
    "C8.3": (("供用热合同签订统计", "pdf"),),
    "C8.4": (("收费公示及退费记录", "pdf"),),
    "C8.5": (("满意度测评报告", "pdf"),),
    "B1": (("投诉率情况说明", "pdf"),),
    "B2": (("荣誉证书", "pdf"),),
    "B3": (("政府任务完成证明", "pdf"),),
    "B4": (("活动获奖证明", "pdf"), ("活动获奖照片", "image")),
    "B5": (("计量改造节能测算报告", "pdf"),),
}


@dataclass(frozen=True)
class EvidenceFile:
    """One evidence file: the sub-item folder, the file name and the bytes."""

    sub_item: str
    name: str
    data: bytes

    @property
    def path(self) -> str:
        """Path inside the package."""
        return f"evidence/{self.sub_item}/{self.name}"


def allowed_kinds() -> dict[str, list[str]]:
    """Return the evidence kinds per sub-item that intake accepts."""
    data = yaml.safe_load(EVIDENCE_KINDS_FILE.read_text(encoding="utf-8"))
    return data["sub_items"]


def check_evidence_table() -> None:
    """Raise ValueError when `EVIDENCE_FILES` names a kind intake does not accept."""
    kinds = allowed_kinds()
    problems = [
        f"{sub_item}: {kind} is not one of {kinds.get(sub_item)}"
        for sub_item, choices in EVIDENCE_FILES.items()
        for _stem, kind in choices
        if kind not in kinds.get(sub_item, [])
    ]
    if problems:
        raise ValueError(
            "evidence kinds out of step with evidence_kinds.yaml: "
            + "; ".join(problems)
        )


def award_certificate(owner: Enterprise, season_first_year: int) -> bytes:
    """Return the city award certificate of `owner`, the file the falsifier copies."""
    return minimal_pdf(
        "荣誉证书",
        [
            f"授予：{owner.name}",
            f"{season_first_year - 1}—{season_first_year} 年度全市供热服务先进单位",
            "特发此证，以资鼓励。",
            "赤峰市住房和城乡建设局",
            f"{season_first_year}年8月",
        ],
    )


def _document(enterprise: Enterprise, sub_item: str, title: str, signed: date) -> bytes:
    return minimal_pdf(
        title,
        [
            f"单位：{enterprise.name}",
            f"统一社会信用代码：{enterprise.credit_code}",
            f"评价细项：{sub_item}",
            f"联系人：{enterprise.contact.name}  电话：{enterprise.phone}",
            f"日期：{signed:%Y年%m月%d日}",
        ],
    )


def _photo(
    rng: random.Random, enterprise: Enterprise, sub_item: str, title: str
) -> bytes:
    """Return a small photo (JPEG) or screenshot (PNG) naming the enterprise inside."""
    note = f"{enterprise.name} {sub_item} {title}"
    if "截图" in title:
        background = (245, 246, 248)
        bar = (rng.randint(20, 60), rng.randint(90, 140), rng.randint(180, 230))
        rects = [(0, 0, 160, 18, bar)]
        for row in range(4):
            top = 28 + row * 22
            width = rng.randint(60, 150)
            rects.append((8, top, width, top + 10, (200, 204, 210)))
        return minimal_png(160, 120, background, rects, note)
    means = [[rng.randint(40, 220) for _ in range(8)] for _ in range(6)]
    return minimal_jpeg(means, note)


def _sheet(
    enterprise: Enterprise, title: str, moment: datetime, rng: random.Random
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "统计"
    sheet.append([title])
    sheet.append([enterprise.name])
    sheet.append(["月份", "数值"])
    for month in (
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
    ):
        sheet.append([month, rng.randint(10, 900)])
    return xlsx_bytes(workbook, moment)


def evidence_for(
    enterprise: Enterprise,
    claimed: list[str],
    rng: random.Random,
    prepared_on: datetime,
) -> list[EvidenceFile]:
    """Return one evidence file for each claimed sub-item, in claim order."""
    files = []
    for sub_item in claimed:
        choices = EVIDENCE_FILES[sub_item]
        stem, kind = choices[0] if rng.random() < 0.75 else rng.choice(choices)
        if kind == "image":
            data = _photo(rng, enterprise, sub_item, stem)
            extension = ".png" if data.startswith(b"\x89PNG") else ".jpg"
        elif kind == "office":
            data = _sheet(enterprise, stem, prepared_on, rng)
            extension = ".xlsx"
        else:
            data = _document(enterprise, sub_item, stem, prepared_on.date())
            extension = ".pdf"
        files.append(EvidenceFile(sub_item, stem + extension, data))
    return files
