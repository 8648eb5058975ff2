"""The jinja2 environment of every publication template: autoescaped, strict."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from rules.exact import format_exact

TEMPLATES_DIR = Path(__file__).with_name("templates")
CENT = Decimal("0.01")


def format_points(value: Decimal | None) -> str:
    """Write points with two decimals, rounded half-up: 85 -> 85.00."""
    if value is None:
        return "—"
    if not isinstance(value, Decimal):
        raise TypeError(f"points must be Decimal, got {type(value).__name__} {value!r}")
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def format_exact_points(value: Decimal | None) -> str:
    """Write unrounded line points for reading: 2.7, 17/6 as 2.8333…."""
    if value is None:
        return "—"
    return format_exact(value)


def format_date_cn(value: date | None) -> str:
    """Write a date the way Chinese notices do: 2026年5月20日."""
    if value is None:
        return "—"
    return f"{value.year}年{value.month}月{value.day}日"


def relative_root(path: str) -> str:
    """Return the prefix from a page at `path` back to the site root, e.g. ../../."""
    depth = path.count("/")
    return "../" * depth if depth else "./"


@cache
def environment() -> Environment:
    """Return the shared environment; autoescape is on for every template."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["points"] = format_points
    env.filters["cndate"] = format_date_cn
    env.filters["exact"] = format_exact_points
    return env


def render(template: str, **context: Any) -> str:
    """Render `template` with `context`; a missing variable raises an error."""
    return environment().get_template(template).render(**context)
