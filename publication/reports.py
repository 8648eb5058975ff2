"""The county work summary to the city (due 15 June) and the city's report to the
government, as standalone HTML and PDF documents.

They are written under `reports/` next to the public site, not inside it: they are
documents between authorities, and the public site already has the results.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from publication import report_data
from publication.charts import grade_distribution_svg
from publication.pages import PageContext, render_page
from publication.pdf import PRINT_CSS, html_to_pdf
from storage.hashing import content_hash


class RenderedReport(BaseModel):
    """A rendered report: path under reports/, HTML, PDF and the hash of its figures."""

    model_config = ConfigDict(frozen=True)

    path: str
    html: str
    pdf_bytes: bytes | None
    content_hash: str

    def files(self) -> dict[str, bytes]:
        """Return the report's files by path under reports/."""
        result = {self.path: self.html.encode("utf-8")}
        if self.pdf_bytes is not None:
            result[self.path.removesuffix(".html") + ".pdf"] = self.pdf_bytes
        return result


def _render(
    template: str, path: str, page: PageContext, digest: str, pdf: bool, **data: object
) -> tuple[str, bytes | None]:
    css = PRINT_CSS.read_text(encoding="utf-8")
    html = render_page(template, path, page, pdf=True, standalone_css=css, **data)
    if not pdf:
        return html, None
    print_html = render_page(template, path, page, pdf=True, **data)
    if page.pdf_cache is not None:
        return html, page.pdf_cache.render(print_html, digest)
    return html, html_to_pdf(print_html, digest)


def render_county_summary(
    session: Session,
    season: str,
    county: str,
    page: PageContext,
    timezone: str,
    *,
    pdf: bool = True,
) -> RenderedReport:
    """Render a county's work summary to the city for the season."""
    summary = report_data.county_summary(session, season, county, timezone)
    digest = content_hash(summary.model_dump(mode="json"))
    path = f"{season}/county-{county}-summary.html"
    chart = grade_distribution_svg(
        [(summary.county.name, summary.grade_counts)],
        f"{summary.county.name} {season} 年度评价等级分布",
    )
    html, pdf_bytes = _render(
        "county_summary.html.j2",
        path,
        page,
        digest,
        pdf,
        title=f"{summary.county.name} {season} 年度综合评价工作总结",
        summary=summary,
        chart=chart,
    )
    return RenderedReport(
        path=path, html=html, pdf_bytes=pdf_bytes, content_hash=digest
    )


def render_city_report(
    session: Session, season: str, page: PageContext, timezone: str, *, pdf: bool = True
) -> RenderedReport:
    """Render the city's report to the government for the season."""
    report = report_data.city_report(session, season, timezone)
    digest = content_hash(report.model_dump(mode="json"))
    path = f"{season}/city-report.html"
    chart = grade_distribution_svg(
        [(c.county.name, c.grade_counts) for c in report.counties],
        f"{season} 年度各旗县区评价等级分布",
    )
    html, pdf_bytes = _render(
        "city_report.html.j2",
        path,
        page,
        digest,
        pdf,
        title=f"{season} 年度城镇集中供热企业综合评价情况的报告",
        report=report,
        chart=chart,
    )
    return RenderedReport(
        path=path, html=html, pdf_bytes=pdf_bytes, content_hash=digest
    )
