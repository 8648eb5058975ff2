"""The published-results view model: plain pydantic values that templates render.

No ORM object reaches a template. Every text field may come from an enterprise or
the public and is escaped by the templates; points are `Decimal`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

GRADE_COLOURS = {"A": "green", "B": "blue", "C": "yellow", "D": "red"}
GRADE_PLATES = {"A": "绿牌", "B": "蓝牌", "C": "黄牌", "D": "红牌"}
GRADE_MEANINGS = {
    "A": "供热质量和服务质量优秀企业",
    "B": "供热质量和服务质量良好企业",
    "C": "供热质量和服务质量一般企业",
    "D": "供热质量和服务质量不合格单位",
}
GRADES = ("A", "B", "C", "D")
ENTERPRISE_TYPE_LABELS = {"heat_source": "热源单位", "heating": "供热单位"}
WINDOW_CAUSE_LABELS = {
    "initial": "首次公示",
    "objection": "异议复核后重新公示",
    "appeal": "申诉处理后重新公示",
    "returned": "市级复核退回后重新公示",
}
OBJECTION_KIND_LABELS = {"objection": "异议（复核申请）", "appeal": "申诉"}
OBJECTION_STATUS_LABELS = {
    "open": "办理中",
    "upheld": "经核查属实，已调整评分",
    "rejected": "经核查不属实，维持原结果",
    "late": "逾期提出，不予受理",
}
FOLLOW_UP_LABELS = {
    "priority_support": "优先予以项目、资金支持，规划调配供热区域时优先考虑",
    "closer_supervision": "加强监管，督促提升供热质量和服务水平",
    "warning": "警告，责令限期改正，整改期间重点监管，不得新接管或扩展供热区域",
    "key_supervision": "列入重点监管范围，责令限期整改",
    "licence_revocation": "逾期未整改或整改不合格，依法清退并吊销供热经营许可证",
    "emergency_takeover": "实行应急接管，保障热用户安全稳定用热",
}
RECTIFICATION_STATUS_LABELS = {
    "open": "整改中",
    "rectified": "已整改",
    "failed": "逾期未整改或整改不合格",
}


class View(BaseModel):
    """Base of every view: immutable, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SeasonView(View):
    """A heating season, e.g. label 2025-2026."""

    label: str
    rulebook_version: str

    @property
    def title_label(self) -> str:
        """The season as notices write it: 2025—2026."""
        return self.label.replace("-", "—")


class CountyView(View):
    """A county and its heating bureau's public contact details."""

    code: str
    name: str
    bureau_name: str
    bureau_address: str
    bureau_phone: str
    bureau_email: str


class EnterpriseView(View):
    """An enterprise's public facts; `slug` is its safe file name."""

    credit_code: str
    name: str
    county_code: str
    county_name: str
    type: str
    slug: str

    @property
    def type_label(self) -> str:
        """热源单位 or 供热单位."""
        return ENTERPRISE_TYPE_LABELS.get(self.type, self.type)


class CategoryScore(View):
    """One category of a score sheet: points against the category maximum."""

    code: str
    name: str
    points: Decimal
    max: Decimal
    applicable: bool = True


class ScoreLine(View):
    """One explained line of a score sheet: a sub-item, a bonus or a deduction."""

    code: str
    category: str
    kind: str  # item, bonus, deduction
    name: str
    points: Decimal
    max: Decimal | None
    reason: str
    applicable: bool = True
    computed_points: Decimal | None = None  # before a committee adjustment
    adjustment_reason: str = ""


class SheetView(View):
    """A score sheet version with its categories and explained lines."""

    version: int
    reason: str
    rulebook_version: str
    base: Decimal
    bonus: Decimal
    deductions: Decimal
    final: Decimal
    grade: str
    categories: tuple[CategoryScore, ...]
    lines: tuple[ScoreLine, ...]

    @property
    def colour(self) -> str:
        """Plate colour key: green, blue, yellow or red."""
        return GRADE_COLOURS[self.grade]

    @property
    def plate(self) -> str:
        """Plate name: 绿牌, 蓝牌, 黄牌 or 红牌."""
        return GRADE_PLATES[self.grade]


class ResultRow(View):
    """One row of a results table in a notice or an announcement."""

    number: int
    enterprise: EnterpriseView
    sheet: SheetView
    period: str = ""  # publicity period, only in the city-wide compilation


class PublicityNotice(View):
    """A county's publicity round and the results it showed."""

    season: SeasonView
    county: CountyView
    round: int
    cause: str
    opens_on: date
    closes_on: date
    rows: tuple[ResultRow, ...]
    evaluated_count: int


class PublicityCompilation(View):
    """The city-wide page of every county's latest publicised result."""

    season: SeasonView
    rows: tuple[ResultRow, ...]


class FinalAnnouncement(View):
    """The final results of a county, or of the whole city when `county` is None."""

    season: SeasonView
    county: CountyView | None
    issuer: str
    published_on: date
    rows: tuple[ResultRow, ...]
    grade_counts: dict[str, int]
    publicity_rounds: int
    objections_total: int
    objections_upheld: int


class SeasonResult(View):
    """An enterprise's final result of one season, as the credit archive keeps it."""

    season: str
    final: Decimal
    grade: str
    published_on: date
    letter_url: str
    follow_ups: tuple[str, ...]
    rectification: str

    @property
    def colour(self) -> str:
        """Plate colour key."""
        return GRADE_COLOURS[self.grade]

    @property
    def plate(self) -> str:
        """Plate name."""
        return GRADE_PLATES[self.grade]


class FollowUpView(View):
    """A follow-up measure decided for an enterprise."""

    kind: str
    label: str
    decided_on: date
    note: str


class RectificationView(View):
    """A rectification order and its state."""

    grade: str
    issued_on: date
    deadline: date
    status: str
    status_label: str
    checked_on: date | None
    outcome: str


class ObjectionView(View):
    """An objection or appeal as reports and letters show it (no filer identity)."""

    enterprise: EnterpriseView
    kind: str
    kind_label: str
    filed_on: date
    status: str
    status_label: str
    decided_on: date | None
    verdict_reason: str
    rescored: bool


class EnterpriseResult(View):
    """Everything the result letter of one enterprise and season shows."""

    season: SeasonView
    county: CountyView
    enterprise: EnterpriseView
    sheet: SheetView
    published_on: date
    county_medians: dict[str, Decimal]
    follow_ups: tuple[FollowUpView, ...]
    rectification: RectificationView | None
    objections: tuple[ObjectionView, ...]


class WindowView(View):
    """A publicity round of a county, as links and dates."""

    round: int
    cause: str
    cause_label: str
    opens_on: date
    closes_on: date
    entries: int


class CountySeason(View):
    """A county's publications of one season, for its archive page."""

    season: SeasonView
    windows: tuple[WindowView, ...]
    final: FinalAnnouncement | None


class PublicityAppearance(View):
    """One publicity round in which an enterprise's result was shown."""

    season: str
    round: int
    opens_on: date
    closes_on: date
    final: Decimal
    grade: str
    notice_url: str


class EnterprisePage(View):
    """An enterprise's archive page: its history and the latest result's breakdown."""

    enterprise: EnterpriseView
    history: tuple[SeasonResult, ...]
    publicity: tuple[PublicityAppearance, ...]
    latest: EnterpriseResult | None
