"""The enterprise result letter: every line explained, escaped, with a PDF."""

from __future__ import annotations

import pytest

from publication import letter_path, query, render_result_letter
from rules.rulebook import load_rulebook
from tests.publication.builders import CODES, HOSTILE_REASON, Archive
from tests.publication.html_check import parse_html


@pytest.fixture(scope="module")
def hostile_letter(shared_archive: Archive) -> str:
    with shared_archive.session() as session:
        return render_result_letter(session, "2025-2026", CODES["E2"], pdf=False).html


def test_letter_path_is_inside_site() -> None:
    assert (
        letter_path("2025-2026", CODES["E1"]) == f"letters/2025-2026/{CODES['E1']}.html"
    )


def test_letter_lists_every_sub_item(hostile_letter: str) -> None:
    for _, item in load_rulebook().sub_items():
        assert f'<td class="code">{item.id}</td>' in hostile_letter


def test_letter_shows_totals_and_grade(hostile_letter: str) -> None:
    assert "总分 = 基础得分 70.00 + 加分 0.00 − 减分 5.00 = 65.00 分" in hostile_letter
    assert '<span class="plate plate-red">D级 红牌</span>' in hostile_letter
    assert "擅自移交供热设施 1 次" in hostile_letter


def test_letter_escapes_reason(hostile_letter: str) -> None:
    assert HOSTILE_REASON not in hostile_letter
    assert (
        "&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt; 核查结论"
        in hostile_letter
    )
    page = parse_html(hostile_letter)
    assert page.inline_scripts == 0
    assert page.handlers == []


def test_letter_states_follow_up_and_appeal(hostile_letter: str) -> None:
    assert "列入重点监管范围，责令限期整改" in hostile_letter
    assert "整改期限至2026年8月30日；当前状态：整改中" in hostile_letter
    assert "申诉方式" in hostile_letter
    assert "自收到申诉之日起 15 日内书面答复" in hostile_letter
    assert "赤峰市红山区示例路 1 号" in hostile_letter


def test_letter_reports_appeal_verdict(hostile_letter: str) -> None:
    assert "经核查，擅自移交供热设施属实，维持原结果。" in hostile_letter
    assert "某企业负责人" not in hostile_letter


def test_letter_chart_uses_county_medians(hostile_letter: str) -> None:
    assert "<svg" in hostile_letter
    assert "7.00 / 10.00（中位数 8.50）" in hostile_letter


def test_heat_source_letter_marks_inapplicable(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        html = render_result_letter(session, "2025-2026", CODES["E3"], pdf=False).html
    assert "不适用的评价类别已按适用类别满分折算" in html
    assert (
        '<td>C5 投诉管理</td><td class="num">15.00</td><td class="num">不适用' in html
    )


def test_letter_pdf_renders(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        letter = render_result_letter(session, "2025-2026", CODES["E4"])
    assert letter.pdf_bytes is not None
    assert letter.pdf_bytes.startswith(b"%PDF-")
    assert letter.pdf_path == f"letters/2025-2026/{CODES['E4']}.pdf"


def test_letter_before_final_raises(shared_archive: Archive) -> None:
    with (
        shared_archive.session() as session,
        pytest.raises(query.PublicationError) as error,
    ):
        render_result_letter(session, "2024-2025", CODES["E3"], pdf=False)
    assert str(error.value) == (
        f"enterprise {CODES['E3']} has no final result in season 2024-2025; "
        "letters are written after final publication"
    )
