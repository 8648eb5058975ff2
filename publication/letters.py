"""The enterprise result letter: every sub-item's points and reason, HTML and PDF.

The final-result mail links to `letter_path(season, credit_code)`, a path inside
the published site; the PDF sits next to it with the suffix `.pdf`.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from publication import enterprise_query, query
from publication.charts import category_svg
from publication.pages import PageContext, render_html_and_pdf, render_page
from publication.views import GRADE_MEANINGS, EnterpriseResult
from storage.hashing import content_hash

GRADE_FOLLOW_UP = {
    "A": "对A级-绿牌供热企业，供热主管部门优先予以项目、资金支持，"
    "在规划调配供热区域时优先考虑。",
    "B": "对B级-蓝牌供热企业，旗县区供热主管部门加强监管，"
    "督促企业在现有规模和基础上提升供热质量和服务水平。",
    "C": "对C级-黄牌供热企业，供热主管部门给予警告，责令限期改正，"
    "整改期间进行重点监管，不允许新接管或者扩展供热区域。",
    "D": "对D级-红牌供热企业，供热主管部门将其列入重点监管范围，责令限期整改；"
    "逾期未整改或者整改仍不合格的，依法清退并吊销供热经营许可证，"
    "实行应急接管，保障热用户安全、稳定用热。",
}
SHEET_REASON_LABELS = {
    "initial": "初评",
    "objection": "异议核查后调整",
    "appeal": "申诉核查后调整",
    "returned": "市级复核退回后调整",
    "adjustment": "评审委员会调整",
}


class RenderedLetter(BaseModel):
    """A rendered result letter and the hash of the result it states."""

    model_config = ConfigDict(frozen=True)

    path: str
    html: str
    pdf_bytes: bytes | None
    content_hash: str

    @property
    def pdf_path(self) -> str:
        """Site path of the PDF."""
        return self.path.removesuffix(".html") + ".pdf"

    def files(self) -> dict[str, bytes]:
        """Return every file of the letter by site path."""
        result = {self.path: self.html.encode("utf-8")}
        if self.pdf_bytes is not None:
            result[self.pdf_path] = self.pdf_bytes
        return result


def letter_path(season: str, credit_code: str) -> str:
    """Site path of a result letter: letters/<season>/<credit code>.html."""
    return query.letter_url(season, credit_code)


def build_result_letter(
    result: EnterpriseResult, page: PageContext, *, pdf: bool = True
) -> RenderedLetter:
    """Render a result letter view into HTML and PDF."""
    path = letter_path(result.season.label, result.enterprise.credit_code)
    digest = content_hash(result.model_dump(mode="json"))
    sheet = result.sheet
    data = {
        "result": result,
        "base": path.removesuffix(".html"),
        "title": f"{result.enterprise.name} {result.season.label} "
        "年度综合评价结果告知书",
        "chart": category_svg(
            sheet.categories,
            result.county_medians,
            f"{result.enterprise.name} 各类别得分与{result.county.name}中位数",
        ),
        "grade_meaning": GRADE_MEANINGS[sheet.grade],
        "grade_follow_up": GRADE_FOLLOW_UP[sheet.grade],
        "reason_label": SHEET_REASON_LABELS.get(sheet.reason, sheet.reason),
    }
    if pdf:
        html, pdf_bytes = render_html_and_pdf(
            "result_letter.html.j2", path, page, digest, **data
        )
    else:
        html, pdf_bytes = render_page("result_letter.html.j2", path, page, **data), None
    return RenderedLetter(
        path=path, html=html, pdf_bytes=pdf_bytes, content_hash=digest
    )


def render_result_letter(
    session: Session,
    season: str,
    credit_code: str,
    *,
    pdf: bool = True,
    page: PageContext | None = None,
    medians: dict[str, Decimal] | None = None,
) -> RenderedLetter:
    """Render an enterprise's result letter of the season from the database.

    Raises `query.PublicationError` when the enterprise has no final result yet.
    """
    from publication.notices import page_context

    result = enterprise_query.enterprise_result(session, season, credit_code, medians)
    return build_result_letter(result, page or page_context(session, season), pdf=pdf)
