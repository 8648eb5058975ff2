"""Inspect generated HTML the way a browser parses it: tags, handlers, the CSP."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class ParsedPage:
    """What the checks need from a page."""

    tags: set[str] = field(default_factory=set)
    handlers: list[tuple[str, str]] = field(default_factory=list)
    inline_scripts: int = 0
    style_attributes: int = 0
    csp: str = ""
    links: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._in_script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        page = self.page
        page.tags.add(tag)
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                page.handlers.append((tag, f"{name}={value}"))
            if name == "style":
                page.style_attributes += 1
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            page.csp = values.get("content") or ""
        if tag == "a" and values.get("href"):
            page.links.append(values["href"])
        if tag == "link" and values.get("href"):
            page.links.append(values["href"])
        if tag == "script":
            if values.get("src"):
                page.scripts.append(values["src"])
            else:
                self._in_script_without_src = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script_without_src = False

    def handle_data(self, data: str) -> None:
        if self._in_script_without_src and data.strip():
            self.page.inline_scripts += 1


def parse_html(html: str) -> ParsedPage:
    """Parse `html` and return its tags, event handlers, CSP, links and scripts."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page
