"""publish_all: the whole site and reports, safe pages, stable bytes, reruns."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from publication.publish import PublishOptions, PublishReport, publish_all
from storage.models import Publication
from tests.publication.builders import CODES, HOSTILE_NAME, Archive
from tests.publication.html_check import parse_html

SEASON = "2025-2026"


def _site_pages(out: Path) -> list[Path]:
    return sorted((out / "site").rglob("*.html"))


def test_site_has_expected_documents(published: tuple[Path, PublishReport]) -> None:
    out, _ = published
    site = out / "site"
    expected = [
        "index.html",
        "search-index.json",
        "assets/site.css",
        "assets/search.js",
        "seasons/2025-2026.html",
        "seasons/2024-2025.html",
        "counties/150402.html",
        "notices/2025-2026/150402/publicity-round-1.pdf",
        "notices/2025-2026/150404/publicity-round-2.csv",
        "notices/2025-2026/150404/final.json",
        "notices/2025-2026/city/final.pdf",
        "notices/2025-2026/city/publicity.html",
        "notices/2024-2025/150402/publicity-round-1.txt",
        "letters/2024-2025/91150402MA0HXRL02C.pdf",
        "data/catalog.json",
        "data/schema/results.schema.json",
    ]
    missing = [path for path in expected if not (site / path).is_file()]
    assert missing == []
    for key in CODES:
        assert (site / "enterprises" / f"{CODES[key]}.html").is_file()
        assert (site / "letters" / SEASON / f"{CODES[key]}.pdf").is_file()


def test_reports_written_outside_site(published: tuple[Path, PublishReport]) -> None:
    out, _ = published
    reports = out / "reports" / SEASON
    assert (reports / "county-150402-summary.pdf").is_file()
    assert (reports / "county-150404-summary.html").is_file()
    assert (reports / "city-report.pdf").is_file()


def test_report_lists_letters(published: tuple[Path, PublishReport]) -> None:
    _, report = published
    assert sorted(report.letters) == sorted(CODES.values())
    assert report.letters[CODES["E2"]] == f"letters/{SEASON}/{CODES['E2']}.html"
    assert report.publications == {}  # published without recording


def test_manifest_lists_every_file(published: tuple[Path, PublishReport]) -> None:
    out, report = published
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {
        str(path.relative_to(out))
        for path in out.rglob("*")
        if path.is_file() and path.name != "manifest.json"
    }
    assert set(manifest["files"]) == on_disk
    for relative, digest in manifest["files"].items():
        assert hashlib.sha256((out / relative).read_bytes()).hexdigest() == digest
    assert set(report.files) == on_disk


def test_pages_are_safe(published: tuple[Path, PublishReport]) -> None:
    out, _ = published
    problems = []
    for path in _site_pages(out):
        html = path.read_text(encoding="utf-8")
        page = parse_html(html)
        name = str(path.relative_to(out))
        if "script-src 'self'" not in page.csp:
            problems.append(f"{name}: no CSP")
        if page.handlers or page.inline_scripts or page.style_attributes:
            problems.append(f"{name}: inline code or style")
        if "img" in page.tags or "<img src=x" in html:
            problems.append(f"{name}: unescaped enterprise name")
        if any(urlsplit(link).scheme or link.startswith("//") for link in page.links):
            problems.append(f"{name}: link to another host")
    assert problems == []


def test_links_resolve(published: tuple[Path, PublishReport]) -> None:
    out, _ = published
    broken = []
    for path in _site_pages(out):
        page = parse_html(path.read_text(encoding="utf-8"))
        for link in page.links + page.scripts:
            target = (path.parent / urlsplit(link).path).resolve()
            if not target.is_file():
                broken.append(f"{path.relative_to(out)} -> {link}")
    assert broken == []


def test_hostile_name_shown_escaped(published: tuple[Path, PublishReport]) -> None:
    out, _ = published
    page = out / "site" / "enterprises" / f"{CODES['E2']}.html"
    html = page.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<span class="plate large plate-red">D级 红牌</span>' in html


def test_search_index_entries(published: tuple[Path, PublishReport]) -> None:
    out, _ = published
    index = json.loads((out / "site" / "search-index.json").read_text(encoding="utf-8"))
    entries = {entry["code"]: entry for entry in index["enterprises"]}
    assert sorted(entries) == sorted(CODES.values())
    assert entries[CODES["E2"]]["name"] == HOSTILE_NAME
    assert entries[CODES["E2"]]["grade"] == "D"
    assert entries[CODES["E5"]]["url"] == f"enterprises/{CODES['E5']}.html"


def test_catalog_hashes_match(published: tuple[Path, PublishReport]) -> None:
    out, _ = published
    site = out / "site"
    catalog = json.loads((site / "data" / "catalog.json").read_text(encoding="utf-8"))
    # 2025-2026: 3 publicity rounds, 2 county finals, city final and compilation;
    # 2024-2025: 2 rounds, 2 county finals, city final and compilation
    assert len(catalog["datasets"]) == 13
    for dataset in catalog["datasets"]:
        content = (site / dataset["csv"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == dataset["csv_sha256"]


def test_enterprise_page_history(published: tuple[Path, PublishReport]) -> None:
    out, _ = published
    html = (out / "site" / "enterprises" / f"{CODES['E4']}.html").read_text("utf-8")
    assert html.count('<td class="nowrap">2025-2026</td>') == 3  # final + 2 rounds
    assert "81.50" in html  # 2024-2025 result
    assert "74.00" in html
    assert "68.00" in html


@pytest.mark.slow
def test_same_data_gives_same_bytes(
    shared_archive: Archive, published: tuple[Path, PublishReport], tmp_path: Path
) -> None:
    # The fixture rendered its PDFs one by one; this run renders them in two
    # processes, which must not change a byte.
    first, _ = published
    with shared_archive.session() as session:
        report = publish_all(
            session,
            SEASON,
            tmp_path,
            record=False,
            rebuild=True,
            options=PublishOptions(pdf_workers=2),
        )
    assert len(report.written) == len(report.files)
    differing = [
        relative
        for relative in report.files
        if (tmp_path / relative).read_bytes() != (first / relative).read_bytes()
    ]
    assert differing == []
    manifest = "manifest.json"
    assert (tmp_path / manifest).read_bytes() == (first / manifest).read_bytes()


def test_rerun_records_and_reuses(archive: Archive, tmp_path: Path) -> None:
    options = PublishOptions(pdf=False)
    with archive.session() as session:
        first = publish_all(session, SEASON, tmp_path, options=options)
        session.commit()
    with archive.session() as session:
        second = publish_all(session, SEASON, tmp_path, options=options)
        rows = list(session.scalars(select(Publication)))
    assert sorted(first.publications.values()) == ["new"] * 6
    assert sorted(second.publications.values()) == ["unchanged"] * 6
    assert len(rows) == 6
    assert second.written == []
    assert second.files == first.files


@pytest.mark.slow
def test_rerun_reuses_parallel_pdfs(
    shared_archive: Archive,
    published: tuple[Path, PublishReport],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, report = published
    options = PublishOptions(pdf_workers=2)
    with shared_archive.session() as session:
        publish_all(session, SEASON, tmp_path, record=False, options=options)
        with caplog.at_level(logging.INFO, logger="publication.publish"):
            again = publish_all(
                session, SEASON, tmp_path, record=False, options=options
            )
    pdfs = sorted(path for path in report.files if path.endswith(".pdf"))
    assert len(pdfs) > 5
    assert f"PDFs reused {len(pdfs)}, rendered 0" in caplog.messages
    assert again.written == []
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["pdf_keys"]) == pdfs
    assert all(
        (tmp_path / path).read_bytes() == (first / path).read_bytes() for path in pdfs
    )


def test_stale_files_removed_on_full_run(archive: Archive, tmp_path: Path) -> None:
    options = PublishOptions(pdf=False)
    with archive.session() as session:
        publish_all(session, SEASON, tmp_path, record=False, options=options)
    stale = tmp_path / "site" / "enterprises" / "OLD.html"
    stale.write_text("old", encoding="utf-8")
    foreign = tmp_path / "site" / "robots.txt"
    foreign.write_text("User-agent: *\n", encoding="utf-8")
    manifest_path = tmp_path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["site/enterprises/OLD.html"] = hashlib.sha256(b"old").hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with archive.session() as session:
        report = publish_all(session, SEASON, tmp_path, record=False, options=options)
    assert report.removed == ["site/enterprises/OLD.html"]
    assert not stale.exists()
    assert foreign.read_text(encoding="utf-8") == "User-agent: *\n"


def test_county_run_writes_only_that_county(archive: Archive, tmp_path: Path) -> None:
    options = PublishOptions(pdf=False)
    with archive.session() as session:
        report = publish_all(
            session, SEASON, tmp_path, "150404", record=False, options=options
        )
    assert sorted(report.letters) == [CODES["E4"], CODES["E5"]]
    assert "site/index.html" not in report.files
    assert "site/counties/150402.html" not in report.files
    assert "site/counties/150404.html" in report.files
    assert "reports/2025-2026/county-150404-summary.html" in report.files
    assert "reports/2025-2026/city-report.html" not in report.files


def test_unknown_county_rejected(archive: Archive, tmp_path: Path) -> None:
    from publication.query import PublicationError

    with archive.session() as session, pytest.raises(PublicationError) as error:
        publish_all(session, SEASON, tmp_path, "999999", options=PublishOptions())
    assert "county '999999' not found" in str(error.value)
    assert not (tmp_path / "manifest.json").exists()


def test_every_dataset_matches_schema(published: tuple[Path, PublishReport]) -> None:
    import jsonschema

    from publication.opendata import json_schema

    out, _ = published
    site = out / "site"
    validator = jsonschema.Draft202012Validator(json_schema())
    catalog = json.loads((site / "data" / "catalog.json").read_text(encoding="utf-8"))
    kinds = set()
    for dataset in catalog["datasets"]:
        document = json.loads((site / dataset["json"]).read_text(encoding="utf-8"))
        validator.validate(document)
        kinds.add(document["kind"])
    assert kinds == {"publicity", "final", "publicity_compilation"}


def test_backends_publish_same_site(db_url: str, tmp_path: Path) -> None:
    from tests.publication.builders import build_archive, build_archive_at

    options = PublishOptions(pdf=False)
    reference = build_archive(tmp_path / "reference.db")
    other = build_archive_at(db_url)
    with reference.session() as session:
        expected = publish_all(
            session, SEASON, tmp_path / "a", record=False, options=options
        )
    with other.session() as session:
        actual = publish_all(
            session, SEASON, tmp_path / "b", record=False, options=options
        )
    other.sessions.kw["bind"].dispose()
    reference.sessions.kw["bind"].dispose()
    differing = sorted(
        path
        for path in expected.files
        if expected.files[path] != actual.files.get(path)
    )
    assert differing == []
    assert sorted(actual.files) == sorted(expected.files)


def test_season_without_results_publishes(tmp_path: Path) -> None:
    from datetime import date

    from sqlalchemy.orm import Session

    from storage.base import Base
    from storage.db import make_engine
    from storage.models import County, Season

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(
            County(
                code="150402",
                name="红山区",
                bureau_name="红山区住房和城乡建设局",
                bureau_email="a@example.cn",
            )
        )
        session.add(
            Season(
                label=SEASON,
                default_start=date(2025, 10, 15),
                default_end=date(2026, 4, 15),
                rulebook_version="v",
            )
        )
        session.flush()
        report = publish_all(
            session, SEASON, tmp_path / "out", options=PublishOptions()
        )
    engine.dispose()
    index = (tmp_path / "out" / "site" / "index.html").read_text(encoding="utf-8")
    assert "2025-2026 年度尚无最终评价结果。" in index
    assert report.letters == {}
    assert report.publications == {}
    assert "reports/2025-2026/city-report.pdf" in report.files
