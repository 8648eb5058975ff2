"""Reading the enterprise register: the licensed enterprises a county evaluates."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

FIELDS = (
    "credit_code",
    "name",
    "county",
    "type",
    "contact_name",
    "contact_email",
    "contact_phone",
)
REQUIRED = ("credit_code", "name", "county", "type")


def read_register(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Read a register from CSV or YAML; return (row or entry number, row) pairs.

    CSV may be UTF-8 (with or without BOM), UTF-16 with BOM or GBK, as intake
    reads tables. Raises ValueError naming the file and row of a problem.
    """
    from intake.grids import GridError, decode_text

    try:
        text = decode_text(path.read_bytes(), path.name)
    except GridError as error:
        raise ValueError(f"{path}: {error.defect.message}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            raw = yaml.safe_load(text) or []
        except yaml.YAMLError as error:
            raise ValueError(f"{path}: not valid YAML ({error})") from None
        first = 1
    else:
        raw = list(csv.DictReader(io.StringIO(text, newline="")))
        first = 2  # the header is row 1
    if not isinstance(raw, list):
        raise ValueError(f"{path}: the register must be a list of entries")
    rows = []
    for number, item in enumerate(raw, start=first):
        if not isinstance(item, dict):
            raise ValueError(f"{path}: entry {number} is not a mapping")
        missing = [f for f in REQUIRED if not str(item.get(f) or "").strip()]
        if missing:
            raise ValueError(
                f"{path}: row {number} lacks {', '.join(missing)}; fill them in"
            )
        rows.append((number, {f: str(item.get(f) or "").strip() for f in FIELDS}))
    return rows
