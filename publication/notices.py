"""Publicity notices and final announcements: HTML, PDF, plain text and open data.

The content hash of a notice is the SHA-256 of its view model's canonical JSON
(`storage.hashing.content_hash`), so it changes when what was published changes,
not when a template's wording or layout does. It is recorded in the Publication
table when the caller passes `record=True`.
"""

from __future__ import annotations

import logging
from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from publication import opendata, query
from publication.charts import grade_distribution_svg
from publication.pages import PageContext, render_html_and_pdf
from publication.render import format_date_cn, format_points
from publication.views import (
    GRADE_PLATES,
    WINDOW_CAUSE_LABELS,
    FinalAnnouncement,
    PublicityCompilation,
    PublicityNotice,
    ResultRow,
)
from storage import ledger
from storage.hashing import content_hash
from storage.models import Publication

logger = logging.getLogger(__name__)


class RenderedDocument(BaseModel):
    """A rendered notice: the files to publish and the hash of what it states.

    `path` is the site path of the HTML page; the PDF, text, CSV and JSON files
    sit next to it with the same stem.
    """

    model_config = ConfigDict(frozen=True)

    path: str
    html: str
    text: str
    pdf_bytes: bytes | None
    csv_bytes: bytes
    json_bytes: bytes
    content_hash: str
    recorded: str = ""  # new, unchanged, changed; empty when not recorded

    def files(self) -> dict[str, bytes]:
        """Return every file of the document by site path."""
        stem = self.path.removesuffix(".html")
        result = {
            self.path: self.html.encode("utf-8"),
            f"{stem}.txt": self.text.encode("utf-8"),
            f"{stem}.csv": self.csv_bytes,
            f"{stem}.json": self.json_bytes,
        }
        if self.pdf_bytes is not None:
            result[f"{stem}.pdf"] = self.pdf_bytes
        return result


def compilation_path(season: str) -> str:
    """Site path of the city-wide compilation of publicised results."""
    return f"notices/{season}/city/publicity.html"


def record_publication(
    session: Session,
    season_label: str,
    county_code: str | None,
    kind: str,
    round_: int,
    published_on: date,
    digest: str,
) -> str:
    """Insert the Publication row, or compare with the recorded one.

    Returns new, unchanged or changed; a changed row is logged and left as it is.
    """
    season = query.find_season(session, season_label)
    condition = (
        Publication.county_code.is_(None)
        if county_code is None
        else Publication.county_code == county_code
    )
    row = session.scalar(
        select(Publication).where(
            Publication.season_id == season.id,
            condition,
            Publication.kind == kind,
            Publication.round == round_,
        )
    )
    if row is None:
        row = Publication(
            season_id=season.id,
            county_code=county_code,
            kind=kind,
            round=round_,
            published_on=published_on,
            content_hash=digest,
        )
        session.add(row)
        ledger.record(
            session,
            row,
            actor="system:publication",
            action=f"publication.{kind}.new",
            detail=f"{county_code or 'city'} round {round_}",
        )
        return "new"
    if row.content_hash == digest and row.published_on == published_on:
        return "unchanged"
    # The row is evidence of what was published then; it is never rewritten. A
    # change after publication needs a new publicity round, not a new hash.
    logger.warning(
        "publication %s %s %s round %d differs from the recorded one: hash %s now %s, "
        "date %s now %s",
        season_label,
        county_code or "city",
        kind,
        round_,
        row.content_hash,
        digest,
        row.published_on,
        published_on,
    )
    return "changed"


def _text_rows(rows: tuple[ResultRow, ...]) -> list[str]:
    lines = [
        "序号\t旗县区\t企业名称\t统一社会信用代码\t基础得分\t加分\t减分\t总分\t等级"
    ]
    for row in rows:
        sheet = row.sheet
        lines.append(
            "\t".join(
                (
                    str(row.number),
                    row.enterprise.county_name,
                    # The text is tab-separated, so a spreadsheet may open it.
                    opendata.neutralise_cell(row.enterprise.name),
                    row.enterprise.credit_code,
                    format_points(sheet.base),
                    format_points(sheet.bonus),
                    format_points(sheet.deductions),
                    format_points(sheet.final),
                    f"{sheet.grade}级{GRADE_PLATES[sheet.grade]}",
                )
            )
        )
    return lines


