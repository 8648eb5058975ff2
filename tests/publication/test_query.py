"""The published-results view model read from the fixture database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from publication import enterprise_query, query
from storage.models import CreditRecord
from tests.publication.builders import CODES, HOSTILE_NAME, Archive


def test_publicity_notice_rows_sorted_by_total(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        notice = query.publicity_notice(session, "2025-2026", "150402", 1)
    codes = [row.enterprise.credit_code for row in notice.rows]
    assert codes == [CODES["E1"], CODES["E3"], CODES["E2"]]
    assert [row.number for row in notice.rows] == [1, 2, 3]
    assert notice.rows[0].sheet.final == Decimal("92.50")
    assert notice.rows[0].sheet.bonus == Decimal("4.50")
    assert notice.rows[2].enterprise.name == HOSTILE_NAME
    assert notice.rows[2].sheet.deductions == Decimal("5.00")


def test_second_round_shows_only_changed(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        notice = query.publicity_notice(session, "2025-2026", "150404", 2)
    assert len(notice.rows) == 1
    assert notice.rows[0].sheet.final == Decimal("74.00")
    assert notice.rows[0].sheet.version == 2
    assert notice.cause == "objection"
    assert notice.evaluated_count == 2


def test_missing_round_names_county_and_season(shared_archive: Archive) -> None:
    with (
        shared_archive.session() as session,
        pytest.raises(query.PublicationError) as error,
    ):
        query.publicity_notice(session, "2025-2026", "150402", 2)
    assert str(error.value) == (
        "no publicity round 2 for county 150402 in season 2025-2026; "
        "open the publicity window first"
    )


def test_unknown_season_lists_known_ones(shared_archive: Archive) -> None:
    with (
        shared_archive.session() as session,
        pytest.raises(query.PublicationError) as error,
    ):
        query.find_season(session, "2030-2031")
    assert "known seasons: 2024-2025, 2025-2026" in str(error.value)


def test_invalid_season_label_rejected(shared_archive: Archive) -> None:
    with (
        shared_archive.session() as session,
        pytest.raises(query.PublicationError) as error,
    ):
        query.find_season(session, "../../etc")
    assert "write it as YYYY-YYYY" in str(error.value)


def test_final_announcement_counts_grades(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        city = query.final_announcement(session, "2025-2026")
    assert city is not None
    assert city.grade_counts == {"A": 2, "B": 1, "C": 1, "D": 1}
    assert city.issuer == "赤峰市住房和城乡建设局"
    assert city.publicity_rounds == 3
    assert city.objections_total == 2
    assert city.objections_upheld == 1
    counties = [row.enterprise.county_code for row in city.rows]
    assert counties == ["150402", "150402", "150402", "150404", "150404"]


def test_final_announcement_before_results_is_none(archive: Archive) -> None:
    with archive.session() as session:
        for record in session.scalars(select(CreditRecord)):
            session.delete(record)
        session.flush()
        assert query.final_announcement(session, "2025-2026", "150402") is None


def test_credit_record_must_match_its_sheet(archive: Archive) -> None:
    with archive.session() as session:
        record = session.scalar(
            select(CreditRecord).where(
                CreditRecord.score_sheet_id == archive.sheet_ids[("E1", "2025-2026", 1)]
            )
        )
        record.final = Decimal("99.00")
        session.flush()
        with pytest.raises(query.PublicationError) as error:
            query.final_announcement(session, "2025-2026", "150402")
    assert "says 99.00 A but its score sheet" in str(error.value)


def test_county_medians_worked_by_hand(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        season = query.find_season(session, "2025-2026")
        medians = enterprise_query.county_medians(session, season, "150402")
    # C1 of 红山区: 8.80, 7.00, 8.50 -> 8.50; C5 only for the two heating units:
    # 13.20 and 10.50 -> 11.85
    assert medians["C1"] == Decimal("8.50")
    assert medians["C5"] == Decimal("11.85")


def test_median_rounds_half_up() -> None:
    assert enterprise_query.median([Decimal("1.01"), Decimal("1.02")]) == Decimal(
        "1.02"
    )


def test_history_spans_seasons_newest_first(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        enterprise = enterprise_query.find_enterprise(session, CODES["E2"])
        history = enterprise_query.enterprise_history(session, enterprise, "2025-2026")
    assert [h.season for h in history] == ["2025-2026", "2024-2025"]
    assert [h.grade for h in history] == ["D", "C"]
    assert history[0].rectification == "整改中"
    assert history[0].letter_url == f"letters/2025-2026/{CODES['E2']}.html"


def test_history_stops_at_requested_season(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        enterprise = enterprise_query.find_enterprise(session, CODES["E1"])
        history = enterprise_query.enterprise_history(session, enterprise, "2024-2025")
    assert [h.season for h in history] == ["2024-2025"]
    assert history[0].final == Decimal("84.00")


def test_slug_keeps_valid_credit_code() -> None:
    assert query.enterprise_slug(CODES["E1"]) == CODES["E1"]


@pytest.mark.parametrize("code", ["../../evil", "91150402ma0hxrl019", "A/B", ""])
def test_slug_replaces_unsafe_code(code: str) -> None:
    slug = query.enterprise_slug(code)
    assert slug.startswith("x")
    assert len(slug) == 18
    assert slug[1:].isalnum()


def test_objection_views_hide_filer(shared_archive: Archive) -> None:
    with shared_archive.session() as session:
        season = query.find_season(session, "2025-2026")
        views = enterprise_query.objection_views(session, season, "150404", None)
    assert len(views) == 1
    dumped = views[0].model_dump_json()
    assert "热用户张某" not in dumped
    assert "13900000000" not in dumped
    assert views[0].status_label == "经核查属实，已调整评分"
