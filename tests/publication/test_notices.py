"""Publicity notices and final announcements: content, escaping, PDF, recording."""

from __future__ import annotations

import re
import zlib

import pytest
from sqlalchemy import select

from publication import query
from publication.notices import render_final_announcement, render_publicity_notice
from storage.models import CreditRecord, Publication, PublicityEntry
from tests.publication.builders import CODES, Archive
from tests.publication.html_check import parse_html


def pdf_text_streams(pdf: bytes) -> bytes:
    """Return the PDF's streams, inflated where they are Flate-compressed."""
    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            parts.append(match.group(1))
    return b"\n".join(parts)


def test_notice_has_design_title_and_columns(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        document = render_publicity_notice(
            session, "2025-2026", "150402", 1, record=False, pdf=False
        )
    html = document.html
    assert "关于 2025—2026 年度城镇集中供热企业综合评价结果的公示" in html
    for heading in (
        "一、评价依据",
        "二、评价方法和标准",
        "三、评价对象",
        "四、评价结果",
    ):
        assert heading in html
    assert "五、公示期及异议方式" in html
    assert (
        "<th>统一社会信用代码</th><th>基础得分</th><th>加分</th><th>减分</th>" in html
    )
    assert "2026年5月20日至2026年5月27日" in html
    assert "署名" in html


def test_notice_escapes_hostile_name(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        document = render_publicity_notice(
            session, "2025-2026", "150402", 1, record=False, pdf=False
        )
    assert "<img src=x" not in document.html
    assert (
        "&lt;img src=x onerror=alert(1)&gt;&#34;&#39;;=cmd|&#39; /C calc&#39;!A0"
        in (document.html)
    )


def test_notice_page_has_csp_and_no_handlers(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        document = render_publicity_notice(
            session, "2025-2026", "150402", 1, record=False, pdf=False
        )
    page = parse_html(document.html)
    assert "img" not in page.tags
    assert "script" not in page.tags
    assert page.handlers == []
    assert "default-src 'none'; script-src 'self'" in page.csp


def test_notice_text_lists_rows(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        document = render_publicity_notice(
            session, "2025-2026", "150404", 2, record=False, pdf=False
        )
    assert "（第2轮）" in document.text
    assert f"1\t松山区\t松山区城市供热有限公司\t{CODES['E4']}\t74.00" in document.text


def test_pdf_embeds_cjk_font(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        document = render_publicity_notice(
            session, "2025-2026", "150404", 2, record=False
        )
    assert document.pdf_bytes is not None
    assert document.pdf_bytes.startswith(b"%PDF-")
    streams = pdf_text_streams(document.pdf_bytes)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+(Noto-Sans-CJK-SC|WenQuanYi)", streams)
    assert b"/FontFile" in streams


def test_pdf_is_byte_identical_when_rendered_twice(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        first = render_publicity_notice(session, "2025-2026", "150404", 2, record=False)
        second = render_publicity_notice(
            session, "2025-2026", "150404", 2, record=False
        )
    assert first.pdf_bytes == second.pdf_bytes
    assert first.html == second.html


def test_pdf_has_no_creation_date(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        document = render_publicity_notice(
            session, "2025-2026", "150404", 2, record=False
        )
    assert b"CreationDate" not in pdf_text_streams(document.pdf_bytes)


def test_render_records_publication_once(archive: Archive) -> None:
    with archive.session() as session:
        first = render_publicity_notice(session, "2025-2026", "150402", 1, pdf=False)
        second = render_publicity_notice(session, "2025-2026", "150402", 1, pdf=False)
        rows = list(session.scalars(select(Publication)))
    assert first.recorded == "new"
    assert second.recorded == "unchanged"
    assert len(rows) == 1
    assert rows[0].content_hash == first.content_hash
    assert rows[0].kind == "publicity"
    assert str(rows[0].published_on) == "2026-05-20"


def test_changed_data_is_reported_not_rewritten(archive: Archive) -> None:
    with archive.session() as session:
        first = render_publicity_notice(session, "2025-2026", "150404", 2, pdf=False)
        entry = session.scalar(
            select(PublicityEntry).where(
                PublicityEntry.score_sheet_id
                == archive.sheet_ids[("E4", "2025-2026", 2)]
            )
        )
        entry.score_sheet_id = archive.sheet_ids[("E4", "2025-2026", 1)]
        session.flush()
        again = render_publicity_notice(session, "2025-2026", "150404", 2, pdf=False)
        row = session.scalar(select(Publication))
    assert again.recorded == "changed"
    assert again.content_hash != first.content_hash
    assert row.content_hash == first.content_hash


def test_content_hash_ignores_template_only_context(shared_archive: Archive) -> None:
    from publication.pages import PageContext

    with shared_archive.session() as session:
        plain = render_publicity_notice(
            session, "2025-2026", "150402", 1, record=False, pdf=False
        )
        other = render_publicity_notice(
            session,
            "2025-2026",
            "150402",
            1,
            record=False,
            pdf=False,
            page=PageContext(site_title="其他标题"),
        )
    assert plain.content_hash == other.content_hash
    assert plain.html != other.html


def test_final_announcement_city_wide(archive: Archive) -> None:
    with archive.session() as session:
        document = render_final_announcement(session, "2025-2026", pdf=False)
        row = session.scalar(select(Publication))
    assert "关于 2025—2026 年度城镇集中供热企业综合评价结果的公告" in document.html
    assert "A级-绿牌 2 家，B级-蓝牌 1 家，C级-黄牌 1 家，D级-红牌 1 家" in document.html
    assert "<svg" in document.html
    assert row.county_code is None
    assert row.kind == "final"
    assert str(row.published_on) == "2026-07-01"


def test_final_before_results_raises(archive: Archive) -> None:
    with archive.session() as session:
        for record in session.scalars(select(CreditRecord)):
            session.delete(record)
        session.flush()
        with pytest.raises(query.PublicationError) as error:
            render_final_announcement(session, "2025-2026", "150402", pdf=False)
    assert str(error.value) == (
        "no final results for county 150402 in season 2025-2026; "
        "write the credit records first"
    )


def test_city_issuer_read_from_settings(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heateval.settings import reset_settings

    monkeypatch.setenv("HEATEVAL_CITY_BUREAU_NAME", "赤峰市供热管理中心")
    reset_settings()
    with archive.session() as session:
        document = render_final_announcement(
            session, "2025-2026", record=False, pdf=False
        )
    assert '<p class="issuer">赤峰市供热管理中心</p>' in document.html
    assert "赤峰市供热管理中心 2026年7月1日" in document.text


def test_public_link_joins_site_address() -> None:
    from publication import letter_path, public_link

    link = public_link(
        letter_path("2025-2026", CODES["E1"]), "https://x.example/archive/"
    )
    assert link == f"https://x.example/archive/letters/2025-2026/{CODES['E1']}.html"


def test_notice_text_neutralises_formula_name(archive: Archive) -> None:
    from storage.models import Enterprise

    with archive.session() as session:
        enterprise = session.scalar(
            select(Enterprise).where(Enterprise.credit_code == CODES["E4"])
        )
        enterprise.name = '=HYPERLINK("http://x","点击")'
        session.commit()
    with archive.session() as session:
        document = render_publicity_notice(
            session, "2025-2026", "150404", 2, record=False, pdf=False
        )
    assert f'1\t松山区\t\'=HYPERLINK("http://x","点击")\t{CODES["E4"]}' in document.text
