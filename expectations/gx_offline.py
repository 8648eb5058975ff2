"""Import Great Expectations offline and give every run a fresh, quiet context."""

from __future__ import annotations

import logging
import os
from functools import cache
from types import ModuleType
from typing import Any


@cache
def load_great_expectations() -> ModuleType:
    """Import `great_expectations` with its usage statistics switched off."""
    # GX 1.x falls back to GX_ANALYTICS_ENABLED when a context leaves
    # `analytics_enabled` unset (see `AbstractDataContext.enable_analytics`), so the
    # variable is written before the first import. GX 1.24.1 ships no statistics
    # sender, but a version that has one stays offline too. This writes a
    # third-party library's variable. Only heateval/settings.py reads the environment.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations

    # Each ephemeral context logs the temporary folder of its docs site at INFO,
    # once per package checked; that says nothing to an operator.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return great_expectations


def new_context() -> Any:
    """Create an ephemeral GX context with analytics and progress bars off.

    A new context per run contains no data sources, assets or suites from an earlier
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
