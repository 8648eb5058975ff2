"""Reading the enterprise register: the licensed enterprises a county evaluates."""

from __future__ import annotations

import csv
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


def read_register(path: Path) -> list[dict[str, Any]]:
    """Read a register from CSV (UTF-8, BOM allowed) or YAML; name bad rows."""
    if path.suffix.lower() in (".yaml", ".yml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            raw = list(csv.DictReader(handle))
    rows = []
    for number, item in enumerate(raw, start=2 if path.suffix == ".csv" else 1):
        if not isinstance(item, dict):
            raise ValueError(f"{path}: entry {number} is not a mapping")
        missing = [f for f in REQUIRED if not str(item.get(f) or "").strip()]
        if missing:
            raise ValueError(
                f"{path}: row {number} lacks {', '.join(missing)}; fill them in"
            )
        rows.append({f: str(item.get(f) or "").strip() for f in FIELDS})
    return rows
