"""Regenerate every published document of a season from the database.

`publish_all` writes the public site under `<out>/site/` and the reports between
authorities under `<out>/reports/`, plus `<out>/manifest.json` with the SHA-256 of
every file. The same database content gives byte-identical files. A full run (no
county) removes files that an earlier run wrote and this one no longer produces;
it never touches a file the manifest does not list.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from publication import notices, query, reports, site
from publication.letters import build_result_letter
from publication.pages import PageContext
from publication.pdf import PdfCache
from publication.report_data import counties_in_season
from publication.views import CountySeason, CountyView, SeasonView

logger = logging.getLogger(__name__)
MANIFEST = "manifest.json"


class PublishOptions(BaseModel):
    """Settings that change what the documents say."""

    model_config = ConfigDict(frozen=True)

    appeal_reply_days: int = Field(15, ge=1)
    timezone: str = "Asia/Shanghai"

    @classmethod
    def from_settings(cls) -> PublishOptions:
        """Read the options from heateval's settings."""
        from heateval.settings import get_settings

        settings = get_settings()
        return cls(
            appeal_reply_days=settings.appeal_reply_days, timezone=settings.timezone
        )


class PublishReport(BaseModel):
    """What a publish run wrote, kept, removed and recorded."""

    season: str
    county: str | None
    out_dir: str
    files: dict[str, str] = Field(description="Path under out_dir → SHA-256.")
    written: list[str] = Field(description="Files whose content changed or is new.")
    removed: list[str] = Field(description="Stale files of an earlier run, removed.")
    publications: dict[str, str] = Field(
        description="Recorded publication → new, unchanged or changed."
    )
    letters: dict[str, str] = Field(
        description="Credit code → letter path in the site."
    )

    def summary(self) -> str:
        """One line for logs and the CLI."""
        return (
            f"season {self.season}{' county ' + self.county if self.county else ''}: "
            f"{len(self.files)} files ({len(self.written)} written, "
            f"{len(self.removed)} removed), {len(self.letters)} letters, "
            f"{len(self.publications)} publications recorded"
        )


class _Collector:
    """Gathers the generated files; site and report paths get their prefix here."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add_site(self, files: dict[str, bytes]) -> None:
        for path, content in files.items():
            self.files[f"site/{path}"] = content

    def add_reports(self, files: dict[str, bytes]) -> None:
        for path, content in files.items():
            self.files[f"reports/{path}"] = content


def _medians_cache(session: Session) -> Callable[[str, str], dict[str, Decimal]]:
    cache: dict[tuple[str, str], dict[str, Decimal]] = {}

    def medians_for(season_label: str, county_code: str) -> dict[str, Decimal]:
        key = (season_label, county_code)
        if key not in cache:
            season = query.find_season(session, season_label)
            cache[key] = query.county_medians(session, season, county_code)
        return cache[key]

    return medians_for


def _dataset(document: notices.RenderedDocument, title: str) -> dict[str, str]:
    stem = document.path.removesuffix(".html")
    return {"title": title, "csv": f"{stem}.csv", "json": f"{stem}.json"}


def _season_documents(
    session: Session,
    season: SeasonView,
    counties: list[CountyView],
    city_wide: bool,
    record: bool,
    page: PageContext,
    out: _Collector,
    report: PublishReport,
    medians_for: Callable[[str, str], dict[str, Decimal]],
) -> tuple[list[tuple[CountyView, CountySeason]], list[dict[str, str]]]:
    """Render one season's notices, announcements and letters."""
    label = season.label
    per_county = []
    datasets = []
    for county in counties:
        data = query.county_season(session, label, county.code)
        per_county.append((county, data))
        for window in data.windows:
            notice = query.publicity_notice(session, label, county.code, window.round)
            document = notices.build_publicity_notice(notice, page)
            out.add_site(document.files())
            datasets.append(_dataset(document, f"{county.name} 第{window.round}轮公示"))
            if record:
                status = notices.record_publication(
                    session,
                    label,
                    county.code,
                    "publicity",
                    window.round,
                    notice.opens_on,
                    document.content_hash,
                )
                report.publications[f"publicity {county.code} round {window.round}"] = (
                    status
                )
        if data.final is not None:
            document = notices.build_final_announcement(data.final, page)
            out.add_site(document.files())
            datasets.append(_dataset(document, f"{county.name} 最终结果公告"))
            if record:
                status = notices.record_publication(
                    session,
                    label,
                    county.code,
                    "final",
                    1,
                    data.final.published_on,
                    document.content_hash,
                )
                report.publications[f"final {county.code}"] = status
            for row in data.final.rows:
                code = row.enterprise.credit_code
                result = query.enterprise_result(
                    session, label, code, medians_for(label, county.code)
                )
                letter = build_result_letter(result, page)
                out.add_site(letter.files())
                if label == report.season:
                    report.letters[code] = letter.path

    if city_wide:
        announcement = query.final_announcement(session, label, None)
        if announcement is not None:
            document = notices.build_final_announcement(announcement, page)
            out.add_site(document.files())
            datasets.append(_dataset(document, "全市最终结果公告"))
            # The city-wide announcement grows while counties publish; its hash is
            # recorded once every county of the season has its final results.
            in_season = set(counties_in_season(session, label))
            complete = all(
                data.final is not None
                for view, data in per_county
                if view.code in in_season
            )
            if record and complete:
                status = notices.record_publication(
                    session,
                    label,
                    None,
                    "final",
                    1,
                    announcement.published_on,
                    document.content_hash,
                )
                report.publications["final city"] = status
        if any(data.windows for _, data in per_county):
            compilation = query.publicity_compilation(session, label)
            document = notices.build_compilation(compilation, page)
            out.add_site(document.files())
            datasets.append(_dataset(document, "各旗县区公示结果汇总"))
    return per_county, datasets


