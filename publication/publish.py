"""Regenerate every published document of a season from the database.

`publish_all` writes the public site under `<out>/site/` and the reports between
authorities under `<out>/reports/`, plus `<out>/manifest.json` with the SHA-256 of
every file. The same database content gives byte-identical files. A full run (no
county) removes the files that an earlier run wrote and this one no longer
produces. It never touches a file that the manifest does not list.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from publication import enterprise_query, notices, query, reports, site
from publication.letters import build_result_letter
from publication.pages import PageContext
from publication.pdf import PdfCache
from publication.report_data import counties_in_season
from publication.views import CountySeason, CountyView

logger = logging.getLogger(__name__)
MANIFEST = "manifest.json"


class PublishOptions(BaseModel):
    """Settings that change the text of the documents."""

    model_config = ConfigDict(frozen=True)

    appeal_reply_days: int = Field(15, ge=1)
    timezone: str = "Asia/Shanghai"
    city_bureau_name: str = query.CITY_BUREAU
    pdf: bool = Field(True, description="Write PDFs; False writes HTML and data only.")
    pdf_workers: int = Field(1, ge=1, description="Processes rendering PDFs.")

    @classmethod
    def from_settings(cls) -> PublishOptions:
        """Read the options from heateval's settings."""
        from heateval.settings import get_settings

        settings = get_settings()
        return cls(
            appeal_reply_days=settings.appeal_reply_days,
            timezone=settings.timezone,
            city_bureau_name=settings.city_bureau_name,
            pdf_workers=settings.pdf_workers,
        )


class PublishReport(BaseModel):
    """Files a publish run wrote, kept and removed, and publications it recorded."""

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
        """Return one line for logs and the CLI."""
        return (
            f"season {self.season}{' county ' + self.county if self.county else ''}: "
            f"{len(self.files)} files ({len(self.written)} written, "
            f"{len(self.removed)} removed), {len(self.letters)} letters, "
            f"{self._publications_summary()}"
        )

    def _publications_summary(self) -> str:
        """Count the publications by what recording them did (new, unchanged...)."""
        if not self.publications:
            return "no publications recorded"
        counts: dict[str, int] = {}
        for status in self.publications.values():
            counts[status] = counts.get(status, 0) + 1
        parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        return f"publications: {parts}"


class _Run:
    """One publish run: the session, what to render and where the files go."""

    def __init__(
        self,
        session: Session,
        report: PublishReport,
        page: PageContext,
        options: PublishOptions,
        record: bool,
    ) -> None:
        self.session = session
        self.report = report
        self.page = page
        self.pdf = options.pdf
        self.record = record
        self.files: dict[str, bytes] = {}
        self.datasets: list[dict[str, str]] = []
        self._medians: dict[tuple[str, str], dict[str, Decimal]] = {}

    def add_site(self, files: dict[str, bytes]) -> None:
        for path, content in files.items():
            self.files[f"site/{path}"] = content

    def add_reports(self, files: dict[str, bytes]) -> None:
        for path, content in files.items():
            self.files[f"reports/{path}"] = content

    def medians_for(self, season_label: str, county_code: str) -> dict[str, Decimal]:
        key = (season_label, county_code)
        if key not in self._medians:
            season = query.find_season(self.session, season_label)
            self._medians[key] = enterprise_query.county_medians(
                self.session, season, county_code
            )
        return self._medians[key]

    def add_document(self, document: notices.RenderedDocument, title: str) -> None:
        self.add_site(document.files())
        stem = document.path.removesuffix(".html")
        self.datasets.append(
            {"title": title, "csv": f"{stem}.csv", "json": f"{stem}.json"}
        )

    def record_publication(
        self,
        name: str,
        season: str,
        county: str | None,
        kind: str,
        round_: int,
        published_on: date,
        digest: str,
    ) -> None:
        if not (self.record and season == self.report.season):
            return
        status = notices.record_publication(
            self.session, season, county, kind, round_, published_on, digest
        )
        self.report.publications[name] = status


