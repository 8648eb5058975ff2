"""Read a Figures file (JSON or YAML) exactly, with errors that name field and value."""

from __future__ import annotations

import difflib
import reprlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rules.exact import load_exact_json, load_exact_yaml
from rules.figures import Figures

# A figures file with every field and comments is about 2 kB
# (rules/examples/hand-worked.yaml), so a file of a megabyte is not one.
MAX_FILE_BYTES = 1_000_000

_SHORT = reprlib.Repr()
_SHORT.maxlevel = 2
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlong = 40
_SHORT.maxlist = 4
_SHORT.maxdict = 4


def short_repr(value: Any) -> str:
    """Return a bounded repr of an untrusted value, safe to print in an error."""
    return _SHORT.repr(value)


class FiguresFileError(ValueError):
    """A figures or adjustments file that cannot be used; `problems` lists each one."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{path}: the file is invalid:\n{listing}")


def load_data(path: Path) -> Any:
    """Parse a JSON or YAML file with exact decimals, or raise FiguresFileError."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        problem = (
            f"file type {suffix or '(none)'!r} is not supported; "
            "use .json, .yaml or .yml"
        )
        raise FiguresFileError(path, [problem])
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problem = (
                f"the file has {size} bytes, more than the {MAX_FILE_BYTES} allowed"
            )
            raise FiguresFileError(path, [problem])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FiguresFileError(path, ["file not found; check the path"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise FiguresFileError(
            path, [f"cannot be read as UTF-8 text: {error}"]
        ) from None
    try:
        if suffix == ".json":
            return load_exact_json(text)
        return load_exact_yaml(text)
    except (ValueError, yaml.YAMLError) as error:
        raise FiguresFileError(
            path, [f"invalid {suffix[1:].upper()}: {error}"]
        ) from None


def _describe_error(detail: Any) -> str:
    loc = ".".join(str(part) for part in detail["loc"])
    message = str(detail["msg"]).removeprefix("Value error, ")
    kind = detail["type"]
    if not loc:
        return message
    if kind == "missing":
        return f"field {loc} is missing; add it"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(loc, list(Figures.model_fields), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return f"field {loc!r} is not a figure of the rulebook's input{hint}"
    return f"field {loc}, value {short_repr(detail['input'])}: {message}"


def figures_from_data(data: Any, path: Path) -> Figures:
    """Validate parsed data as Figures; raise FiguresFileError naming each bad field."""
    if not isinstance(data, dict):
        problem = "the top level must be a mapping of figure names to values"
        raise FiguresFileError(path, [problem])
    try:
        return Figures.model_validate(data)
    except ValidationError as error:
        problems = [
            _describe_error(detail) for detail in error.errors(include_url=False)
        ]
        raise FiguresFileError(path, problems) from None


def read_figures(path: Path | str) -> Figures:
    """Read and validate a figures file (.json, .yaml or .yml)."""
    path = Path(path)
    return figures_from_data(load_data(path), path)
