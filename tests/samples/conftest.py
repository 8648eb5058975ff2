"""Fixtures for the sample-season tests: the committed tree and its scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

SAMPLES_ROOT = Path(__file__).resolve().parents[2] / "samples" / "2025-2026"


@pytest.fixture(scope="session")
def samples_root() -> Path:
    """The committed sample season."""
    return SAMPLES_ROOT


@pytest.fixture(scope="session")
def scenario() -> dict[str, Any]:
    """The committed scenario.yaml, parsed."""
    return yaml.safe_load((SAMPLES_ROOT / "scenario.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def by_role(scenario: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The enterprise playing each scripted role."""
    return {role: e for e in scenario["enterprises"] for role in e["roles"]}
