"""One suite builder per submission table, keyed by table name.

A builder takes (table, context, all tables of the package) and returns the
`TableSuite`s to validate. Importing this package imports Great Expectations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from expectations.context import CheckContext
from expectations.suites import (
    bureau,
    claims,
    complaints,
    drills_trainings,
    evidence,
    identity,
    incidents,
    key_figures,
    outages,
    spot_checks,
)
from expectations.suites.base import TableSuite

SuiteBuilder = Callable[
    [pd.DataFrame, CheckContext, Mapping[str, pd.DataFrame]], list[TableSuite]
]

SUITE_BUILDERS: dict[str, SuiteBuilder] = {
    "identity": identity.build,
    "key_figures": key_figures.build,
    "claims": claims.build,
    "complaints": complaints.build,
    "spot_checks": spot_checks.build,
    "outages": outages.build,
    "incidents": incidents.build,
    "drills": drills_trainings.build_drills,
    "trainings": drills_trainings.build_trainings,
    "evidence": evidence.build,
    "inspections": bureau.build_inspections,
    "hotline": bureau.build_hotline,
}
