"""Turn a caller's notice context into plain JSON that the outbox row can store."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel


class ContextError(ValueError):
    """A notice context that cannot be stored as JSON."""


def to_json_value(value: Any, path: str = "context") -> Any:
    """Convert `value` to JSON types: Decimal to str, date to ISO text, models to dicts.

    Floats are rejected because points and shares are exact decimals here; pass
    them as Decimal or as a string.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        raise ContextError(
            f"{path} is the float {value!r}; pass a Decimal or a string instead"
        )
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_json_value(value.value, path)
    if isinstance(value, BaseModel):
        return to_json_value(value.model_dump(mode="python"), path)
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ContextError(f"{path} has the non-text key {key!r}")
            result[key] = to_json_value(item, f"{path}.{key}")
        return result
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [to_json_value(item, f"{path}[{i}]") for i, item in enumerate(items)]
    raise ContextError(
        f"{path} is a {type(value).__name__} ({value!r}), which JSON cannot store"
    )


def normalise_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """Return `context` as a JSON-ready dict, checked by a JSON round trip."""
    result = to_json_value(context)
    json.dumps(result, ensure_ascii=False, allow_nan=False)
    return result
