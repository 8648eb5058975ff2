"""Shared page rendering: the context every page gets, HTML and its PDF twin."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from publication.pdf import PdfCache, html_to_pdf
from publication.query import CITY_BUREAU
from publication.render import relative_root, render

SITE_TITLE = "赤峰市城镇集中供热企业信用档案"


class PageContext(BaseModel):
    """Page context besides a page's own data: site title, season links, options."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    site_title: str = SITE_TITLE
    nav_seasons: tuple[str, ...] = ()
    appeal_reply_days: int = 15
    city_bureau: str = CITY_BUREAU
    pdf_cache: PdfCache | None = Field(None, exclude=True)


def render_page(
    template: str,
    path: str,
    context: PageContext,
    *,
    pdf: bool = False,
    standalone_css: str = "",
    **data: Any,
) -> str:
    """Render a page stored at site path `path` (e.g. counties/150402.html).

    `pdf` leaves out navigation, links to assets and the CSP; `standalone_css`
    (trusted, our own) is inlined for documents kept outside the site.
    """
    return render(
        template,
        root=relative_root(path),
        pdf=pdf,
        standalone_css=Markup(standalone_css),  # noqa: S704 - our own stylesheet
        site_title=context.site_title,
        nav_seasons=context.nav_seasons,
        appeal_reply_days=context.appeal_reply_days,
        city_bureau=context.city_bureau,
        **data,
    )


def render_html_and_pdf(
    template: str, path: str, context: PageContext, identifier: str, **data: Any
) -> tuple[str, bytes]:
    """Render the screen page and the printable PDF of the same document."""
    html = render_page(template, path, context, pdf=False, **data)
    print_html = render_page(template, path, context, pdf=True, **data)
    if context.pdf_cache is not None:
        return html, context.pdf_cache.render(print_html, identifier)
    return html, html_to_pdf(print_html, identifier)
