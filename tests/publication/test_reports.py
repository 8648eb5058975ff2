"""The county work summary and the city's report: figures and rendered documents."""

from __future__ import annotations

from publication import report_data
from publication.pages import PageContext
from publication.reports import render_city_report, render_county_summary
from tests.publication.builders import CODES, Archive


def test_county_summary_counts(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        summary = report_data.county_summary(session, "2025-2026", "150402")
    assert summary.grade_counts == {"A": 1, "B": 1, "C": 0, "D": 1}
    assert summary.type_counts == {"heating": 2, "heat_source": 1}
    assert [r.status for r in summary.results] == ["final", "final", "final"]
    assert summary.count_objections("appeal") == 1
    assert summary.count_objections("appeal", "rejected") == 1
    assert summary.count_objections("objection") == 0
    assert str(summary.report_due) == "2026-06-15"


def test_county_summary_late_and_missing(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        hongshan = report_data.county_summary(session, "2025-2026", "150402")
        songshan = report_data.county_summary(session, "2025-2026", "150404")
    assert [item.enterprise.credit_code for item in hongshan.late] == [CODES["E3"]]
    assert str(hongshan.late[0].received_on) == "2026-05-20"
    assert hongshan.missing == ()
    assert [e.credit_code for e in songshan.missing] == [CODES["E5"]]
    assert songshan.count_orders("rectified") == 1


def test_previous_season_has_no_submissions(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        summary = report_data.county_summary(session, "2024-2025", "150402")
    # E3 registered but not evaluated that season: no sheet, no package
    assert len(summary.results) == 2
    assert len(summary.missing) == 3


def test_city_report_totals(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        report = report_data.city_report(session, "2025-2026")
    assert [c.county.code for c in report.counties] == ["150402", "150404"]
    assert report.grade_counts == {"A": 2, "B": 1, "C": 1, "D": 1}
    assert report.evaluated == 5
    assert str(report.dated) == "2026-07-01"


def test_county_summary_document(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        rendered = render_county_summary(
            session, "2025-2026", "150404", PageContext(), "Asia/Shanghai"
        )
    html = rendered.html
    assert rendered.path == "2025-2026/county-150404-summary.html"
    assert "松山区 2025—2026 年度城镇集中供热企业综合评价工作总结" in html
    assert "现将我区" in html
    assert "收到异议（复核申请）1 件，其中经核查属实 1 件" in html
    assert "未报送：松山热电有限公司" in html
    assert rendered.pdf_bytes.startswith(b"%PDF-")


def test_city_report_document(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        rendered = render_city_report(
            session, "2025-2026", PageContext(), "Asia/Shanghai"
        )
    html = rendered.html
    assert "赤峰市人民政府：" in html
    assert "全市 2 个旗县区共评价城镇集中供热企业 5 家" in html
    assert "红山区：红山热源厂（91150402MA0HXRL03F）逾期报送" in html
    assert "&lt;img src=x" in html
    assert "<img src=x" not in html
