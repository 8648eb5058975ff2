"""The public credit archive: static pages, the search index and the site assets.

The site needs no server-side code: any static file server can host it. Search
runs in the browser over `search-index.json`. Pages carry a Content-Security-Policy
that allows only the site's own scripts, styles and data, and no inline script.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from publication import enterprise_query, opendata, query
from publication.charts import category_svg, grade_distribution_svg
from publication.pages import PageContext, render_page
from publication.views import GRADE_PLATES, CountySeason, CountyView, SeasonView
from storage.models import Enterprise

ASSETS_DIR = Path(__file__).with_name("templates") / "assets"
ASSET_FILES = ("site.css", "search.js", "favicon.svg")


def asset_files() -> dict[str, bytes]:
    """Return the static assets by site path."""
    return {f"assets/{name}": (ASSETS_DIR / name).read_bytes() for name in ASSET_FILES}


def _grade_rows(
    seasons: list[tuple[CountyView, CountySeason]],
) -> list[tuple[str, dict]]:
    return [
        (county.name, dict(data.final.grade_counts))
        for county, data in seasons
        if data.final is not None
    ]


def _html(
    path: str, template: str, context: PageContext, **data: object
) -> dict[str, bytes]:
    return {path: render_page(template, path, context, **data).encode("utf-8")}


def season_page(
    season: SeasonView,
    counties: list[tuple[CountyView, CountySeason]],
    datasets: list[dict[str, str]],
    has_compilation: bool,
    page: PageContext,
) -> dict[str, bytes]:
    """Render seasons/<season>.html: the city overview of one season."""
    rows = _grade_rows(counties)
    chart = (
        grade_distribution_svg(rows, f"{season.label} 年度各旗县区评价等级分布")
        if rows
        else ""
    )
    path = f"seasons/{season.label}.html"
    compilation = (
        f"notices/{season.label}/city/publicity.html" if has_compilation else ""
    )
    return _html(
        path,
        "season.html.j2",
        page,
        title=f"{season.label} 年度综合评价",
        season=season,
        chart=chart,
        city_final_url=query.final_url(season.label, None),
        compilation_url=compilation,
        counties=[{"county": county, "data": data} for county, data in counties],
        datasets=datasets,
    )


def index_page(
    season: SeasonView,
    seasons: list[SeasonView],
    counties: list[tuple[CountyView, CountySeason]],
    page: PageContext,
) -> dict[str, bytes]:
    """Render index.html: search, the season's grade chart, seasons and counties."""
    rows = _grade_rows(counties)
    title = f"{season.label} 年度各旗县区评价等级分布"
    return _html(
        "index.html",
        "index.html.j2",
        page,
        title=page.site_title,
        season=season,
        seasons=seasons,
        counties=[county for county, _ in counties],
        chart=grade_distribution_svg(rows, title) if rows else "",
        city_final_url=query.final_url(season.label, None),
        has_publicity=any(data.windows for _, data in counties),
    )


def county_page(
    county: CountyView, seasons: list[CountySeason], page: PageContext
) -> dict[str, bytes]:
    """Render counties/<code>.html: every season's publicity rounds and results."""
    items = []
    for data in seasons:
        chart = ""
        if data.final is not None:
            chart = grade_distribution_svg(
                [(county.name, dict(data.final.grade_counts))],
                f"{county.name} {data.season.label} 年度评价等级分布",
            )
        items.append({"data": data, "chart": chart})
    return _html(
        f"counties/{county.code}.html",
        "county.html.j2",
        page,
        title=f"{county.name}城镇集中供热企业综合评价",
        county=county,
        seasons=items,
    )


def enterprise_page(
    session: Session,
    enterprise: Enterprise,
    up_to: str,
    page: PageContext,
    medians_for: Callable[[str, str], dict[str, Decimal]] | None = None,
) -> dict[str, bytes]:
    """Render enterprises/<slug>.html: history, grade plate and category chart."""
    view = enterprise_query.enterprise_page(session, enterprise, up_to, medians_for)
    chart = ""
    if view.latest is not None:
        chart = category_svg(
            view.latest.sheet.categories,
            view.latest.county_medians,
            f"{view.enterprise.name} 各类别得分与{view.enterprise.county_name}中位数",
        )
    return _html(
        f"enterprises/{view.enterprise.slug}.html",
        "enterprise.html.j2",
        page,
        title=f"{view.enterprise.name} 信用档案",
        page=view,
        chart=chart,
    )


def search_index(session: Session, up_to: str) -> dict[str, bytes]:
    """Build search-index.json: every enterprise with a publicised or final result."""
    names = {c.code: c.name for c in query.list_counties(session)}
    entries = []
    for enterprise in enterprise_query.archive_enterprises(session, up_to):
        history = enterprise_query.enterprise_history(session, enterprise, up_to)
        grade = history[0].grade if history else ""
        slug = query.enterprise_slug(enterprise.credit_code)
        entries.append(
            {
                "name": enterprise.name,
                "code": enterprise.credit_code,
                "county": names[enterprise.county_code],
                "grade": grade,
                "plate": GRADE_PLATES.get(grade, ""),
                "url": f"enterprises/{slug}.html",
            }
        )
    document = {"season": up_to, "enterprises": entries}
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return {"search-index.json": text.encode("utf-8")}


def catalog(
    datasets: list[dict[str, str]], files: dict[str, bytes]
) -> dict[str, bytes]:
    """Build data/catalog.json (every dataset with its SHA-256) and the JSON Schema."""
    entries = []
    for dataset in sorted(datasets, key=lambda d: d["json"]):
        entry = dict(dataset)
        for key in ("csv", "json"):
            entry[f"{key}_sha256"] = hashlib.sha256(files[dataset[key]]).hexdigest()
        entries.append(entry)
    document = {
        "schema": "data/schema/results.schema.json",
        "datasets": entries,
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return {
        "data/catalog.json": text.encode("utf-8"),
        "data/schema/results.schema.json": opendata.schema_bytes(),
    }
