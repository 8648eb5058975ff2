"""Import Great Expectations offline and give every run a fresh, quiet context."""

from __future__ import annotations

import os
from functools import cache
from types import ModuleType
from typing import Any


@cache
def load_great_expectations() -> ModuleType:
    """Import `great_expectations` with its usage statistics switched off."""
    # GX 1.x takes GX_ANALYTICS_ENABLED as the switch for usage statistics when a
    # context leaves `analytics_enabled` unset, so the variable is written before the
    # first import. GX 1.24.1 as installed here ships no statistics sender at all; the
    # variable keeps a version that has one offline. This is a write for a third-party
    # library, and the only place outside heateval/settings.py that touches os.environ.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations

    return great_expectations


def new_context() -> Any:
    """Create an ephemeral GX context with analytics and progress bars off.

    A new context per run holds no data sources, assets or suites from an earlier
    run, so a retry in the same process never fails on a name that already exists.
    """
    gx = load_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.config.analytics_enabled = False
    # Without this, every validation prints a tqdm "Calculating Metrics" bar.
    context.variables.progress_bars = ProgressBarsConfig(
        globally=False, metric_calculations=False
    )
    return context
