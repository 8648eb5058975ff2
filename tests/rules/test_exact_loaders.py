"""Exact loaders of figures files: decimals kept as written, repeated keys rejected."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules.exact import load_exact_json, load_exact_yaml


def test_yaml_keeps_decimal_text() -> None:
    assert load_exact_yaml("share: 0.95\n") == {"share": "0.95"}


def test_yaml_repeated_key_rejected() -> None:
    with pytest.raises(ValueError, match="'households_served' appears twice"):
        load_exact_yaml("households_served: 100\nhouseholds_served: 200\n")


def test_yaml_nested_repeated_key_rejected() -> None:
    with pytest.raises(ValueError, match="'a' appears twice"):
        load_exact_yaml("outer:\n  a: 1\n  a: 2\n")


def test_json_keeps_decimals() -> None:
    assert load_exact_json('{"share": 0.95}') == {"share": Decimal("0.95")}


def test_json_repeated_key_rejected() -> None:
    with pytest.raises(ValueError, match="'households_served' appears twice"):
        load_exact_json('{"households_served": 1, "households_served": 2}')