def publish_all(
    session: Session,
    season: str,
    out_dir: Path | str,
    county: str | None = None,
    *,
    record: bool = True,
    rebuild: bool = False,
    options: PublishOptions | None = None,
) -> PublishReport:
    """Regenerate the site and reports of `season` (and the archive up to it).

    With `county`, only that county's notices, letters, pages and work summary are
    regenerated, and nothing is removed. With `record`, the content hash of every
    notice and announcement of `season` is recorded in the Publication table (the
    caller commits). PDFs whose source is unchanged since the last run into
    `out_dir` are reused unless `rebuild`. Raises `query.PublicationError` for an
    unknown season or county.
    """
    options = options or PublishOptions.from_settings()
    target = query.season_view(query.find_season(session, season))
    if county is not None:
        query.find_county(session, county)
    seasons = query.list_seasons(session, season)
    root = Path(out_dir).resolve()
    previous = _read_manifest(root)
    cache = None
    if not rebuild:
        cache = PdfCache(root, previous.get("files", {}), previous.get("pdf_keys", {}))
    page = PageContext(
        nav_seasons=tuple(s.label for s in seasons),
        appeal_reply_days=options.appeal_reply_days,
        pdf_cache=cache,
    )
    all_counties = query.list_counties(session)
    counties = [c for c in all_counties if county is None or c.code == county]
    out = _Collector()
    report = PublishReport(
        season=season,
        county=county,
        out_dir=str(out_dir),
        files={},
        written=[],
        removed=[],
        publications={},
        letters={},
    )
    medians_for = _medians_cache(session)

    # Notices, announcements and letters of every season up to the target
    all_datasets: list[dict[str, str]] = []
    target_counties: list[tuple[CountyView, CountySeason]] = []
    for item in seasons:
        per_county, datasets = _season_documents(
            session,
            item,
            counties,
            county is None,
            record and item.label == season,
            page,
            out,
            report,
            medians_for,
        )
        all_datasets += datasets
        if county is None:
            has_compilation = any(data.windows for _, data in per_county)
            out.add_site(
                site.season_page(item, per_county, datasets, has_compilation, page)
            )
        if item.label == season:
            target_counties = per_county

    # Archive pages
    out.add_site(site.asset_files())
    for view in counties:
        history = [query.county_season(session, s.label, view.code) for s in seasons]
        out.add_site(site.county_page(view, history, page))
    for enterprise in query.archive_enterprises(session, season, county):
        out.add_site(
            site.enterprise_page(session, enterprise, season, page, medians_for)
        )
    if county is None:
        out.add_site(site.index_page(target, seasons, target_counties, page))
        out.add_site(site.search_index(session, season))
        site_files = {k.removeprefix("site/"): v for k, v in out.files.items()}
        out.add_site(site.catalog(all_datasets, site_files))

    # Reports between authorities
    for code in counties_in_season(session, season):
        if county is None or code == county:
            summary = reports.render_county_summary(
                session, season, code, page, options.timezone
            )
            out.add_reports(summary.files())
    if county is None:
        city = reports.render_city_report(session, season, page, options.timezone)
        out.add_reports(city.files())

    pdf_keys = {}
    if cache is not None:
        for path, content in out.files.items():
            digest = hashlib.sha256(content).hexdigest()
            if path.endswith(".pdf") and digest in cache.key_by_digest:
                pdf_keys[path] = cache.key_by_digest[digest]
        logger.info("PDFs reused %d, rendered %d", cache.hits, cache.misses)
    _write(root, out.files, pdf_keys, previous, report, full=county is None)
    logger.info("published %s", report.summary())
    return report


def _read_manifest(root: Path) -> dict:
    path = root / MANIFEST
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        logger.warning("ignoring unreadable %s: %s", path, error)
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _write(
    root: Path,
    files: dict[str, bytes],
    pdf_keys: dict[str, str],
    previous_manifest: dict,
    report: PublishReport,
    full: bool,
) -> None:
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    previous: dict[str, str] = previous_manifest.get("files", {})
    previous_keys: dict[str, str] = previous_manifest.get("pdf_keys", {})

    for relative, content in sorted(files.items()):
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            raise ValueError(f"refusing to write {relative!r} outside {root}")
        digest = hashlib.sha256(content).hexdigest()
        report.files[relative] = digest
        if target.exists() and target.read_bytes() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, target)
        report.written.append(relative)

    listed = dict(report.files)
    keys = dict(pdf_keys)
    if full:
        for relative in sorted(set(previous) - set(report.files)):
            stale = (root / relative).resolve()
            if stale.is_relative_to(root) and stale.is_file():
                stale.unlink()
                report.removed.append(relative)
                _remove_empty_parents(stale.parent, root)
    else:
        listed = {**previous, **report.files}
        keys = {**previous_keys, **pdf_keys}
    manifest = {
        "files": dict(sorted(listed.items())),
        "pdf_keys": dict(sorted(keys.items())),
    }
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    if not manifest_path.exists() or manifest_path.read_text(encoding="utf-8") != text:
        manifest_path.write_text(text, encoding="utf-8")


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