def publicity_text(notice: PublicityNotice) -> str:
    """Plain-text version of a publicity notice, for mail bodies and screen readers."""
    round_note = f"（第{notice.round}轮）" if notice.round > 1 else ""
    county = notice.county
    lines = [
        f"关于 {notice.season.title_label} 年度城镇集中供热企业综合评价结果的公示"
        f"{round_note}",
        county.bureau_name,
        "",
        *_text_rows(notice.rows),
        "",
        f"公示期：{format_date_cn(notice.opens_on)}至{format_date_cn(notice.closes_on)}。",
        "对评价结果有异议的，可在公示期内向评审委员会提出署名的书面复核申请；"
        "受评价企业可提出书面申诉。",
        f"受理单位：{county.bureau_name}；地址：{county.bureau_address or '—'}；"
        f"电话：{county.bureau_phone or '—'}。",
    ]
    return "\n".join(lines) + "\n"


def final_text(announcement: FinalAnnouncement) -> str:
    """Plain-text version of a final announcement."""
    counts = announcement.grade_counts
    lines = [
        f"关于 {announcement.season.title_label} "
        "年度城镇集中供热企业综合评价结果的公告",
        announcement.issuer,
        "",
        f"共 {len(announcement.rows)} 家：A级 {counts['A']} 家，B级 {counts['B']} 家，"
        f"C级 {counts['C']} 家，D级 {counts['D']} 家。",
        "",
        *_text_rows(announcement.rows),
        "",
        f"{announcement.issuer} {format_date_cn(announcement.published_on)}",
    ]
    return "\n".join(lines) + "\n"


def _records(rows: tuple[ResultRow, ...], season: str) -> list[dict]:
    return [opendata.record(row, season) for row in rows]


def build_publicity_notice(
    notice: PublicityNotice, page: PageContext, *, pdf: bool = True
) -> RenderedDocument:
    """Render a publicity notice view into its files."""
    path = query.publicity_url(notice.season.label, notice.county.code, notice.round)
    digest = content_hash(notice.model_dump(mode="json"))
    data = {
        "notice": notice,
        "base": path.removesuffix(".html"),
        "cause_label": WINDOW_CAUSE_LABELS.get(notice.cause, notice.cause),
        "title": f"{notice.county.name} {notice.season.label} 年度综合评价结果公示"
        f"（第{notice.round}轮）",
    }
    html, pdf_bytes = _html_and_pdf(
        "publicity_notice.html.j2", path, page, digest, pdf, data
    )
    header = {
        "kind": "publicity",
        "season": notice.season.label,
        "county_code": notice.county.code,
        "issuer": notice.county.bureau_name,
        "round": notice.round,
        "opens_on": notice.opens_on.isoformat(),
        "closes_on": notice.closes_on.isoformat(),
        "published_on": notice.opens_on.isoformat(),
        "content_hash": digest,
    }
    records = _records(notice.rows, notice.season.label)
    return RenderedDocument(
        path=path,
        html=html,
        text=publicity_text(notice),
        pdf_bytes=pdf_bytes,
        csv_bytes=opendata.to_csv(records),
        json_bytes=opendata.to_json(header, records),
        content_hash=digest,
    )


def build_final_announcement(
    announcement: FinalAnnouncement, page: PageContext, *, pdf: bool = True
) -> RenderedDocument:
    """Render a final announcement view into its files."""
    county_code = None if announcement.county is None else announcement.county.code
    path = query.final_url(announcement.season.label, county_code)
    digest = content_hash(announcement.model_dump(mode="json"))
    where = "全市" if announcement.county is None else announcement.county.name
    chart = grade_distribution_svg(
        _grade_rows(announcement),
        f"{where} {announcement.season.label} 年度评价等级分布",
    )
    data = {
        "announcement": announcement,
        "base": path.removesuffix(".html"),
        "chart": chart,
        "title": f"{where} {announcement.season.label} 年度综合评价结果公告",
    }
    html, pdf_bytes = _html_and_pdf(
        "final_announcement.html.j2", path, page, digest, pdf, data
    )
    header = {
        "kind": "final",
        "season": announcement.season.label,
        "county_code": county_code,
        "issuer": announcement.issuer,
        "round": None,
        "opens_on": None,
        "closes_on": None,
        "published_on": announcement.published_on.isoformat(),
        "content_hash": digest,
    }
    records = _records(announcement.rows, announcement.season.label)
    return RenderedDocument(
        path=path,
        html=html,
        text=final_text(announcement),
        pdf_bytes=pdf_bytes,
        csv_bytes=opendata.to_csv(records),
        json_bytes=opendata.to_json(header, records),
        content_hash=digest,
    )


