"""`heateval rules check|show` and `heateval score`: rulebooks and offline scoring.

Exit codes: 0 success, 1 the rulebook is invalid, 2 the figures or adjustments
file is invalid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from rules.rulebook import Rulebook
    from rules.sheet import Adjustment, ScoreSheet

RulebookOption = Annotated[
    Path | None,
    typer.Option(
        "--rulebook",
        help="Rulebook YAML file. Default: HEATEVAL_RULEBOOK or the Chifeng rulebook.",
    ),
]


def _rulebook_path(path: Path | None) -> Path:
    from heateval.settings import get_settings

    return path if path is not None else get_settings().rulebook


def _load_or_exit(path: Path | None) -> Rulebook:
    from rules.rulebook import RulebookError, load_rulebook

    try:
        return load_rulebook(_rulebook_path(path))
    except RulebookError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None


def check(
    file: Annotated[
        Path | None,
        typer.Argument(help="Rulebook YAML file. Default: the configured rulebook."),
    ] = None,
) -> None:
    """Validate a rulebook and print its version, or list every problem (exit 1)."""
    book = _load_or_exit(file)
    typer.echo(f"{_rulebook_path(file)}: valid rulebook, edition {book.edition}")
    typer.echo(f"version {book.version}")


def show(
    file: Annotated[
        Path | None,
        typer.Argument(help="Rulebook YAML file. Default: the configured rulebook."),
    ] = None,
) -> None:
    """Print a rulebook as tables: categories, sub-items, methods, points, steps."""
    _print_rulebook(_load_or_exit(file))


def score_file(
    file: Annotated[Path, typer.Argument(help="Figures file (.json, .yaml or .yml).")],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the score sheet as one JSON object.")
    ] = False,
    rulebook: RulebookOption = None,
    adjustments: Annotated[
        Path | None,
        typer.Option(
            "--adjustments",
            help="YAML or JSON list of committee adjustments "
            "(sub_item, points, reason, member) to apply.",
        ),
    ] = None,
) -> None:
    """Score one enterprise's figures offline and print the score sheet."""
    from rules.engine import AdjustmentError, score
    from rules.figures_file import FiguresFileError, read_figures

    book = _load_or_exit(rulebook)
    try:
        figures = read_figures(file)
        decisions = _read_adjustments(adjustments) if adjustments is not None else ()
        sheet = score(figures, book, decisions)
    except (FiguresFileError, AdjustmentError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None

    if json_output:
        typer.echo(
            json.dumps(sheet.model_dump(mode="json"), ensure_ascii=False, indent=2)
        )
        return
    _print_sheet(sheet, book, source=str(file))


def _read_adjustments(path: Path) -> tuple[Adjustment, ...]:
    from pydantic import TypeAdapter, ValidationError

    from rules.figures_file import FiguresFileError, load_data, short_repr
    from rules.sheet import Adjustment

    data = load_data(path)
    if not isinstance(data, list):
        raise FiguresFileError(path, ["the top level must be a list of adjustments"])
    try:
        return TypeAdapter(tuple[Adjustment, ...]).validate_python(data)
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            where = ".".join(str(part) for part in detail["loc"])
            message = str(detail["msg"]).removeprefix("Value error, ")
            problems.append(
                f"adjustment {where}, value {short_repr(detail['input'])}: {message}"
            )
        raise FiguresFileError(path, problems) from None


def _table(title: str, *columns: str) -> Table:
    """Return a rich table whose columns fold long text rather than cut it."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title))
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _print_rulebook(book: Rulebook) -> None:
    from rich.console import Console
    from rich.text import Text

    from rules.describe import describe_bonus, describe_deduction, describe_sub_item

    console = Console()
    console.print(Text(f"{book.title}  edition {book.edition}", style="bold"))
    console.print(
        Text(f"version {book.version}; scale {book.scale}, bonus cap {book.bonus_cap}")
    )

    grades = _table("Grades", "grade", "final", "colour", "plate", "meaning")
    for band in book.grades:
        span = f"≥ {band.min}" + (
            f" and < {band.below}" if band.below is not None else ""
        )
        grades.add_row(
            band.grade,
            span,
            band.colour,
            Text(band.colour_name),
            Text(band.description),
        )
    console.print(grades)

    for category in book.categories:
        applies = ", ".join(category.applies_to)
        title = (
            f"{category.id} {category.name} ({category.name_en}), "
            f"{category.max} points, applies to {applies}"
        )
        table = _table(title, "id", "sub-item", "method", "points", "judgement", "rule")
        for item in category.sub_items:
            table.add_row(
                item.id,
                Text(f"{item.name}\n{item.name_en}"),
                item.method,
                str(item.points),
                "yes" if item.judgement else "",
                Text(describe_sub_item(item)),
            )
        console.print(table)

    bonus = _table(
        f"Bonus (total at most {book.bonus_cap})",
        "id",
        "bonus item",
        "points",
        "applies to",
        "judgement",
        "condition",
    )
    for item in book.bonus:
        bonus.add_row(
            item.id,
            Text(f"{item.name}\n{item.name_en}"),
            str(item.points),
            ", ".join(item.applies_to),
            "yes" if item.judgement else "",
            Text(describe_bonus(item)),
        )
    console.print(bonus)

    deductions = _table("Deductions", "id", "deduction", "rule")
    for rule in book.deductions:
        deductions.add_row(
            rule.id,
            Text(f"{rule.name}\n{rule.name_en}"),
            Text(describe_deduction(rule)),
        )
    console.print(deductions)


def _print_sheet(sheet: ScoreSheet, book: Rulebook, source: str) -> None:
    from rich.console import Console
    from rich.text import Text

    from rules.exact import format_points
    from rules.measure import ENTERPRISE_TYPE_NAMES

    console = Console()
    type_name = ENTERPRISE_TYPE_NAMES[sheet.enterprise_type]
    console.print(
        Text(f"{source}: {type_name} ({sheet.enterprise_type})", style="bold")
    )
    console.print(
        Text(f"{book.title} {book.edition}, version {sheet.rulebook_version}")
    )
    console.print(Text(f"figures hash {sheet.input_hash}"))

    table = _table("评分表", "编号", "项目", "满分", "得分", "说明")
    for category in sheet.categories:
        points = format_points(category.points) if category.applies else "不适用"
        table.add_row(
            category.id,
            Text(category.name),
            str(category.max),
            points,
            "",
            style="bold",
        )
        for line in sheet.lines:
            if line.category == category.id:
                table.add_row(
                    line.rule_id,
                    Text(line.name),
                    str(line.max),
                    format_points(line.points),
                    Text(line.reason),
                )
    for line in sheet.lines:
        if line.category is None:
            sign = "+" if line.kind == "bonus" else "−"
            sign = sign if line.points > 0 else ""
            limit = "" if line.max is None else str(line.max)
            table.add_row(
                line.rule_id,
                Text(line.name),
                limit,
                f"{sign}{format_points(line.points)}",
                Text(line.reason),
            )
    console.print(table)
    console.print(
        Text("分项得分显示为两位小数；总分由未舍入的分项计算，最后一次四舍五入。")
    )
    for text in sheet.summary:
        console.print(Text(text))
    console.print(
        Text(
            f"基础分 {sheet.base}  加分 {sheet.bonus}  减分 {sheet.deductions}  "
            f"总分 {sheet.final}  等级 {sheet.grade}（{sheet.colour_name}）",
            style="bold",
        )
    )


def register(app: typer.Typer) -> None:
    """Add `heateval rules check|show` and `heateval score` to the CLI."""
    rules_app = typer.Typer(
        help="Validate and show scoring rulebooks.", no_args_is_help=True
    )
    rules_app.command("check")(check)
    rules_app.command("show")(show)
    app.add_typer(rules_app, name="rules")
    app.command("score")(score_file)