def _county_documents(run: _Run, season: str, county: CountyView) -> CountySeason:
    """Render a county's publicity notices, final announcement and letters."""
    session = run.session
    data = query.county_season(session, season, county.code)
    for window in data.windows:
        notice = query.publicity_notice(session, season, county.code, window.round)
        document = notices.build_publicity_notice(notice, run.page, pdf=run.pdf)
        run.add_document(document, f"{county.name} 第{window.round}轮公示")
        run.record_publication(
            f"publicity {county.code} round {window.round}",
            season,
            county.code,
            "publicity",
            window.round,
            notice.opens_on,
            document.content_hash,
        )
    if data.final is None:
        return data

    document = notices.build_final_announcement(data.final, run.page, pdf=run.pdf)
    run.add_document(document, f"{county.name} 最终结果公告")
    run.record_publication(
        f"final {county.code}",
        season,
        county.code,
        "final",
        1,
        data.final.published_on,
        document.content_hash,
    )
    for row in data.final.rows:
        code = row.enterprise.credit_code
        medians = run.medians_for(season, county.code)
        result = enterprise_query.enterprise_result(session, season, code, medians)
        letter = build_result_letter(result, run.page, pdf=run.pdf)
        run.add_site(letter.files())
        if season == run.report.season:
            run.report.letters[code] = letter.path
    return data


def _city_documents(
    run: _Run, season: str, per_county: list[tuple[CountyView, CountySeason]]
) -> None:
    """Render the city-wide final announcement and the publicity compilation."""
    session = run.session
    announcement = query.final_announcement(session, season, None, run.page.city_bureau)
    if announcement is not None:
        document = notices.build_final_announcement(announcement, run.page, pdf=run.pdf)
        run.add_document(document, "全市最终结果公告")
        # The city-wide announcement grows while counties publish; its hash is
        # recorded once every county of the season has its final results.
        in_season = set(counties_in_season(session, season))
        if all(
            data.final is not None
            for view, data in per_county
            if view.code in in_season
        ):
            run.record_publication(
                "final city",
                season,
                None,
                "final",
                1,
                announcement.published_on,
                document.content_hash,
            )
    if any(data.windows for _, data in per_county):
        compilation = query.publicity_compilation(session, season)
        document = notices.build_compilation(compilation, run.page, pdf=run.pdf)
        run.add_document(document, "各旗县区公示结果汇总")


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
    # With `rebuild` the cache starts empty: every PDF is rendered, and the new
    # manifest still gets the keys that the next run reuses.
    earlier = {} if rebuild else previous
    cache = PdfCache(
        root,
        earlier.get("files", {}),
        earlier.get("pdf_keys", {}),
        workers=options.pdf_workers,
    )
    page = PageContext(
        nav_seasons=tuple(s.label for s in seasons),
        appeal_reply_days=options.appeal_reply_days,
        city_bureau=options.city_bureau_name,
        pdf_cache=cache,
    )
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
    run = _Run(session, report, page, options, record)
    counties = [c for c in query.list_counties(session) if county in (None, c.code)]

    # Notices, announcements and letters of every season up to the target
    target_counties: list[tuple[CountyView, CountySeason]] = []
    for item in seasons:
        first_dataset = len(run.datasets)
        per_county = [(c, _county_documents(run, item.label, c)) for c in counties]
        if county is None:
            _city_documents(run, item.label, per_county)
            datasets = run.datasets[first_dataset:]
            has_compilation = any(data.windows for _, data in per_county)
            run.add_site(
                site.season_page(item, per_county, datasets, has_compilation, page)
            )
        if item.label == season:
            target_counties = per_county

    # Archive pages
    run.add_site(site.asset_files())
    for view in counties:
        history = [query.county_season(session, s.label, view.code) for s in seasons]
        run.add_site(site.county_page(view, history, page))
    for enterprise in enterprise_query.archive_enterprises(session, season, county):
        run.add_site(
            site.enterprise_page(session, enterprise, season, page, run.medians_for)
        )
    if county is None:
        run.add_site(site.index_page(target, seasons, target_counties, page))
        run.add_site(site.search_index(session, season))
        site_files = {k.removeprefix("site/"): v for k, v in run.files.items()}
        run.add_site(site.catalog(run.datasets, site_files))

    # Reports between authorities
    for code in counties_in_season(session, season):
        if county in (None, code):
            run.add_reports(
                reports.render_county_summary(
                    session, season, code, page, options.timezone, pdf=options.pdf
                ).files()
            )
    if county is None:
        run.add_reports(
            reports.render_city_report(
                session, season, page, options.timezone, pdf=options.pdf
            ).files()
        )

    # PDFs not reused from the earlier run, rendered side by side
    run.files = cache.resolve(run.files)
    pdf_keys = {}
    for path, content in run.files.items():
        digest = hashlib.sha256(content).hexdigest()
        if path.endswith(".pdf") and digest in cache.key_by_digest:
            pdf_keys[path] = cache.key_by_digest[digest]
    logger.info("PDFs reused %d, rendered %d", cache.hits, cache.misses)
    _write(root, run.files, pdf_keys, previous, report, full=county is None)
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
            raise ValueError(f"invalid output path {relative!r}: it is outside {root}")
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