def build_compilation(
    compilation: PublicityCompilation, page: PageContext, *, pdf: bool = True
) -> RenderedDocument:
    """Render the city-wide compilation of publicised results (not recorded)."""
    path = compilation_path(compilation.season.label)
    digest = content_hash(compilation.model_dump(mode="json"))
    data = {
        "compilation": compilation,
        "title": f"{compilation.season.label} 年度综合评价结果公示汇总",
    }
    html, pdf_bytes = _html_and_pdf(
        "publicity_compilation.html.j2", path, page, digest, pdf, data
    )
    header = {
        "kind": "publicity_compilation",
        "season": compilation.season.label,
        "county_code": None,
        "issuer": page.city_bureau,
        "round": None,
        "opens_on": None,
        "closes_on": None,
        "published_on": None,
        "content_hash": digest,
    }
    records = _records(compilation.rows, compilation.season.label)
    lines = [f"{compilation.season.title_label} 年度综合评价结果公示汇总", ""]
    lines += _text_rows(compilation.rows)
    return RenderedDocument(
        path=path,
        html=html,
        text="\n".join(lines) + "\n",
        pdf_bytes=pdf_bytes,
        csv_bytes=opendata.to_csv(records),
        json_bytes=opendata.to_json(header, records),
        content_hash=digest,
    )


def _grade_rows(announcement: FinalAnnouncement) -> list[tuple[str, dict[str, int]]]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in announcement.rows:
        key = (row.enterprise.county_code, row.enterprise.county_name)
        bucket = counts.setdefault(key, {})
        bucket[row.sheet.grade] = bucket.get(row.sheet.grade, 0) + 1
    return [(name, counts[(code, name)]) for code, name in sorted(counts)]


def _html_and_pdf(
    template: str, path: str, page: PageContext, digest: str, pdf: bool, data: dict
) -> tuple[str, bytes | None]:
    if pdf:
        return render_html_and_pdf(template, path, page, digest, **data)
    from publication.pages import render_page

    return render_page(template, path, page, **data), None


def page_context(session: Session, season_label: str) -> PageContext:
    """Build the page context of a season's documents from the database and settings."""
    from heateval.settings import get_settings

    settings = get_settings()
    seasons = tuple(s.label for s in query.list_seasons(session, season_label))
    return PageContext(
        nav_seasons=seasons,
        appeal_reply_days=settings.appeal_reply_days,
        city_bureau=settings.city_bureau_name,
    )


def render_publicity_notice(
    session: Session,
    season: str,
    county: str,
    round: int,
    *,
    record: bool = True,
    pdf: bool = True,
    page: PageContext | None = None,
) -> RenderedDocument:
    """Render publicity round `round` of a county; record its hash when `record`.

    Raises `query.PublicationError` when the season, county or round is not found.
    """
    notice = query.publicity_notice(session, season, county, round)
    document = build_publicity_notice(
        notice, page or page_context(session, season), pdf=pdf
    )
    if not record:
        return document
    status = record_publication(
        session,
        season,
        county,
        "publicity",
        round,
        notice.opens_on,
        document.content_hash,
    )
    return document.model_copy(update={"recorded": status})


def render_final_announcement(
    session: Session,
    season: str,
    county: str | None = None,
    *,
    record: bool = True,
    pdf: bool = True,
    page: PageContext | None = None,
) -> RenderedDocument:
    """Render the final announcement of a county, or city-wide when `county` is None.

    Raises `query.PublicationError` when no final result of the scope exists yet.
    """
    page = page or page_context(session, season)
    announcement = query.final_announcement(session, season, county, page.city_bureau)
    if announcement is None:
        scope = f"county {county}" if county else "the city"
        raise query.PublicationError(
            f"no final results for {scope} in season {season}; "
            "write the credit records first"
        )
    document = build_final_announcement(announcement, page, pdf=pdf)
    if not record:
        return document
    status = record_publication(
        session,
        season,
        county,
        "final",
        1,
        announcement.published_on,
        document.content_hash,
    )
    return document.model_copy(update={"recorded": status})
