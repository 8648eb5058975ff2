"""SVG charts written by hand: the same data always gives the same bytes.

Charts use presentation attributes, not `style` attributes, so that they pass a
Content-Security-Policy without 'unsafe-inline' and render in WeasyPrint. Every
text is escaped; coordinates are computed in Decimal and written with one decimal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

from publication.render import format_points
from publication.views import GRADE_PLATES, GRADES, CategoryScore

GRADE_FILL = {"A": "#2e7d32", "B": "#1565c0", "C": "#f9a825", "D": "#c62828"}
GRADE_TEXT = {"A": "#ffffff", "B": "#ffffff", "C": "#000000", "D": "#ffffff"}
FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
TENTH = Decimal("0.1")


def _n(value: Decimal | int) -> str:
    """Write a coordinate with one decimal and no trailing .0."""
    text = str(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP))
    return text[:-2] if text.endswith(".0") else text


def _text(x: Decimal | int, y: Decimal | int, content: str, **attributes: str) -> str:
    extra = "".join(
        f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attributes.items()
    )
    return f'<text x="{_n(x)}" y="{_n(y)}"{extra}>{escape(content)}</text>'


def _rect(
    x: Decimal | int,
    y: Decimal | int,
    width: Decimal | int,
    height: Decimal | int,
    fill: str,
    tooltip: str = "",
) -> str:
    title = f"<title>{escape(tooltip)}</title>" if tooltip else ""
    close = f">{title}</rect>" if title else "/>"
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
        f'fill="{fill}"{close}'
    )


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" font-size="12">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every part escaped


def grade_distribution_svg(
    rows: Sequence[tuple[str, Mapping[str, int]]], title: str
) -> Markup:
    """Draw one stacked bar per county: how many enterprises got A, B, C and D."""
    label_width, bar_width, total_width, row_height = 110, 420, 60, 26
    top = 34
    width = label_width + bar_width + total_width
    height = top + row_height * max(len(rows), 1) + 8
    largest = max((sum(counts.values()) for _, counts in rows), default=0) or 1

    body = []
    for index, grade in enumerate(GRADES):
        x = label_width + index * 100
        body.append(_rect(x, 8, 14, 14, GRADE_FILL[grade]))
        body.append(_text(x + 19, 20, f"{grade}级 {GRADE_PLATES[grade]}"))

    for index, (name, counts) in enumerate(rows):
        y = top + index * row_height
        body.append(_text(label_width - 8, y + 16, name, text_anchor="end"))
        x = Decimal(label_width)
        for grade in GRADES:
            count = counts.get(grade, 0)
            if not count:
                continue
            span = Decimal(bar_width) * count / largest
            tooltip = f"{name} {grade}级{GRADE_PLATES[grade]} {count}家"
            body.append(
                _rect(x, y + 3, span, row_height - 6, GRADE_FILL[grade], tooltip)
            )
            if span >= 16:
                body.append(
                    _text(
                        x + span / 2,
                        y + 17,
                        str(count),
                        text_anchor="middle",
                        fill=GRADE_TEXT[grade],
                    )
                )
            x += span
        total = sum(counts.values())
        body.append(_text(label_width + bar_width + 8, y + 17, f"共 {total} 家"))
    return _svg(width, height, title, body)


def category_svg(
    categories: Sequence[CategoryScore], medians: Mapping[str, Decimal], title: str
) -> Markup:
    """Draw each category's points as a share of its maximum, with the county median."""
    label_width, bar_width, note_width, row_height = 150, 300, 190, 26
    top = 8
    width = label_width + bar_width + note_width
    height = top + row_height * len(categories) + 34

    body = []
    for index, category in enumerate(categories):
        y = top + index * row_height
        label = f"{category.code} {category.name}"
        body.append(_text(label_width - 8, y + 16, label, text_anchor="end"))
        if not category.applicable or category.max <= 0:
            body.append(_rect(label_width, y + 4, bar_width, row_height - 8, "#eeeeee"))
            body.append(_text(label_width + 8, y + 17, "不适用", fill="#555555"))
            continue

        maximum = f"满分 {format_points(category.max)}"
        body.append(
            _rect(label_width, y + 4, bar_width, row_height - 8, "#e3e3e3", maximum)
        )
        share = min(max(category.points / category.max, Decimal(0)), Decimal(1))
        scored = f"得分 {format_points(category.points)}"
        body.append(
            _rect(
                label_width, y + 4, bar_width * share, row_height - 8, "#1565c0", scored
            )
        )
        note = f"{format_points(category.points)} / {format_points(category.max)}"
        median = medians.get(category.code)
        if median is not None:
            position = min(max(median / category.max, Decimal(0)), Decimal(1))
            x = label_width + bar_width * position
            tooltip = escape(f"旗县区中位数 {format_points(median)}")
            body.append(
                f'<line x1="{_n(x)}" y1="{_n(y + 1)}" x2="{_n(x)}" '
                f'y2="{_n(y + row_height - 1)}" stroke="#000000" stroke-width="2">'
                f"<title>{tooltip}</title></line>"
            )
            note += f"（中位数 {format_points(median)}）"
        body.append(_text(label_width + bar_width + 8, y + 17, note))

    legend_y = top + row_height * len(categories) + 10
    body.append(_rect(label_width, legend_y, 14, 14, "#1565c0"))
    body.append(_text(label_width + 19, legend_y + 12, "得分"))
    body.append(_rect(label_width + 70, legend_y, 14, 14, "#e3e3e3"))
    body.append(_text(label_width + 89, legend_y + 12, "满分"))
    x = label_width + 140
    body.append(
        f'<line x1="{x}" y1="{legend_y}" x2="{x}" y2="{legend_y + 14}" '
        f'stroke="#000000" stroke-width="2"/>'
    )
    body.append(_text(x + 6, legend_y + 12, "旗县区中位数"))
    return _svg(width, height, title, body)
