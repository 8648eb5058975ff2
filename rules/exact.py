"""Exact numbers for scoring: Decimal types that reject floats, rounding, exact loading.

YAML and JSON parsers turn `0.95` into a float, which is already inexact. The loaders
here keep such numbers as text (YAML) or as `Decimal` (JSON), so a score computed from
a file is exact from the first digit on.
"""

from __future__ import annotations

import json
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BeforeValidator, Field

CENT = Decimal("0.01")

SCORING_CONTEXT = Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
"""Decimal context of every scoring computation.

Sums and products of the inputs are exact. A quotient that does not terminate
(3 × 17 ÷ 18) keeps 50 significant digits, far below the 0.01 that the final
rounding keeps.
"""


def reject_float(value: Any) -> Any:
    """Raise ValueError for a float, because `Decimal(0.1)` is not 0.1."""
    if isinstance(value, float):
        raise ValueError(
            f"float {value!r} is not allowed; write the number as a string, e.g. '0.95'"
        )
    return value


ExactDecimal = Annotated[Decimal, BeforeValidator(reject_float)]
"""A finite Decimal built from a string, an int or a Decimal, never from a float."""

Points = Annotated[ExactDecimal, Field(ge=0, decimal_places=2)]
"""Non-negative points given to the hundredth, as the measure's score sheets are."""


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros without an exponent and without changing the value.

    1.50 becomes 1.5 and 1E+2 becomes 100, so exact points read the same however
    they were computed.
    """
    normal = value.normalize(context=SCORING_CONTEXT)
    if normal == normal.to_integral_value():
        return normal.quantize(Decimal(1), context=SCORING_CONTEXT)
    return normal


TidyDecimal = Annotated[Decimal, AfterValidator(tidy)]
"""An exact Decimal stored without trailing zeros (unrounded points in a sheet)."""


def round_points(value: Decimal) -> Decimal:
    """Round half-up to two decimals: 89.995 becomes 90.00, 89.994 becomes 89.99."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=SCORING_CONTEXT)


def format_exact(value: Decimal, places: int = 4) -> str:
    """Write `value` without exponent; a long fraction is cut to `places` plus '…'.

    The result is for reading only: 17/6 reads "2.8333…", 2.70 reads "2.7".
    """
    normal = value.normalize(context=SCORING_CONTEXT)
    if normal == normal.to_integral_value():
        return format(normal.quantize(Decimal(1)), "f")
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places + 2:
        shown = value.quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=SCORING_CONTEXT
        )
        return format(shown, "f") + "…"
    return format(normal, "f")


def format_points(value: Decimal) -> str:
    """Write points with exactly two decimals, rounded half-up: "2.83", "90.00"."""
    return format(round_points(value), "f")


class _ExactLoader(yaml.SafeLoader):
    """YAML safe loader that returns floats as their text, for Decimal fields."""


def _float_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


def _mapping_without_repeats(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    """Build a mapping, rejecting a key written twice (YAML keeps the last silently)."""
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise ValueError(
                f"key {key!r} appears twice (line {key_node.start_mark.line + 1}); "
                "keep one value"
            )
        seen.add(key)
    return loader.construct_mapping(node)


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _float_as_text)
_ExactLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_repeats
)


def load_exact_yaml(text: str) -> Any:
    """Parse YAML safely, keeping every non-integer number as its text ("0.95")."""
    return yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number that can be scored; write a finite value")


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice; keep one value")
        result[key] = value
    return result


def load_exact_json(text: str) -> Any:
    """Parse JSON with non-integer numbers as Decimals; reject NaN, Infinity and
    keys written twice."""
    return json.loads(
        text,
        parse_float=Decimal,
        parse_constant=_reject_constant,
        object_pairs_hook=_object_without_repeats,
    )
